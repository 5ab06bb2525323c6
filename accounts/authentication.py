"""REST API authentication with personal API tokens: `Authorization: Bearer hd_..._...`."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed

from .tokens import user_for_token


class BearerTokenAuthentication(BaseAuthentication):
    """Authenticate a request by the personal API token in its Authorization header.

    No header, or another scheme than Bearer, is not this class's business: it returns None so
    that the next authentication class (the browser's session) may apply. A Bearer header whose
    token is malformed, unknown, revoked or belongs to an inactive user fails with 401. On
    success `request.user` is the token's owner and `request.auth` the `ApiToken` (throttling
    can key on it).
    """

    keyword = "Bearer"
    realm = "api"

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword.lower().encode():
            return None
        if len(parts) != 2:
            raise AuthenticationFailed(_("Send exactly one token after “Bearer”."))
        try:
            plain = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise AuthenticationFailed(_("Invalid token.")) from None
        found = user_for_token(plain)
        if found is None:
            raise AuthenticationFailed(_("Invalid or revoked token."))
        return found

    def authenticate_header(self, request) -> str:
        # Naming a challenge makes DRF answer an unauthenticated request with 401, not 403.
        return f'{self.keyword} realm="{self.realm}"'


class BearerTokenScheme(OpenApiAuthenticationExtension):
    """Describe BearerTokenAuthentication in the OpenAPI document as HTTP bearer auth."""

    target_class = "accounts.authentication.BearerTokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": (
                "A personal API token, created on the profile page or with "
                "`manage.py create_api_token`: `Authorization: Bearer hd_<prefix>_<secret>`."
            ),
        }
