"""Two-step sign-in pages: set up an authenticator app, verify a session, recovery codes.

The rules (who must, which code counts, throttling) are in `accounts.policies` and
`accounts.mfa`; these views parse the form, call one of them and render. Recovery codes appear
only in the response that made them, never stored in the session, and those pages are not cached.
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice

from accounts import mfa, policies
from accounts.forms import SecondFactorCodeForm, add_domain_error
from helpdesk.errors import InvalidInput
from helpdesk.redirects import local_next

# The secret being set up lives in the session between showing it and confirming it.
SETUP_SECRET_SESSION_KEY = "mfa_setup_secret"  # noqa: S105 - a key name, not a secret


def _next_url(request) -> str:
    """Where to go after the step: the `next` parameter if it is a path on this site, else home."""
    candidate = request.POST.get("next") or request.GET.get("next")
    return local_next(request, candidate) or reverse("home")


def _with_next(url_name: str, next_url: str) -> str:
    return f"{reverse(url_name)}?{urlencode({'next': next_url})}"


def _mark_verified(request, device) -> None:
    """Record in the session that it passed the second step, under a new session key (the
    session gained rights, so an earlier copy of its cookie must not share them)."""
    otp_login(request, device)
    request.session.cycle_key()


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def enrol(request):
    """Set up an authenticator app: show the secret (QR code and text), confirm with a code.

    A user who already has an app must verify this session with it before replacing it, so a
    password alone can never add a second authenticator. On success the session is verified and
    the ten recovery codes are shown, once.
    """
    user = request.user
    next_url = _next_url(request)
    if mfa.authenticator_for(user) is not None and not policies.session_is_verified(user):
        return redirect(_with_next("mfa_verify", next_url))
    secret = request.session.get(SETUP_SECRET_SESSION_KEY)
    if not secret:
        secret = request.session[SETUP_SECRET_SESSION_KEY] = mfa.new_secret()
    form = SecondFactorCodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            device, codes = mfa.authenticator_enrol(
                actor=user, secret_hex=secret, code=form.cleaned_data["code"]
            )
        except InvalidInput as error:
            add_domain_error(form, error)
        else:
            del request.session[SETUP_SECRET_SESSION_KEY]
            _mark_verified(request, device)
            return render(
                request,
                "accounts/mfa_recovery_codes.html",
                {"codes": codes, "next_url": next_url, "just_enrolled": True},
            )
    return render(
        request,
        "accounts/mfa_enrol.html",
        {
            "form": form,
            "next_url": next_url,
            "secret": mfa.secret_base32(secret),
            "qr_code": mfa.qr_code_svg(mfa.setup_uri(user, secret)),
            "required": policies.requires_second_factor(user),
        },
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def verify(request):
    """The second step after the password: a code from the app, or a recovery code."""
    user = request.user
    next_url = _next_url(request)
    if policies.session_is_verified(user):
        return redirect(next_url)
    if mfa.authenticator_for(user) is None:
        if policies.requires_second_factor(user):
            return redirect(_with_next("mfa_enrol", next_url))
        return redirect(next_url)
    form = SecondFactorCodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            device = mfa.second_factor_check(actor=user, code=form.cleaned_data["code"])
        except InvalidInput as error:
            add_domain_error(form, error)
        else:
            _mark_verified(request, device)
            if isinstance(device, StaticDevice):
                messages.warning(
                    request,
                    _(
                        "You used a recovery code; %(count)d left. Make new ones on your "
                        "profile page if you are running low."
                    )
                    % {"count": mfa.recovery_codes_left(user)},
                )
            return redirect(next_url)
    return render(request, "accounts/mfa_verify.html", {"form": form, "next_url": next_url})


@never_cache
@login_required
@require_POST
def recovery_codes(request):
    """Make ten new recovery codes (the old ones stop working) and show them once."""
    codes = mfa.recovery_codes_regenerate(actor=request.user)
    return render(
        request,
        "accounts/mfa_recovery_codes.html",
        {"codes": codes, "next_url": reverse("profile"), "just_enrolled": False},
    )


@login_required
@require_POST
def turn_off(request):
    """Remove the authenticator and recovery codes; only for users not required to have them."""
    mfa.second_factor_turn_off(actor=request.user)
    messages.success(request, _("Two-step sign-in is off for your account."))
    return redirect("profile")
