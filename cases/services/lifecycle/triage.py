"""Triage: claiming, assigning, severity and category changes, retargeting after a tier change."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import selectors as account_selectors
from accounts.models import Tenant, User
from helpdesk.errors import Conflict, InvalidInput, NotAllowed

from ... import policies, targets
from ...models import (
    OPEN_STATUSES,
    Case,
    CaseEvent,
    CaseStatus,
    Category,
    ProblemType,
    Severity,
)
from .. import notifications, sweep_sql, sweeps
from .common import (
    TARGET_FIELDS,
    Kind,
    _breach_notice,
    _event,
    _lock,
    _require,
    _retarget,
    _touch,
    target_fields,
)
from .filing import check_classification

# Cases retargeted per transaction, and per UPDATE statement within it where Django's
# `bulk_update` writes them (SQLite: a CASE over its rows for every target field, kept short).
RETARGET_BATCH = 5000
RETARGET_WRITE = 100
# What retargeting a case reads: its target's inputs and the flags a new target keeps or
# replaces, as plain rows (model instances cost twice the read); the rest of the row, its
# description above all, stays in the database.
RETARGET_READS = (
    "pk",
    "support_tier",
    "category_id",
    "severity",
    "opened_at",
    "first_responded_at",
    "breached_at",
    "breach_warned_at",
    "tenant_id",
)


@dataclass(frozen=True)
class _Retargeted:
    pk: int
    former_tier: str
    fields: dict  # every one of TARGET_FIELDS
    breached: bool  # by the new target, at once


@transaction.atomic
def case_claim(*, actor: User, case: Case, at: datetime | None = None) -> Case:
    """An engineer takes an unassigned case. Of two claiming at once exactly one wins; the
    other gets a Conflict naming the winner."""
    at = at or timezone.now()
    if not policies.may_be_assigned(actor):
        raise NotAllowed(_("Only support staff claim requests."))
    won = Case.objects.filter(
        pk=case.pk, assigned_to__isnull=True, status__in=OPEN_STATUSES
    ).update(assigned_to=actor, last_activity_at=at)
    if not won:
        case.refresh_from_db()
        holder = case.assigned_to.display_name if case.assigned_to else None
        message = (
            _("%(name)s has already claimed this request.") % {"name": holder}
            if holder
            else _("This request is closed.")
        )
        raise Conflict(message, code="already_claimed")
    _event(case, Kind.ASSIGNED, actor, at, public=False, new=actor.email)
    case.refresh_from_db()
    return case


@transaction.atomic
def case_assign(
    *, actor: User, case: Case, assignee: User | None, at: datetime | None = None
) -> Case:
    """Assign, transfer or unassign (assignee None) a case."""
    at = at or timezone.now()
    if not policies.can_assign_to_others(actor):
        raise NotAllowed(_("Only support staff assign requests."))
    if assignee is not None and not policies.may_be_assigned(assignee):
        raise InvalidInput(
            _("Requests can only be assigned to support staff."),
            code="invalid_assignee",
            fields={"assignee": assignee.email},
        )
    _lock(case)
    old = case.assigned_to.email if case.assigned_to_id else ""
    _touch(case, at, assigned_to=assignee)
    _event(
        case,
        Kind.ASSIGNED,
        actor,
        at,
        public=False,
        old=old,
        new=assignee.email if assignee else "",
    )
    return case


@transaction.atomic
def case_change_severity(
    *, actor: User, case: Case, severity: str, reason: str, at: datetime | None = None
) -> Case:
    """Support staff change the severity with a reason; the target is recomputed from the
    submission time with the tenant's current tier."""
    at = at or timezone.now()
    if not policies.can_work_case(actor):
        raise NotAllowed(_("Only support staff change severity."))
    reason = (reason or "").strip()
    _require(bool(reason), _("Give a reason for the change."), "reason_required", "reason")
    _require(
        severity in Severity.values, _("Choose severity A, B or C."), "invalid_severity", "severity"
    )
    _lock(case)
    if severity == Severity.A:
        _require(
            case.category_id == "technical",
            _("Severity A exists for technical requests only."),
            "severity_not_allowed",
            "severity",
        )
        _require(
            bool(case.contact_phone) and case.available_24x7,
            _("Severity A needs a phone number and the contact's 24x7 availability."),
            "needs_phone_and_24x7",
            "severity",
        )
    if case.status == CaseStatus.CLOSED:
        raise Conflict(_("This request is closed."), code="case_closed")
    old = case.severity
    if old == severity:
        return case
    case.severity = severity
    _event(case, Kind.SEVERITY, actor, at, old=old, new=severity, body=reason)
    _retarget(case, actor, at)
    case.save(update_fields=["severity", *TARGET_FIELDS])
    return case


