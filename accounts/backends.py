"""Signing in with email and password, and loading the signed-in user on each request."""

from django.contrib.auth.backends import ModelBackend

from . import policies
from .models import User


class AccountBackend(ModelBackend):
    """Django's email-and-password backend, whose per-request user load also brings the facts
    the second-step rule needs (`policies.with_second_factor_facts`), in the same query: the
    check that every request makes costs no query of its own."""

    def get_user(self, user_id):
        try:
            user = policies.with_second_factor_facts(User._default_manager.all()).get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
