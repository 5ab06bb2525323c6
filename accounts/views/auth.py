from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse

from accounts import policies, selectors
from accounts.forms import SignInForm
from cases.views.requests import dashboard_context


class SignInView(auth_views.LoginView):
    """Email and password, then (for users with an authenticator, or who must have one) the
    second step before the page asked for. Django's login gives the session a new key; failed
    attempts are counted by django-axes (see `locked_out`)."""

    template_name = "accounts/sign_in.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True

    def get_success_url(self):
        url = super().get_success_url()
        step = policies.second_factor_step(self.request.user)
        if step is None:
            return url
        name = "mfa_enrol" if step == policies.SECOND_FACTOR_ENROL else "mfa_verify"
        return f"{reverse(name)}?{urlencode({'next': url})}"


class SignOutView(auth_views.LogoutView):
    pass


@login_required
def home(request):
    """Landing page per actor: who you are and where you work."""
    user = request.user
    workspace = selectors.workspace_for(user)
    context = {"workspace": workspace}
    if workspace.kind == "partner":
        context["customers"] = selectors.delegated_customers(user)
    elif workspace.kind == "tenant":
        context["tier"] = selectors.tenant_support_tier(workspace.tenant)
        if workspace.can_manage_requests:
            context.update(dashboard_context(user, workspace.tenant))
    return render(request, f"accounts/home_{workspace.kind}.html", context)


def locked_out(request, original_response=None, credentials=None):
    """django-axes' answer once an email has failed too often from one address: a page in the
    site's look, status 429, saying how long to wait; the same whether or not the email exists."""
    minutes = max(1, int(settings.AXES_COOLOFF_TIME.total_seconds() // 60))
    return render(request, "accounts/locked_out.html", {"minutes": minutes}, status=429)
