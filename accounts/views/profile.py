"""The signed-in user's profile: who they are, two-step sign-in, and their personal API tokens."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from accounts import mfa, policies, tokens
from accounts.forms import ApiTokenForm, add_domain_error
from helpdesk.errors import Conflict, InvalidInput, NotAllowed


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def profile(request):
    """Anyone signed in: their name, email, language and time zone, and their API tokens.

    POST creates a token. The answer to that POST is the only place the plain token ever
    appears: it is rendered from the response, not stored (not even in the session), and the
    page is not cached. Bad input re-renders the form with its errors and creates nothing.

    A token signs in without a second factor, so it is created only from a session that has
    passed every sign-in step its user needs (`policies.can_create_api_token`); otherwise a
    stolen password of a staff or partner user would be enough to get one. The middleware
    already keeps such sessions off this page; the check here holds without it.
    """
    new_token = None
    if request.method == "POST" and not policies.can_create_api_token(request.user):
        raise NotAllowed(
            _("Complete two-step sign-in before creating a token."),
            code="second_factor_required",
        )
    form = ApiTokenForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            token, new_token = tokens.api_token_create(
                actor=request.user, name=form.cleaned_data["name"]
            )
        except InvalidInput as error:
            add_domain_error(form, error)
        else:
            messages.success(
                request,
                _("Created the token %(name)s. Copy it now: it will not be shown again.")
                % {"name": token.name},
            )
            form = ApiTokenForm()
    context = {
        "form": form,
        "new_token": new_token,
        "tokens": tokens.tokens_for(request.user),
        "authenticator": mfa.authenticator_for(request.user),
    }
    if context["authenticator"] is not None:
        context["recovery_codes_left"] = mfa.recovery_codes_left(request.user)
        context["second_factor_required"] = policies.requires_second_factor(request.user)
    return render(request, "accounts/profile.html", context)


@login_required
@require_POST
def profile_token_revoke(request, pk):
    """Revoke one of the user's own tokens. Someone else's token, or none, is a 404."""
    try:
        token = tokens.api_token_revoke(actor=request.user, token_id=pk)
    except Conflict as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, _("Revoked the token %(name)s; it no longer works.") % {"name": token.name}
        )
    return redirect("profile")
