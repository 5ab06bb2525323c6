"""The customer's request pages: dashboard, list, request page and its actions.

Thin: resolve the tenant or case through the selectors (which apply the policies), call one
service, render. Domain errors from services become form errors or messages here; NotFound and
NotAllowed are turned into the 404 and 403 pages by the middleware.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import selectors as account_selectors
from helpdesk.errors import DomainError, InvalidInput

from .. import policies, request_rows, selectors
from ..downloads import attachment_response
from ..forms import ReplyForm, RequestFilterForm, SurveyForm
from ..models import CaseStatus
from ..services import lifecycle

PAGE_SIZE = 25


def dashboard_context(user, tenant) -> dict:
    now = timezone.now()
    open_cases = list(selectors.tenant_requests(user, tenant, tab="open", now=now)[:10])
    return {
        "tenant": tenant,
        "tier": account_selectors.tenant_support_tier(tenant, at=now),
        "open_cases": open_cases,
        "open_rows_html": request_rows.request_rows_html(
            open_cases, now=now, tab="open", last_activity=False
        ),
        "can_view_audit": policies.can_view_audit(user, tenant),
    }


@login_required
def tenant_dashboard(request, domain):
    tenant = account_selectors.tenant_for_requests(request.user, domain)
    return render(request, "cases/dashboard.html", dashboard_context(request.user, tenant))


@login_required
def request_list(request, domain):
    tenant = account_selectors.tenant_for_requests(request.user, domain)
    form = RequestFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    tab = filters.get("tab") or "open"
    cases = selectors.tenant_requests(
        request.user,
        tenant,
        tab=tab,
        query=filters.get("q", ""),
        status=filters.get("status", ""),
        severity=filters.get("severity", ""),
    )
    page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "cases/request_list.html",
        {
            "tenant": tenant,
            "form": form,
            "tab": tab,
            "page": page,
            "query": query.urlencode(),
            "rows_html": request_rows.request_rows_html(
                page.object_list, now=timezone.now(), tab=tab
            ),
        },
    )


def _detail_context(request, case, **extra) -> dict:
    now = timezone.now()
    closed = case.status == CaseStatus.CLOSED
    window_open = closed and case.reopen_window_closed_at is None and case.reopen_until > now
    surveyed = case.surveys.filter(closure=case.reopen_count).exists()
    return {
        "case": case,
        "tenant": case.tenant,
        "history": selectors.case_history_for(request.user, case),
        "now": now,
        "is_open": case.is_open,
        "window_open": window_open,
        "window_closed": closed and not window_open,
        "show_survey": closed and not surveyed and policies.can_submit_survey(request.user, case),
        "surveyed": surveyed,
        "reply_form": ReplyForm(),
        "survey_form": SurveyForm(),
        **extra,
    }


@login_required
def request_detail(request, number):
    case = selectors.case_get_for(request.user, number)
    return render(request, "cases/request_detail.html", _detail_context(request, case))


def _back(case):
    return redirect("request_detail", number=case.number)


@login_required
@require_POST
def request_reply(request, number):
    case = selectors.case_get_for(request.user, number)
    form = ReplyForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            lifecycle.case_reply(
                actor=request.user,
                case=case,
                body=form.cleaned_data["body"],
                attachments=form.cleaned_data["attachments"],
            )
        except InvalidInput as error:
            form.add_error(None, error.message)
        except DomainError as error:
            messages.error(request, error.message)
            return _back(case)
        else:
            messages.success(request, _("Your reply was added."))
            return _back(case)
    context = _detail_context(request, case, reply_form=form)
    return render(request, "cases/request_detail.html", context, status=400)


def _act(request, number, action, success: str):
    case = selectors.case_get_for(request.user, number)
    try:
        action(case)
    except DomainError as error:
        if error.http_status == 403:
            raise
        messages.error(request, error.message)
    else:
        messages.success(request, success)
    return _back(case)


@login_required
@require_POST
def request_close(request, number):
    return _act(
        request,
        number,
        lambda case: lifecycle.case_close(actor=request.user, case=case),
        _("The request is closed. You can reopen it for 14 days."),
    )


@login_required
@require_POST
def request_reopen(request, number):
    return _act(
        request,
        number,
        lambda case: lifecycle.case_reopen(actor=request.user, case=case),
        _("The request is open again."),
    )


@login_required
@require_POST
def request_survey(request, number):
    case = selectors.case_get_for(request.user, number)
    form = SurveyForm(request.POST)
    if not form.is_valid():
        context = _detail_context(request, case, survey_form=form)
        return render(request, "cases/request_detail.html", context, status=400)
    return _act(
        request,
        number,
        lambda case: lifecycle.survey_submit(
            actor=request.user,
            case=case,
            rating=form.cleaned_data["rating"],
            comment=form.cleaned_data["comment"],
        ),
        _("Thank you for rating the support you received."),
    )


@login_required
def attachment_download(request, number, attachment_id):
    """Only through this view, only for who may see the event, always as a download."""
    case = selectors.case_get_for(request.user, number)
    return attachment_response(selectors.attachment_get_for(request.user, case, attachment_id))
