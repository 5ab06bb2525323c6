import zoneinfo
from urllib.parse import urlencode

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_otp.middleware import OTPMiddleware
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import policies, policy_memo
from helpdesk.prepared import PreparedQuery


def _device_lookup(model) -> PreparedQuery:
    return PreparedQuery(
        lambda pk: model.objects.filter(pk=pk), samples=((-7_302_001,), (-7_302_002,))
    )


# The two kinds of device a session can be verified with: an authenticator app, or a recovery
# code. Their lookups are compiled once per process (see helpdesk.prepared).
_DEVICE_LOOKUPS = {
    model.model_label(): _device_lookup(model) for model in (TOTPDevice, StaticDevice)
}


class SecondFactorDeviceMiddleware(OTPMiddleware):
    """django-otp's middleware (the device that verified the session, on `request.user`), with
    the device read by a statement compiled once per process: every signed-in request reads it.
    Other persistent ids (a legacy form, another kind of device) go through django-otp."""

    def _device_from_persistent_id(self, persistent_id: str):
        label, _slash, device_id = persistent_id.rpartition("/")
        lookup = _DEVICE_LOOKUPS.get(label)
        if lookup is None or not (device_id.isascii() and device_id.isdigit()):
            return super()._device_from_persistent_id(persistent_id)
        return lookup.first(int(device_id))


class PolicyMemoMiddleware:
    """Remember role lookups for the length of the request (see `accounts.policy_memo`)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with policy_memo.request_scope():
            return self.get_response(request)


class UserPreferencesMiddleware:
    """Show pages in the signed-in user's language and time zone.

    The language is the user's preferred one unless they picked another with the switcher (the
    language cookie); times are stored in UTC and shown in the user's own zone.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            try:
                timezone.activate(zoneinfo.ZoneInfo(user.time_zone))
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                timezone.deactivate()
            if settings.LANGUAGE_COOKIE_NAME not in request.COOKIES:
                translation.activate(user.preferred_language)
                request.LANGUAGE_CODE = translation.get_language()
        else:
            timezone.deactivate()
        return self.get_response(request)


class SecondFactorMiddleware:
    """Hold a signed-in session that still owes its second step (enrol or verify) at that step.

    The one place the rule of `accounts.policies.second_factor_step` is enforced: pages redirect
    to enrolment or verification (GET requests come back afterwards), session-authenticated API
    calls get a 403 in the API's error shape. Signing in and out, the two-step pages and the
    language switch stay open. A Bearer token is personal and can only be created from a
    verified session (`policies.can_create_api_token`) or by an operator on the server
    (`manage.py create_api_token`), so calls with a token pass: holding it is the proof.
    """

    OPEN_VIEW_NAMES = frozenset(
        {
            "login",
            "logout",
            "mfa_enrol",
            "mfa_verify",
            "set_language",
            "admin:login",
            "admin:logout",
        }
    )

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if match is not None and match.view_name in self.OPEN_VIEW_NAMES:
            return None
        static_prefix = "/" + settings.STATIC_URL.lstrip("/")
        if request.path.startswith(static_prefix):
            return None
        api = request.path.startswith("/api/")
        if api and _has_bearer_token(request):
            return None
        step = policies.second_factor_step(getattr(request, "user", None))
        if step is None:
            return None
        if api:
            return JsonResponse(
                {
                    "code": "second_factor_required",
                    "message": _("Complete two-step sign-in in the browser first."),
                    "fields": {},
                },
                status=403,
            )
        target = reverse("mfa_enrol" if step == policies.SECOND_FACTOR_ENROL else "mfa_verify")
        if request.method in ("GET", "HEAD"):
            target = f"{target}?{urlencode({'next': request.get_full_path()})}"
        return redirect(target)


def _has_bearer_token(request) -> bool:
    scheme = request.META.get("HTTP_AUTHORIZATION", "").split(" ", 1)[0]
    return scheme.lower() == "bearer"
