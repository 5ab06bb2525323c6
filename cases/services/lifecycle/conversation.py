"""Talking on a case: replies, internal notes, logged calls, waiting on the customer."""

from collections.abc import Sequence
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from helpdesk.errors import Conflict, NotAllowed

from ... import policies
from ...models import (
    Case,
    CaseEvent,
    CaseStatus,
    Notification,
)
from .. import notifications
from ..attachments import save_attachments
from .common import (
    Kind,
    _check_visible,
    _customer_message,
    _event,
    _lock,
    _require,
    _touch,
)


@transaction.atomic
def case_reply(
    *,
    actor: User,
    case: Case,
    body: str,
    internal: bool = False,
    attachments: Sequence = (),
    at: datetime | None = None,
) -> CaseEvent:
    """Add a reply (public) or an internal note (support staff only) to an open case.

    The first public reply by support staff is the initial response: it stops the response
    clock and moves a new case to in progress. A customer reply to a case waiting on the
    customer moves it back to in progress.
    """
    at = at or timezone.now()
    _check_visible(actor, case, at)
    body = (body or "").strip()
    _require(bool(body), _("Write a message."), "empty_message", "body")
    if internal and not policies.can_see_internal(actor):
        raise NotAllowed(_("Only support staff write internal notes."))
    _lock(case)
    if case.status == CaseStatus.CLOSED:
        raise Conflict(_("This request is closed; reopen it to reply."), code="case_closed")
    staff = policies.can_work_case(actor)
    event = _event(
        case, Kind.NOTE if internal else Kind.REPLY, actor, at, public=not internal, body=body
    )
    save_attachments(event, attachments)
    if internal:
        _touch(case, at)
        return event
    if staff:
        _record_first_response(case, actor, at)
        notifications.queue(
            [_customer_message(case, Notification.Kind.ENGINEER_REPLIED, excerpt=body[:500])], at=at
        )
    elif case.status == CaseStatus.WAITING_ON_CUSTOMER:
        Case.objects.filter(pk=case.pk, status=CaseStatus.WAITING_ON_CUSTOMER).update(
            status=CaseStatus.IN_PROGRESS
        )
        _event(
            case,
            Kind.STATUS,
            actor,
            at,
            old=CaseStatus.WAITING_ON_CUSTOMER,
            new=CaseStatus.IN_PROGRESS,
        )
    _touch(case, at)
    return event


def _record_first_response(case: Case, actor: User, at: datetime) -> None:
    # Answered: the case leaves the "awaiting first response" part of the queue order.
    Case.objects.filter(pk=case.pk, first_responded_at__isnull=True).update(
        first_responded_at=at, queue_due_at=None, queue_breached=False
    )
    moved = Case.objects.filter(pk=case.pk, status=CaseStatus.NEW).update(
        status=CaseStatus.IN_PROGRESS
    )
    if moved:
        _event(case, Kind.STATUS, actor, at, old=CaseStatus.NEW, new=CaseStatus.IN_PROGRESS)


@transaction.atomic
def case_log_call(
    *, actor: User, case: Case, summary: str, at: datetime | None = None
) -> CaseEvent:
    """Support staff record a phone call with the contact; it counts as a response."""
    at = at or timezone.now()
    if not policies.can_work_case(actor):
        raise NotAllowed(_("Only support staff log calls."))
    summary = (summary or "").strip()
    _require(bool(summary), _("Summarise the call."), "empty_message", "summary")
    _lock(case)
    if case.status == CaseStatus.CLOSED:
        raise Conflict(_("This request is closed; reopen it first."), code="case_closed")
    event = _event(case, Kind.CALL, actor, at, body=summary)
    _record_first_response(case, actor, at)
    _touch(case, at)
    return event


@transaction.atomic
def case_set_waiting(*, actor: User, case: Case, at: datetime | None = None) -> Case:
    """Support staff hand the case to the customer; their next reply hands it back."""
    at = at or timezone.now()
    if not policies.can_work_case(actor):
        raise NotAllowed(_("Only support staff set a request to waiting on the customer."))
    moved = Case.objects.filter(
        pk=case.pk, status__in=[CaseStatus.NEW, CaseStatus.IN_PROGRESS]
    ).update(status=CaseStatus.WAITING_ON_CUSTOMER, last_activity_at=at)
    if not moved:
        raise Conflict(_("Only an open request can wait on the customer."), code="invalid_state")
    old = case.status
    case.refresh_from_db()
    _event(case, Kind.STATUS, actor, at, old=old, new=CaseStatus.WAITING_ON_CUSTOMER)
    notifications.queue([_customer_message(case, Notification.Kind.WAITING_ON_YOU)], at=at)
    return case
