"""Helpers shared by the lifecycle services: events, messages, locking, targets."""

from datetime import datetime

from django.utils.translation import gettext as _

from accounts import selectors as account_selectors
from accounts.models import User
from helpdesk.errors import InvalidInput, NotFound

from ... import policies, targets
from ...models import (
    Case,
    CaseEvent,
    Notification,
)
from .. import notifications

Kind = CaseEvent.Kind


def _require(condition: bool, message: str, code: str, field: str | None = None) -> None:
    if not condition:
        raise InvalidInput(message, code=code, fields={field: message} if field else None)


def _event(
    case: Case,
    kind: str,
    actor: User | None,
    at: datetime,
    *,
    public: bool = True,
    body: str = "",
    old: str = "",
    new: str = "",
    partner=None,
) -> CaseEvent:
    if partner is None and actor is not None:
        partner = account_selectors.acting_partner(actor, case.tenant, at=at)
    return CaseEvent.objects.create(
        case=case,
        kind=kind,
        actor=actor,
        acting_partner=partner,
        is_public=public,
        body=body,
        old_value=str(old)[:200],
        new_value=str(new)[:200],
        at=at,
    )


def _case_context(case: Case, **extra) -> dict:
    return {
        "number": case.number,
        "title": case.title,
        "tenant": case.tenant.name,
        "status": case.status,
        "severity": case.severity,
        "path": f"/requests/{case.number}/",
        **extra,
    }


def _customer_message(case: Case, kind: str, **extra) -> notifications.Message:
    return notifications.Message(
        kind=kind,
        to=[case.contact_email],
        cc=[case.contact_alternate_email] if case.contact_alternate_email else [],
        case_id=case.pk,
        language=case.support_language if case.support_language in {"en", "ko"} else "en",
        context=_case_context(case, **extra),
    )


def _engineer_context(case: Case) -> dict:
    """What staff mail shows: the console's page of the case and, when there is one, the
    initial-response due time (as the sweeps give it)."""
    due = case.initial_response_due_at
    return _case_context(
        case, path=f"/console/cases/{case.number}/", **({"due": due.isoformat()} if due else {})
    )


def _engineer_message(
    case: Case, kind: str, *, dedupe_key: str | None = None
) -> notifications.Message:
    """To the assigned engineer, else to every support manager."""
    if case.assigned_to_id:
        return notifications.Message(
            kind=kind,
            to=[case.assigned_to.email],
            case_id=case.pk,
            context=_engineer_context(case),
            dedupe_key=dedupe_key,
        )
    return notifications.Message(
        kind=kind,
        audience=Notification.Audience.MANAGERS,
        case_id=case.pk,
        context=_engineer_context(case),
        dedupe_key=dedupe_key,
    )


def _apply_target(
    case: Case, *, tier: str | None, at: datetime, target: targets.CaseTarget | None = None
) -> None:
    """Recompute the committed target from the submission time (see `target_fields`)."""
    fields = target_fields(case, tenant=case.tenant, tier=tier, at=at, target=target)
    for name, value in fields.items():
        setattr(case, name, value)


def target_fields(
    case, *, tenant, tier: str | None, at: datetime, target: targets.CaseTarget | None = None
) -> dict:
    """The `TARGET_FIELDS` (but the last activity) of `case` (a Case, or a row with the same
    attribute names) of `tenant` once it has the target of `tier`, recomputed at `at` from its
    submission time. A target already past is breached at once, a target moved into the future
    can warn and breach again; an answered case keeps its flags and leaves the queue's order. A
    caller that has just computed the target for the case's tier, category, severity and
    opening passes it, so filing reads the matrix and the calendar once."""
    target = target or targets.compute_case_target(
        tier=tier,
        category=case.category_id,
        severity=case.severity,
        opened_at=case.opened_at,
        country=tenant.country,
        time_zone=tenant.time_zone,
    )
    breached_at, breach_warned_at = case.breached_at, case.breach_warned_at
    waiting = case.first_responded_at is None
    if waiting:
        overdue = target.due is not None and target.due <= at
        breached_at = target.due if overdue else None
        warned = overdue or (target.warn_at is not None and target.warn_at <= at)
        breach_warned_at = (breach_warned_at or at) if warned else None
    return {
        "support_tier": tier or "",
        "response_availability": target.availability,
        "response_label": target.label,
        "response_minutes": target.minutes,
        "initial_response_due_at": target.due,
        "breach_warn_at": target.warn_at,
        "breached_at": breached_at,
        "breach_warned_at": breach_warned_at,
        "queue_due_at": target.due if waiting else None,
        "queue_breached": waiting and breached_at is not None,
    }


def _lock(case: Case) -> None:
    """Lock the case's row and reload it, so the rest of the service works on current data even
    when the caller's object is stale (another request changed the case meanwhile)."""
    Case.objects.select_for_update().filter(pk=case.pk).values_list("pk", flat=True).first()
    case.refresh_from_db()


TARGET_FIELDS = [
    "support_tier",
    "response_availability",
    "response_label",
    "response_minutes",
    "initial_response_due_at",
    "breach_warn_at",
    "breached_at",
    "breach_warned_at",
    "queue_due_at",
    "queue_breached",
    "last_activity_at",
]


def _retarget(case: Case, actor: User | None, at: datetime) -> None:
    """Recompute the target with the tenant's current tier (the last known one if the tenant has
    none now: a lapsed subscription does not take back a commitment) and record a breach that the
    new target causes at once."""
    tier = account_selectors.tenant_support_tier(case.tenant, at=at) or case.support_tier or None
    breach = _retarget_to(case, tier=tier, at=at)
    if breach is not None:
        breach.actor = actor
        if actor is not None:
            breach.acting_partner = account_selectors.acting_partner(actor, case.tenant, at=at)
        breach.save()
        notifications.queue([_breach_notice(case)], at=at)


def _retarget_to(case: Case, *, tier: str | None, at: datetime) -> CaseEvent | None:
    """Give `case` the target of `tier` (unsaved). When the new target is already past, return the
    breach's history event (unsaved, no actor yet); `_breach_notice` is its staff notice."""
    was_breached = case.breached_at is not None
    _apply_target(case, tier=tier, at=at)
    case.last_activity_at = at
    if case.breached_at is None or was_breached:
        return None
    due = case.initial_response_due_at.isoformat()
    return CaseEvent(case=case, kind=Kind.BREACHED, is_public=False, new_value=due, at=at)


def _breach_notice(case: Case) -> notifications.Message:
    """The staff notice of a breach that a new target caused at once (once per due time)."""
    key = f"breached:{case.pk}:{case.initial_response_due_at.isoformat()}"
    return _engineer_message(case, Notification.Kind.BREACHED, dedupe_key=key)


def _touch(case: Case, at: datetime, **changes) -> None:
    Case.objects.filter(pk=case.pk).update(last_activity_at=at, **changes)
    case.refresh_from_db()


def _check_visible(actor: User, case: Case, at: datetime) -> None:
    if not policies.can_view_case(actor, case, at=at):
        raise NotFound(_("No such request."))
