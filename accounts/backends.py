"""Signing in with email and password, and loading the signed-in user on each request."""

from django.contrib.auth.backends import ModelBackend

from helpdesk.prepared import PreparedQuery

from . import policies
from .models import User

# Compiled once per process: this runs on every signed-in request (see helpdesk.prepared).
_SIGNED_IN_USER = PreparedQuery(
    lambda pk: policies.with_second_factor_facts(
        User._default_manager.select_related("support_profile")
    ).filter(pk=pk),
    samples=((-7_301_001,), (-7_301_002,)),
)


class AccountBackend(ModelBackend):
    """Django's email-and-password backend, whose per-request user load also brings the facts
    the second-step rule needs (`policies.with_second_factor_facts`) and the support profile
    that tells staff apart (`policies.is_support_staff`), in the same query: the checks that
    every request makes cost no query of their own."""

    def get_user(self, user_id):
        user = _SIGNED_IN_USER.first(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None
