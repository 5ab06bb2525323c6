"""The guided "New service request" flow: describe -> suggestions -> classify -> details -> impact
-> contact -> review. The draft lives in the session (attachments in storage under drafts/) until
the review step files it through `lifecycle.case_open`. Every step is a plain form: no JavaScript
needed; htmx only refreshes the problem types when the category changes."""

import uuid
from dataclasses import asdict

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files import File
from django.core.files.storage import default_storage
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts import selectors as account_selectors
from helpdesk.errors import InvalidInput, NotAllowed

from .. import policies, selectors, targets
from ..forms import ClassifyForm, ContactForm, DescribeForm, DetailsForm, ImpactForm
from ..models import Category, ProblemType, Product
from ..services import lifecycle
from ..services.lifecycle import Contact, Impact

STEPS = ["describe", "suggestions", "classify", "details", "impact", "contact", "review"]
STEP_LABELS = {
    "describe": gettext_lazy("Describe"),
    "suggestions": gettext_lazy("Help articles"),
    "classify": gettext_lazy("Category"),
    "details": gettext_lazy("Details"),
    "impact": gettext_lazy("Impact"),
    "contact": gettext_lazy("Contact"),
    "review": gettext_lazy("Review"),
}
# What each step needs from the draft before it can be shown.
REQUIRES = {
    "suggestions": "summary",
    "classify": "summary",
    "details": "category",
    "impact": "title",
    "contact": "impact",
    "review": "contact",
}


def _key(tenant) -> str:
    return f"new_request:{tenant.pk}"


def _draft(request, tenant) -> dict:
    return request.session.get(_key(tenant), {})


def _save(request, tenant, draft: dict) -> None:
    request.session[_key(tenant)] = draft


def _discard_files(draft: dict) -> None:
    for item in draft.get("files", []):
        default_storage.delete(item["path"])


def _go(tenant, step: str):
    return redirect("request_new_step", domain=tenant.primary_domain, step=step)


def _tenant_to_file_for(request, domain):
    """The tenant, if the user may file for it: support staff see every tenant but file only
    through phone intake, so the wizard is refused to them from its first page."""
    tenant = account_selectors.tenant_for_requests(request.user, domain)
    if not policies.can_open_case(request.user, tenant):
        raise NotAllowed(_("Support staff file requests through phone intake."))
    return tenant


@login_required
def start(request, domain):
    """Begin a new draft; first show the partner of record's contact when a partner sold the
    subscription (the customer may still file with support)."""
    tenant = _tenant_to_file_for(request, domain)
    _discard_files(_draft(request, tenant))
    draft = {}
    related = request.GET.get("related")
    if related:
        case = selectors.case_get_for(request.user, related)
        if case.tenant_id == tenant.pk:
            draft["related"] = case.number
    _save(request, tenant, draft)
    partner = account_selectors.partner_of_record(tenant)
    acting = account_selectors.acting_partner(request.user, tenant)
    if partner and partner != acting and not request.GET.get("anyway"):
        query = f"?anyway=1&related={draft['related']}" if draft.get("related") else "?anyway=1"
        return render(
            request,
            "cases/new/partner_first.html",
            {"tenant": tenant, "partner": partner, "anyway_query": query},
        )
    return _go(tenant, "describe")


def _objects(draft: dict) -> dict:
    category = Category.objects.filter(pk=draft.get("category")).first()
    return {
        "category": category,
        "product": Product.objects.filter(pk=draft.get("product")).first(),
        "problem_type": ProblemType.objects.filter(pk=draft.get("problem_type")).first(),
    }


def _contact_initial(user) -> dict:
    return {
        "name": user.display_name,
        "email": user.email,
        "phone": user.phone,
        "method": "email",
        "language": user.preferred_language,
        "time_zone": user.time_zone,
    }


