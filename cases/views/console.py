"""The engineer console: the queue and the case workspace. Thin: selectors read, services write."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from helpdesk.errors import DomainError, InvalidInput, NotAllowed
from helpdesk.redirects import local_next

from .. import policies, queue_filter_fields, queue_rows, selectors
from ..forms_console import (
    AssignForm,
    BulkAssignForm,
    CallForm,
    CloseForm,
    ConsoleReplyForm,
    SeverityForm,
    bulk_assignee_select,
)
from ..models import Case
from ..queue_choices import filter_choices
from ..selectors_queue import VIEWS, QueueFilters, local_now, queue_for
from ..services import lifecycle


def _require_console(user) -> None:
    if not policies.can_use_console(user):
        raise NotAllowed(_("The engineer console is for support staff."))


@login_required
def queue(request):
    _require_console(request.user)
    data, filter_fields = queue_filter_fields.read(request.GET)
    filters = QueueFilters(**{key: value for key, value in data.items() if value})
    if filters.view not in VIEWS:
        filters = QueueFilters(**{**filters.__dict__, "view": "all"})
    page = queue_for(
        request.user, filters, cursor=request.GET.get("after"), columns=queue_rows.COLUMNS
    )
    bulk_form = BulkAssignForm() if policies.can_bulk_assign(request.user) else None
    assignee_select = bulk_assignee_select(filter_choices()) if bulk_form else None
    query = request.GET.copy()
    query.pop("after", None)
    filters_only = query.copy()
    filters_only.pop("view", None)
    context = {
        "filter_query": filters_only.urlencode(),
        "filter_fields": filter_fields,
        "filters": filters,
        "views": VIEWS,
        "page": page,
        "query": query.urlencode(),
        "bulk_form": bulk_form,
        "assignee_select": assignee_select,
        "rows_html": queue_rows.queue_rows_html(
            page.rows, now=timezone.now(), selectable=bool(bulk_form)
        ),
    }
    template = "cases/console/_queue_table.html" if request.headers.get("HX-Request") else None
    return render(request, template or "cases/console/queue.html", context)


def _next_url(request, default):
    return local_next(request, request.POST.get("next")) or default


@login_required
@require_POST
def bulk_assign(request):
    """Managers assign several cases at once; each goes through the assignment service."""
    if not policies.can_bulk_assign(request.user):
        raise NotAllowed(_("Only managers assign in bulk."))
    form = BulkAssignForm(request.POST)
    # Case numbers are short and printable; anything else (a NUL) names no case.
    numbers = [n for n in request.POST.getlist("numbers")[:200] if n.isprintable() and len(n) <= 20]
    if not form.is_valid() or not numbers:
        messages.error(request, _("Choose cases and an engineer."))
        return redirect(_next_url(request, "console_queue"))
    assigned = 0
    for case in Case.objects.filter(number__in=numbers).select_related("tenant", "assigned_to"):
        lifecycle.case_assign(actor=request.user, case=case, assignee=form.cleaned_data["assignee"])
        assigned += 1
    messages.success(
        request,
        ngettext("%(count)d request assigned.", "%(count)d requests assigned.", assigned)
        % {"count": assigned},
    )
    return redirect(_next_url(request, "console_queue"))


def _workspace_context(request, case, **forms) -> dict:
    now = timezone.now()
    related = list(
        Case.objects.filter(pk=case.related_case_id).only("number", "title", "status")
    ) + list(case.follow_ups.only("number", "title", "status"))
    return {
        "case": case,
        "tenant": None,  # the console is not "acting for" a tenant; keeps the partner nav out
        "customer": case.tenant,
        "tier": case.support_tier,
        # Formatted here: the template's date filter would turn them back into the viewer's zone.
        "customer_now": local_now(case.tenant.time_zone, now).strftime("%a %H:%M %Z"),
        "contact_now": local_now(case.contact_time_zone, now).strftime("%H:%M %Z"),
        "history": selectors.case_history_for(request.user, case),
        "severity_history": case.events.filter(kind="severity").select_related("actor"),
        "related": related,
        "now": now,
        "reply_form": forms.get("reply_form") or ConsoleReplyForm(),
        "call_form": forms.get("call_form") or CallForm(),
        "severity_form": forms.get("severity_form")
        or SeverityForm(initial={"severity": case.severity}),
        "assign_form": forms.get("assign_form")
        or AssignForm(initial={"assignee": case.assigned_to_id}),
        "close_form": forms.get("close_form") or CloseForm(),
    }


@login_required
def workspace(request, number):
    _require_console(request.user)
    case = selectors.case_get_for(request.user, number)
    return render(request, "cases/console/workspace.html", _workspace_context(request, case))


ACTIONS = {
    "reply": (ConsoleReplyForm, "reply_form"),
    "note": (ConsoleReplyForm, "reply_form"),
    "call": (CallForm, "call_form"),
    "severity": (SeverityForm, "severity_form"),
    "assign": (AssignForm, "assign_form"),
    "close": (CloseForm, "close_form"),
    "claim": (None, None),
    "waiting": (None, None),
}


def _perform(action: str, actor, case, data: dict) -> str:
    if action in {"reply", "note"}:
        lifecycle.case_reply(
            actor=actor,
            case=case,
            body=data["body"],
            internal=action == "note",
            attachments=data["attachments"],
        )
        return _("Internal note added.") if action == "note" else _("Reply sent to the customer.")
    if action == "call":
        lifecycle.case_log_call(actor=actor, case=case, summary=data["summary"])
        return _("Call logged.")
    if action == "severity":
        lifecycle.case_change_severity(
            actor=actor, case=case, severity=data["severity"], reason=data["reason"]
        )
        return _("Severity changed; the target was recomputed.")
    if action == "assign":
        lifecycle.case_assign(actor=actor, case=case, assignee=data["assignee"])
        return _("Assignment changed.")
    if action == "close":
        lifecycle.case_close(actor=actor, case=case, summary=data["summary"])
        return _("Case closed.")
    if action == "claim":
        lifecycle.case_claim(actor=actor, case=case)
        return _("You claimed %(number)s.") % {"number": case.number}
    lifecycle.case_set_waiting(actor=actor, case=case)
    return _("Waiting on the customer.")


@login_required
@require_POST
def case_action(request, number, action):
    _require_console(request.user)
    if action not in ACTIONS:
        raise Http404
    case = selectors.case_get_for(request.user, number)
    form_class, form_name = ACTIONS[action]
    form = form_class(request.POST, request.FILES) if form_class else None
    back = _next_url(request, f"/console/cases/{case.number}/")
    if form is not None and not form.is_valid():
        context = _workspace_context(request, case, **{form_name: form})
        return render(request, "cases/console/workspace.html", context, status=400)
    try:
        message = _perform(action, request.user, case, form.cleaned_data if form else {})
    except InvalidInput as error:
        if form is None:
            messages.error(request, error.message)
            return redirect(back)
        form.add_error(None, error.message)
        context = _workspace_context(request, case, **{form_name: form})
        return render(request, "cases/console/workspace.html", context, status=400)
    except DomainError as error:
        if error.http_status == 403:
            raise
        messages.error(request, error.message)
        return redirect(back)
    messages.success(request, message)
    return redirect(back)
