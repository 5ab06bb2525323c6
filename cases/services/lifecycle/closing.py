"""Closing, reopening within 14 days, and the satisfaction survey."""

from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from helpdesk.errors import Conflict, NotAllowed

from ... import policies
from ...models import (
    OPEN_STATUSES,
    Case,
    CaseStatus,
    Notification,
    SatisfactionSurvey,
)
from .. import notifications
from .common import (
    Kind,
    _check_visible,
    _customer_message,
    _engineer_message,
    _event,
    _lock,
    _require,
)

REOPEN_WINDOW = timedelta(days=14)


@transaction.atomic
def case_close(*, actor: User, case: Case, summary: str = "", at: datetime | None = None) -> Case:
    """Close an open case. Support staff give a resolution summary; the customer may close
    their own request at any time. The reopen window runs 14 days from now."""
    at = at or timezone.now()
    _check_visible(actor, case, at)
    summary = (summary or "").strip()
    if policies.can_work_case(actor):
        _require(bool(summary), _("Give a resolution summary."), "summary_required", "summary")
    old = case.status
    closed = Case.objects.filter(pk=case.pk, status__in=OPEN_STATUSES).update(
        status=CaseStatus.CLOSED,
        closed_at=at,
        reopen_until=at + REOPEN_WINDOW,
        reopen_window_closed_at=None,
        resolution_summary=summary,
        last_activity_at=at,
    )
    if not closed:
        raise Conflict(_("This request is already closed."), code="case_closed")
    case.refresh_from_db()
    _event(case, Kind.CLOSED, actor, at, old=old, new=CaseStatus.CLOSED, body=summary)
    closed_notice = _customer_message(case, Notification.Kind.CASE_CLOSED, summary=summary)
    # The survey is the filer's to answer, so the filer hears of the closing even when the
    # request named someone else as its contact.
    closed_notice.to.append(case.opened_by.email)
    notifications.queue([closed_notice], at=at)
    return case


@transaction.atomic
def case_reopen(*, actor: User, case: Case, at: datetime | None = None) -> Case:
    """Reopen a closed case within 14 days of closing, to the second; it returns to in progress.

    Raises Conflict once the window has passed (offer a new linked request instead). A reopen
    racing the window sweep: exactly one of them wins.
    """
    at = at or timezone.now()
    _check_visible(actor, case, at)
    reopened = Case.objects.filter(
        pk=case.pk,
        status=CaseStatus.CLOSED,
        reopen_until__gt=at,
        reopen_window_closed_at__isnull=True,
    ).update(
        status=CaseStatus.IN_PROGRESS,
        closed_at=None,
        reopen_until=None,
        reopen_count=F("reopen_count") + 1,
        last_activity_at=at,
    )
    if not reopened:
        raise Conflict(
            _("This request can no longer be reopened; open a new one linked to it."),
            code="reopen_window_closed",
        )
    case.refresh_from_db()
    _event(case, Kind.REOPENED, actor, at, old=CaseStatus.CLOSED, new=CaseStatus.IN_PROGRESS)
    notifications.queue([_engineer_message(case, Notification.Kind.CASE_REOPENED)], at=at)
    return case


@transaction.atomic
def survey_submit(
    *, actor: User, case: Case, rating: int, comment: str = "", at: datetime | None = None
) -> SatisfactionSurvey:
    """The filer rates a closed case, once per closure."""
    at = at or timezone.now()
    _check_visible(actor, case, at)
    if not policies.can_submit_survey(actor, case):
        raise NotAllowed(_("Only the admin who filed the request rates it."))
    _require(
        isinstance(rating, int) and not isinstance(rating, bool) and 1 <= rating <= 5,
        _("Rate from 1 to 5."),
        "invalid_rating",
        "rating",
    )
    _lock(case)
    if case.status != CaseStatus.CLOSED:
        raise Conflict(_("Only a closed request can be rated."), code="invalid_state")
    try:
        with transaction.atomic():
            survey = SatisfactionSurvey.objects.create(
                case=case,
                closure=case.reopen_count,
                rating=rating,
                comment=(comment or "").strip()[:4000],
                submitted_by=actor,
                submitted_at=at,
            )
    except IntegrityError:
        raise Conflict(_("You have already rated this closure."), code="survey_done") from None
    _event(case, Kind.SURVEY, actor, at, new=str(rating), body=survey.comment)
    return survey