@login_required
def step(request, domain, step):
    tenant = _tenant_to_file_for(request, domain)
    if step not in STEPS:
        raise Http404
    draft = _draft(request, tenant)
    needed = REQUIRES.get(step)
    if needed and needed not in draft:
        return redirect("request_new", domain=tenant.primary_domain)
    return STEP_HANDLERS[step](request, tenant, draft)


def _render(request, tenant, step, context, status=200):
    context = {
        "tenant": tenant,
        "step": step,
        "steps": [(name, STEP_LABELS[name]) for name in STEPS],
        **context,
    }
    if request.headers.get("HX-Request") and "partial" in context:
        return render(request, context["partial"], context)
    return render(request, f"cases/new/{step}.html", context, status=status)


def _step_describe(request, tenant, draft):
    form = DescribeForm(request.POST or None, initial={"summary": draft.get("summary", "")})
    if request.method == "POST" and form.is_valid():
        draft["summary"] = form.cleaned_data["summary"]
        _save(request, tenant, draft)
        return _go(tenant, "suggestions")
    return _render(request, tenant, "describe", {"form": form})


def _step_suggestions(request, tenant, draft):
    if request.method == "POST":
        return _go(tenant, "classify")
    return _render(
        request,
        tenant,
        "suggestions",
        {
            "summary": draft["summary"],
            "articles": selectors.help_articles_matching(
                draft["summary"], language=request.LANGUAGE_CODE
            ),
            "out_of_scope": selectors.out_of_scope_matching(draft["summary"]),
        },
    )


def _step_classify(request, tenant, draft):
    initial = {key: draft.get(key) for key in ("category", "product", "problem_type")}
    form = ClassifyForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            lifecycle.check_classification(data["category"], data["problem_type"])
        except InvalidInput as error:
            form.add_error("problem_type", error.message)
        else:
            draft.update(
                category=data["category"].pk,
                product=data["product"].pk if data["product"] else None,
                problem_type=data["problem_type"].pk if data["problem_type"] else None,
            )
            _save(request, tenant, draft)
            return _go(tenant, "details")
    category = request.GET.get("category") or (form["category"].value())
    problem_types = ProblemType.objects.filter(is_active=True).select_related("category")
    if request.headers.get("HX-Request") and category:
        problem_types = problem_types.filter(category_id=category)
    return _render(
        request,
        tenant,
        "classify",
        {
            "form": form,
            "problem_types": problem_types,
            "partial": "cases/new/_problem_types.html",
        },
        status=400 if form.is_bound and not form.is_valid() else 200,
    )


def _step_details(request, tenant, draft):
    initial = {
        "title": draft.get("title", draft["summary"]),
        "description": draft.get("description", ""),
    }
    form = DetailsForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        from ..services.attachments import check_attachments

        files = form.cleaned_data["attachments"]
        try:
            check_attachments(files + [_StoredFile(item) for item in draft.get("files", [])])
        except InvalidInput as error:
            form.add_error("attachments", error.message)
        else:
            stored = draft.get("files", [])
            for upload in files:
                path = default_storage.save(f"drafts/{uuid.uuid4().hex}", upload)
                stored.append({"path": path, "name": upload.name, "size": upload.size})
            draft.update(
                title=form.cleaned_data["title"],
                description=form.cleaned_data["description"],
                files=stored,
            )
            _save(request, tenant, draft)
            return _go(tenant, "impact")
    return _render(request, tenant, "details", {"form": form, "files": draft.get("files", [])})


def _may_choose(tenant) -> bool:
    return account_selectors.tenant_support_tier(tenant) == "elevated"


