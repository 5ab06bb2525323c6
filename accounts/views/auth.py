from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from accounts import selectors
from accounts.forms import SignInForm
from cases.views.requests import dashboard_context


class SignInView(auth_views.LoginView):
    template_name = "accounts/sign_in.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True


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