@transaction.atomic
def case_change_category(
    *,
    actor: User,
    case: Case,
    category: Category,
    problem_type: ProblemType | None = None,
    reason: str,
    at: datetime | None = None,
) -> Case:
    """Support staff re-triage a request into another category (and problem type); the target is
    recomputed from the submission time. Severity A leaves with the technical category."""
    at = at or timezone.now()
    if not policies.can_work_case(actor):
        raise NotAllowed(_("Only support staff change the category."))
    reason = (reason or "").strip()
    _require(bool(reason), _("Give a reason for the change."), "reason_required", "reason")
    check_classification(category, problem_type)
    _lock(case)
    if case.status == CaseStatus.CLOSED:
        raise Conflict(_("This request is closed."), code="case_closed")
    old = case.category_id
    case.category = category
    case.problem_type = problem_type
    if problem_type is not None and problem_type.product_id:
        case.product_id = problem_type.product_id
    if case.severity == Severity.A and category.pk != "technical":
        case.severity = Severity.B
        _event(case, Kind.SEVERITY, actor, at, old=Severity.A, new=Severity.B, body=reason)
    _event(case, Kind.TARGET, actor, at, old=old, new=category.pk, body=reason)
    _retarget(case, actor, at)
    case.save(update_fields=["category", "problem_type", "product", "severity", *TARGET_FIELDS])
    return case


def tenant_retarget_open_cases(*, tenant: Tenant, at: datetime | None = None) -> int:
    """After the tenant's tier changed (a subscription or contract edited), recompute the target
    of its open cases still waiting for a first response, from their submission time. A tenant
    left with no tier keeps its cases' last commitment. Bounded by one tenant's open backlog."""
    return tenants_retarget_open_cases(tenants=[tenant], at=at)


def tenants_retarget_open_cases(*, tenants: Iterable[Tenant], at: datetime | None = None) -> int:
    """`tenant_retarget_open_cases` for several tenants at once (the tier-change sweep); returns
    how many cases got a new target.

    The tenants' tiers take two queries and the matrix and each country's calendar are read
    once. The waiting cases are found with one statement, then locked and written back batch by
    batch, a few statements each: the statements grow with the batches, not with the cases.
    """
    at = at or timezone.now()
    tenants = {tenant.pk: tenant for tenant in tenants}
    tiers = {
        pk: tier
        for pk, tier in account_selectors.tenant_support_tiers(tenants.values(), at=at).items()
        if tier is not None
    }
    if not tiers:
        return 0
    stale = Q()
    for tier in set(tiers.values()):
        at_tier = [pk for pk, its_tier in tiers.items() if its_tier == tier]
        stale |= Q(tenant_id__in=at_tier) & ~Q(support_tier=tier)
    waiting = Case.objects.filter(stale, status__in=OPEN_STATUSES, first_responded_at__isnull=True)
    found = list(waiting.order_by("pk").values_list("pk", flat=True))
    changed = 0
    with targets.read_once():
        for start in range(0, len(found), RETARGET_BATCH):
            ids = found[start : start + RETARGET_BATCH]
            with transaction.atomic():
                # Locked, the filter is checked again: a case answered meanwhile is left alone,
                # and one that turned stale meanwhile is taken too. The batch is a range of ids
                # (sorted): a list of five thousand cost more to build and send than to read.
                rows = (
                    waiting.filter(pk__gte=ids[0], pk__lte=ids[-1])
                    .select_for_update()
                    .order_by("pk")
                    .values_list(*RETARGET_READS, named=True)
                )
                batch = [
                    _retargeted(row, tenants[row.tenant_id], tiers[row.tenant_id], at)
                    for row in rows
                ]
                _write_retargeted(batch, at)
                breached = [case.pk for case in batch if case.breached]
                if breached:
                    _record_breaches(breached, at)
            changed += len(batch)
    return changed


def _retargeted(row, tenant: Tenant, tier: str, at: datetime) -> _Retargeted:
    """The new target fields of a waiting case read as a row of `RETARGET_READS`."""
    fields = target_fields(row, tenant=tenant, tier=tier, at=at)
    fields["last_activity_at"] = at
    breached = row.breached_at is None and fields["breached_at"] is not None
    return _Retargeted(row.pk, row.support_tier, fields, breached)


def _write_retargeted(cases: list[_Retargeted], at: datetime) -> None:
    """Save the new targets of `cases`, with a private history event each: former tier -> new."""
    if sweeps.set_based():
        sweep_sql.update_with_events(
            [
                (case.pk, [case.fields[name] for name in TARGET_FIELDS], case.former_tier)
                for case in cases
            ],
            TARGET_FIELDS,
            event_kind=Kind.TARGET,
            at=at,
        )
        return
    Case.objects.bulk_update(
        [Case(pk=case.pk, **case.fields) for case in cases],
        TARGET_FIELDS,
        batch_size=RETARGET_WRITE,
    )
    CaseEvent.objects.bulk_create(
        CaseEvent(
            case_id=case.pk,
            kind=Kind.TARGET,
            is_public=False,
            old_value=case.former_tier,
            new_value=case.fields["support_tier"],
            at=at,
        )
        for case in cases
    )


def _record_breaches(pks: list[int], at: datetime) -> None:
    """The history event and staff notice of each case that its new target breached at once,
    read as saved (its due time, engineer and tenant)."""
    breached = list(
        Case.objects.filter(pk__in=pks).select_related("tenant", "assigned_to").order_by("pk")
    )
    CaseEvent.objects.bulk_create(
        CaseEvent(
            case=case,
            kind=Kind.BREACHED,
            is_public=False,
            new_value=case.initial_response_due_at.isoformat(),
            at=at,
        )
        for case in breached
    )
    notifications.queue([_breach_notice(case) for case in breached], at=at)
