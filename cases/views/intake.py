"""Phone intake pages: find the caller's organisation and admin and send a code (start), enter
the code the caller reads back (verify), then file the request on the admin's behalf (file).

Support staff only; another engineer's verification is a 404. The rules live in
`cases.services.intake`; these views parse input and show its errors beside the fields.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.validators import RegexValidator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts import selectors as account_selectors
from accounts.models import SupportTier
from helpdesk.errors import Conflict, InvalidInput, NotAllowed

from .. import policies, selectors_intake
from ..forms import ClassifyForm, ContactForm, DetailsForm, ImpactForm
from ..models import IntakeVerification
from ..services import intake
from ..services.lifecycle import Contact, Impact

Status = IntakeVerification.Status


class AdminChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.display_name} · {obj.email}"


class StartForm(forms.Form):
    admin = AdminChoiceField(
        label=gettext_lazy("Who is calling?"),
        queryset=None,
        empty_label=None,
        widget=forms.RadioSelect,
        help_text=gettext_lazy("The code goes to this admin's registered email address."),
    )

    def __init__(self, *args, tenant, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["admin"].queryset = selectors_intake.tenant_admins(tenant)


class CodeField(forms.CharField):
    """Six digits; callers read codes in groups ("123 456"), so spaces are dropped first."""

    def to_python(self, value):
        return "".join(str(super().to_python(value)).split())


class CodeForm(forms.Form):
    code = CodeField(
        label=gettext_lazy("Code the caller reads back"),
        max_length=12,
        validators=[
            RegexValidator(r"^\d{6}$", gettext_lazy("The code has six digits."), code="format")
        ],
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "inputmode": "numeric", "autofocus": True, "size": 8}
        ),
    )


def _require_console(user) -> None:
    if not policies.can_use_console(user):
        raise NotAllowed(_("Phone intake is for support engineers and managers."))


@login_required
def start(request):
    """GET: search organisations (?q=), pick one (?tenant=), then its admin. POST: send the code."""
    _require_console(request.user)
    query = request.GET.get("q", "").strip()
    tenant_id = (
        request.POST.get("tenant") if request.method == "POST" else request.GET.get("tenant")
    )
    tenant = selectors_intake.tenant_get(tenant_id) if tenant_id else None
    form = StartForm(request.POST or None, tenant=tenant) if tenant else None
    status = 200
    if request.method == "POST" and tenant is not None:
        if form.is_valid():
            try:
                verification = intake.intake_start(
                    actor=request.user, tenant=tenant, admin=form.cleaned_data["admin"]
                )
            except InvalidInput as error:
                form.add_error("admin" if "admin" in error.fields else None, error.message)
            except Conflict as error:
                form.add_error(None, error.message)
            else:
                messages.success(
                    request,
                    _("A code was sent to %(email)s. Ask the caller to read it back.")
                    % {"email": verification.sent_to},
                )
                return redirect("intake_verify", pk=verification.pk)
        status = 400
    return render(
        request,
        "cases/console/intake_start.html",
        {
            "intake_step": "start",
            "query": query,
            "tenants": selectors_intake.tenants_matching(query) if query else None,
            "tenant": tenant,
            "form": form,
        },
        status=status,
    )


@login_required
def verify(request, pk):
    """Enter the code; a wrong one is a form error with the tries left, an expired or locked
    check says so and offers to start again."""
    _require_console(request.user)
    verification = selectors_intake.verification_get_for(request.user, pk)
    state = intake.intake_state(verification)
    if state == Status.VERIFIED:
        return redirect("intake_file", pk=verification.pk)
    form = CodeForm(request.POST or None)
    status = 200
    problem = None
    if request.method == "POST" and state == Status.PENDING:
        if form.is_valid():
            try:
                intake.intake_verify(
                    actor=request.user, verification=verification, code=form.cleaned_data["code"]
                )
            except intake.WrongCode as error:
                form.add_error("code", error.message)
            except Conflict as error:
                problem = error.message
                state = intake.intake_state(verification)
                status = 409
            else:
                messages.success(
                    request,
                    _("%(name)s is verified. File the request now.")
                    % {"name": verification.admin.display_name},
                )
                return redirect("intake_file", pk=verification.pk)
        if form.errors:
            status = 400
    elif request.method == "POST":
        status = 409
    return render(
        request,
        "cases/console/intake_verify.html",
        {
            "intake_step": "verify",
            "verification": verification,
            "state": state,
            "form": form,
            "problem": problem,
            "restart_url": _restart_url(verification),
        },
        status=status,
    )


def _restart_url(verification: IntakeVerification) -> str:
    return f"{reverse('intake_start')}?tenant={verification.tenant_id}"


def _contact_initial(admin) -> dict:
    return {
        "name": admin.display_name,
        "email": admin.email,
        "phone": admin.phone,
        "method": "email",
        "language": admin.preferred_language,
        "time_zone": admin.time_zone,
    }


# Where a field error from the service belongs: (form key, field name).
_ERROR_FIELDS = {
    "category": ("classify", "category"),
    "product": ("classify", "product"),
    "problem_type": ("classify", "problem_type"),
    "title": ("details", "title"),
    "description": ("details", "description"),
    "attachments": ("details", "attachments"),
    "impact_service": ("impact", "service"),
    "impact_users": ("impact", "users"),
    "severity": ("impact", "severity"),
    "related_case": ("details", None),
    "contact_name": ("contact", "name"),
    "contact_email": ("contact", "email"),
    "contact_phone": ("contact", "phone"),
    "contact_alternate_email": ("contact", "alternate_email"),
    "contact_method": ("contact", "method"),
    "support_language": ("contact", "language"),
    "contact_time_zone": ("contact", "time_zone"),
}


def _show_error(forms_by_key: dict, error: InvalidInput) -> None:
    key, field = _ERROR_FIELDS.get(next(iter(error.fields), ""), ("classify", None))
    form = forms_by_key[key]
    form.add_error(field if field in form.fields else None, error.message)


@login_required
def file_request(request, pk):
    """The new-request form on the verified admin's behalf, in one page."""
    _require_console(request.user)
    verification = selectors_intake.verification_get_for(request.user, pk)
    if verification.status == Status.USED:
        messages.info(request, _("A request was already filed for this call."))
        return redirect("console_case", number=verification.used_by_case.number)
    if intake.intake_state(verification) != Status.VERIFIED:
        return redirect("intake_verify", pk=verification.pk)
    tenant, admin = verification.tenant, verification.admin
    data = request.POST if request.method == "POST" else None
    files = request.FILES if request.method == "POST" else None
    may_choose = account_selectors.tenant_support_tier(tenant) == SupportTier.ELEVATED
    forms_by_key = {
        "classify": ClassifyForm(data, prefix="classify"),
        "details": DetailsForm(data, files, prefix="details"),
        "impact": ImpactForm(data, prefix="impact", may_choose_severity=may_choose),
        "contact": ContactForm(data, prefix="contact", initial=_contact_initial(admin)),
    }
    status = 200
    if data is not None:
        if all(form.is_valid() for form in forms_by_key.values()):
            classify, details = forms_by_key["classify"], forms_by_key["details"]
            impact = forms_by_key["impact"].cleaned_data
            try:
                case = intake.intake_file(
                    actor=request.user,
                    verification=verification,
                    category=classify.cleaned_data["category"],
                    product=classify.cleaned_data["product"],
                    problem_type=classify.cleaned_data["problem_type"],
                    title=details.cleaned_data["title"],
                    description=details.cleaned_data["description"],
                    attachments=details.cleaned_data["attachments"],
                    impact=Impact(
                        service=impact["service"],
                        users=impact["users"],
                        workaround=impact["workaround"],
                    ),
                    chosen_severity=impact.get("severity") or None,
                    contact=Contact(**forms_by_key["contact"].cleaned_data),
                )
            except InvalidInput as error:
                _show_error(forms_by_key, error)
            except Conflict as error:
                messages.error(request, error.message)
                return redirect("intake_verify", pk=verification.pk)
            else:
                messages.success(
                    request,
                    _("Request %(number)s is filed on behalf of %(name)s.")
                    % {"number": case.number, "name": admin.display_name},
                )
                return redirect("console_case", number=case.number)
        status = 400
    classify = forms_by_key["classify"]
    return render(
        request,
        "cases/console/intake_file.html",
        {
            "intake_step": "file",
            "verification": verification,
            "tenant": tenant,
            "admin": admin,
            **forms_by_key,
            "forms": list(forms_by_key.values()),
            "problem_types": classify.fields["problem_type"].queryset,
            "file_until": verification.verified_at + intake.FILING_WINDOW,
        },
        status=status,
    )
