"""Signing in with email and password, and loading the signed-in user on each request."""

from django.contrib.auth.backends import ModelBackend

from . import policies
from .models import User


class AccountBackend(ModelBackend):
    """Django's email-and-password backend, whose per-request user load also brings the facts
    the second-step rule needs (`policies.with_second_factor_facts`) and the support profile
    that tells staff apart (`policies.is_support_staff`), in the same query: the checks that
    every request makes cost no query of their own."""

    def get_user(self, user_id):
        users = User._default_manager.select_related("support_profile")
        try:
            user = policies.with_second_factor_facts(users).get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