def _step_impact(request, tenant, draft):
    saved = draft.get("impact", {})
    initial = {
        "service": saved.get("service"),
        "users": saved.get("users"),
        "workaround": {True: "yes", False: "no"}.get(saved.get("workaround")),
        "severity": draft.get("chosen_severity", ""),
    }
    form = ImpactForm(
        request.POST or None, initial=initial, may_choose_severity=_may_choose(tenant)
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        draft["impact"] = {
            "service": data["service"],
            "users": data["users"],
            "workaround": data["workaround"],
        }
        draft["chosen_severity"] = data.get("severity") or None
        _save(request, tenant, draft)
        return _go(tenant, "contact")
    return _render(request, tenant, "impact", {"form": form})


# Service field names -> contact form field names, to show an error beside its field.
_CONTACT_FIELDS = {
    "contact_name": "name",
    "contact_email": "email",
    "contact_phone": "phone",
    "contact_alternate_email": "alternate_email",
    "contact_method": "method",
    "support_language": "language",
    "contact_time_zone": "time_zone",
}


def _step_contact(request, tenant, draft):
    initial = draft.get("contact") or _contact_initial(request.user)
    form = ContactForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        contact = Contact(**form.cleaned_data)
        try:
            lifecycle.check_contact(contact)
        except InvalidInput as error:
            field = _CONTACT_FIELDS.get(next(iter(error.fields), ""))
            form.add_error(field, error.message)
        else:
            draft["contact"] = asdict(contact)
            _save(request, tenant, draft)
            return _go(tenant, "review")
    return _render(request, tenant, "contact", {"form": form})


class _StoredFile(File):
    """A draft attachment read back from storage, named as the customer named it."""

    def __init__(self, item: dict):
        self.item = item
        super().__init__(None, name=item["name"])

    @property
    def size(self):
        return self.item["size"]

    def open(self, mode="rb"):
        self.file = default_storage.open(self.item["path"], mode)
        return self

    def chunks(self, chunk_size=None):
        self.open()
        yield from super().chunks(chunk_size)

    def read(self, *args):
        if self.file is None:
            self.open()
        return self.file.read(*args)


def _review_context(request, tenant, draft) -> dict:
    objects = _objects(draft)
    contact = Contact(**draft["contact"])
    impact = Impact(**draft["impact"])
    now = timezone.now()
    preview = lifecycle.request_preview(
        tenant=tenant,
        category=objects["category"],
        problem_type=objects["problem_type"],
        impact=impact,
        contact=contact,
        chosen_severity=draft.get("chosen_severity"),
        at=now,
    )
    return {
        "draft": draft,
        **objects,
        "contact": contact,
        "preview": preview,
        "hours": targets.describe_business_hours(
            country=tenant.country, time_zone=tenant.time_zone, at=now
        ),
        "open_now": targets.support_open_now(
            availability=preview.target.availability,
            country=tenant.country,
            time_zone=tenant.time_zone,
            at=now,
        ),
    }


def _step_review(request, tenant, draft):
    try:
        context = _review_context(request, tenant, draft)
    except InvalidInput as error:
        messages.error(request, error.message)
        return _go(tenant, "classify")
    if request.method != "POST":
        return _render(request, tenant, "review", context)
    related = (
        selectors.case_get_for(request.user, draft["related"]) if draft.get("related") else None
    )
    try:
        case = lifecycle.case_open(
            actor=request.user,
            tenant=tenant,
            category=context["category"],
            product=context["product"],
            problem_type=context["problem_type"],
            title=draft["title"],
            description=draft["description"],
            contact=context["contact"],
            impact=Impact(**draft["impact"]),
            chosen_severity=draft.get("chosen_severity"),
            related_case=related,
            attachments=[_StoredFile(item) for item in draft.get("files", [])],
        )
    except InvalidInput as error:
        context["error"] = error.message
        return _render(request, tenant, "review", context, status=400)
    _discard_files(draft)
    request.session.pop(_key(tenant), None)
    messages.success(
        request,
        _("Request %(number)s is filed. Committed initial response: %(label)s.")
        % {"number": case.number, "label": case.response_label},
    )
    return redirect("request_detail", number=case.number)


STEP_HANDLERS = {
    "describe": _step_describe,
    "suggestions": _step_suggestions,
    "classify": _step_classify,
    "details": _step_details,
    "impact": _step_impact,
    "contact": _step_contact,
    "review": _step_review,
}
