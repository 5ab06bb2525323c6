"""Writes of the accounts domain: the delegated-admin relationship lifecycle (spec section 8).

Each service takes the acting user as `actor`, checks `accounts.policies` first, writes, and records
a `RelationshipEvent` in the same transaction. State changes are conditional UPDATEs, so two people
approving (or an approval racing the expiry sweep) cannot both win.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from helpdesk.errors import Conflict, InvalidInput, NotAllowed

from . import policies
from .models import (
    DelegatedAdminRelationship,
    PartnerMembership,
    PartnerOrganization,
    RelationshipAssignment,
    RelationshipEvent,
    RelationshipStatus,
    RoleAssignment,
    Tenant,
    TenantRole,
    User,
)
from .models.partners import MAX_RELATIONSHIP_DAYS, MIN_RELATIONSHIP_DAYS

AUTO_EXTEND_DAYS = 180
PENDING_REQUEST_DAYS = 90

Kind = RelationshipEvent.Kind


def _record(relationship_id: int, kind: str, actor: User | None, at: datetime, **detail) -> None:
    RelationshipEvent.objects.create(
        relationship_id=relationship_id, kind=kind, actor=actor, at=at, detail=detail
    )


def _clean_roles(roles: Iterable[str]) -> list[str]:
    roles = list(dict.fromkeys(roles))
    if not roles:
        raise InvalidInput(
            _("Choose at least one role."), code="no_roles", fields={"roles": "empty"}
        )
    unknown = policies.unknown_roles(roles)
    if unknown:
        raise InvalidInput(
            _("Unknown role: %(roles)s.") % {"roles": ", ".join(unknown)},
            code="unknown_role",
            fields={"roles": unknown},
        )
    return roles


@transaction.atomic
def relationship_request(
    *,
    actor: User,
    partner: PartnerOrganization,
    tenant: Tenant,
    name: str,
    roles: Iterable[str],
    duration_days: int,
    auto_extend: bool = False,
    at: datetime | None = None,
) -> DelegatedAdminRelationship:
    """An admin agent of `partner` asks `tenant` for a delegated-admin relationship.

    Raises NotAllowed unless the actor is an admin agent of the partner; InvalidInput for an empty
    name, no or unknown roles, a duration outside 1..730 days, or auto-extend with global admin.
    """
    if not policies.can_request_relationship(actor, partner):
        raise NotAllowed(_("Only an admin agent of the partner may request a relationship."))
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise InvalidInput(
            _("Give the relationship a name of at most 100 characters."), code="invalid_name"
        )
    roles = _clean_roles(roles)
    if (
        isinstance(duration_days, bool)
        or not isinstance(duration_days, int)
        or not (MIN_RELATIONSHIP_DAYS <= duration_days <= MAX_RELATIONSHIP_DAYS)
    ):
        raise InvalidInput(
            _("The duration must be between %(min)d and %(max)d days.")
            % {"min": MIN_RELATIONSHIP_DAYS, "max": MAX_RELATIONSHIP_DAYS},
            code="invalid_duration",
            fields={"duration_days": duration_days},
        )
    if auto_extend and TenantRole.GLOBAL_ADMIN in roles:
        raise InvalidInput(
            _("A relationship that includes global admin cannot extend automatically."),
            code="auto_extend_not_allowed",
        )
    at = at or timezone.now()
    relationship = DelegatedAdminRelationship.objects.create(
        partner=partner,
        tenant=tenant,
        name=name,
        roles=roles,
        duration_days=duration_days,
        auto_extend=auto_extend,
        requested_at=at,
        requested_by=actor,
    )
    _record(relationship.pk, Kind.REQUESTED, actor, at, roles=roles, duration_days=duration_days)
    return relationship


def _transition(
    relationship: DelegatedAdminRelationship,
    *,
    allowed_from: Iterable[str],
    extra_filter: dict | None = None,
    conflict_message: str,
    **changes,
) -> None:
    """Move the relationship only if it is still in one of `allowed_from`; else raise Conflict."""
    updated = DelegatedAdminRelationship.objects.filter(
        pk=relationship.pk, status__in=list(allowed_from), **(extra_filter or {})
    ).update(**changes)
    if not updated:
        raise Conflict(conflict_message, code="invalid_state")
    relationship.refresh_from_db()


@transaction.atomic
def relationship_approve(
    *, actor: User, relationship: DelegatedAdminRelationship, at: datetime | None = None
) -> DelegatedAdminRelationship:
    """The customer's global admin approves a pending request; it runs for its duration from now.

    Raises NotAllowed for anyone but a global admin of the tenant, Conflict unless the request is
    pending and younger than 90 days.
    """
    if not policies.can_manage_partner_relationships(actor, relationship.tenant):
        raise NotAllowed(_("Only a global admin of the organisation may approve a relationship."))
    at = at or timezone.now()
    _transition(
        relationship,
        allowed_from=[RelationshipStatus.APPROVAL_PENDING],
        extra_filter={"requested_at__gt": at - timedelta(days=PENDING_REQUEST_DAYS)},
        conflict_message=_("Only a pending request that has not expired can be approved."),
        status=RelationshipStatus.ACTIVE,
        approved_at=at,
        approved_by=actor,
        ends_at=at + timedelta(days=relationship.duration_days),
    )
    _record(relationship.pk, Kind.APPROVED, actor, at, ends_at=relationship.ends_at.isoformat())
    return relationship


@transaction.atomic
def relationship_reject(
    *, actor: User, relationship: DelegatedAdminRelationship, at: datetime | None = None
) -> DelegatedAdminRelationship:
    """The customer's global admin turns down a pending request."""
    if not policies.can_manage_partner_relationships(actor, relationship.tenant):
        raise NotAllowed(_("Only a global admin of the organisation may reject a relationship."))
    at = at or timezone.now()
    _transition(
        relationship,
        allowed_from=[RelationshipStatus.APPROVAL_PENDING],
        conflict_message=_("Only a pending request can be rejected."),
        status=RelationshipStatus.REJECTED,
        rejected_at=at,
        rejected_by=actor,
    )
    _record(relationship.pk, Kind.REJECTED, actor, at)
    return relationship


@transaction.atomic
def relationship_terminate(
    *, actor: User, relationship: DelegatedAdminRelationship, at: datetime | None = None
) -> DelegatedAdminRelationship:
    """Either side ends a pending or active relationship; partner access ends at once."""
    if not policies.can_terminate_relationship(actor, relationship):
        raise NotAllowed(
            _("Only the customer's global admin or the partner's admin agent may end it.")
        )
    at = at or timezone.now()
    _transition(
        relationship,
        allowed_from=[RelationshipStatus.APPROVAL_PENDING, RelationshipStatus.ACTIVE],
        conflict_message=_("This relationship has already ended."),
        status=RelationshipStatus.TERMINATED,
        terminated_at=at,
        terminated_by=actor,
    )
    _record(relationship.pk, Kind.TERMINATED, actor, at)
    return relationship


@transaction.atomic
def relationship_assign_user(
    *,
    actor: User,
    relationship: DelegatedAdminRelationship,
    user: User,
    roles: Iterable[str],
    at: datetime | None = None,
) -> RelationshipAssignment:
    """An admin agent lets one of the partner's users act under a live relationship.

    `roles` must be a non-empty subset of the relationship's roles; assigning again replaces them.
    """
    if not policies.can_assign_relationship_users(actor, relationship):
        raise NotAllowed(_("Only an admin agent of the partner may assign users."))
    at = at or timezone.now()
    live = DelegatedAdminRelationship.objects.filter(
        policies.live_relationship_q(at), pk=relationship.pk
    ).exists()
    if not live:
        raise Conflict(
            _("Users can be assigned only to an active relationship."), code="invalid_state"
        )
    roles = _clean_roles(roles)
    not_granted = sorted(set(roles) - set(relationship.roles))
    if not_granted:
        raise InvalidInput(
            _("The relationship does not grant: %(roles)s.") % {"roles": ", ".join(not_granted)},
            code="role_not_granted",
            fields={"roles": not_granted},
        )
    if not PartnerMembership.objects.filter(user=user, partner=relationship.partner).exists():
        raise InvalidInput(
            _("%(email)s does not work for %(partner)s.")
            % {"email": user.email, "partner": relationship.partner.name},
            code="not_partner_member",
        )
    assignment, _created = RelationshipAssignment.objects.update_or_create(
        relationship=relationship,
        user=user,
        defaults={"roles": roles, "assigned_at": at, "assigned_by": actor},
    )
    _record(relationship.pk, Kind.USER_ASSIGNED, actor, at, user=user.email, roles=roles)
    return assignment


REMINDER_DAYS = (30, 7, 1)


@dataclass(frozen=True)
class ExpirySweep:
    extended: int
    expired: int
    pending_expired: int
    reminded: int = 0


def _locked_ids(queryset) -> list[int]:
    # skip_locked lets two sweeps run at once: each takes the rows the other has not locked.
    return list(queryset.select_for_update(skip_locked=True).values_list("pk", flat=True))


def _record_many(ids: list[int], kind: str, at: datetime) -> None:
    RelationshipEvent.objects.bulk_create(
        RelationshipEvent(relationship_id=pk, kind=kind, actor=None, at=at) for pk in ids
    )


@transaction.atomic
def relationships_expire(*, now: datetime | None = None) -> ExpirySweep:
    """Apply the end-of-term rules to every relationship that reached them, set-based.

    Auto-extending relationships move their end 180 days on (repeatedly, if the sweep was down for
    long); the others expire; requests pending for 90 days expire. Touches only due rows.
    """
    now = now or timezone.now()
    active = DelegatedAdminRelationship.objects.filter(
        status=RelationshipStatus.ACTIVE, ends_at__lte=now
    )
    extended = 0
    while ids := _locked_ids(active.filter(auto_extend=True)):
        extended += active.filter(pk__in=ids).update(
            ends_at=F("ends_at") + timedelta(days=AUTO_EXTEND_DAYS), last_reminder_days=None
        )
        _record_many(ids, Kind.EXTENDED, now)

    ids = _locked_ids(active.filter(auto_extend=False))
    expired = active.filter(pk__in=ids).update(status=RelationshipStatus.EXPIRED, expired_at=now)
    _record_many(ids, Kind.EXPIRED, now)

    pending = DelegatedAdminRelationship.objects.filter(
        status=RelationshipStatus.APPROVAL_PENDING,
        requested_at__lte=now - timedelta(days=PENDING_REQUEST_DAYS),
    )
    ids = _locked_ids(pending)
    pending_expired = pending.filter(pk__in=ids).update(
        status=RelationshipStatus.EXPIRED, expired_at=now
    )
    _record_many(ids, Kind.EXPIRED, now)
    reminded = _send_reminders(now)
    return ExpirySweep(
        extended=extended, expired=expired, pending_expired=pending_expired, reminded=reminded
    )


def _both_sides(relationship_ids: list[int]) -> dict[int, list[str]]:
    """Addresses of each relationship's customer global admins and partner admin agents."""
    rows = DelegatedAdminRelationship.objects.filter(pk__in=relationship_ids).values_list(
        "pk", "tenant_id", "partner_id"
    )
    tenants = {pk: tenant for pk, tenant, _partner in rows}
    partners = {pk: partner for pk, _tenant, partner in rows}
    admins: dict[int, list[str]] = {}
    for tenant_id, email in RoleAssignment.objects.filter(
        tenant_id__in=set(tenants.values()), role=TenantRole.GLOBAL_ADMIN, user__is_active=True
    ).values_list("tenant_id", "user__email"):
        admins.setdefault(("t", tenant_id), []).append(email)
    for partner_id, email in PartnerMembership.objects.filter(
        partner_id__in=set(partners.values()), is_admin_agent=True, user__is_active=True
    ).values_list("partner_id", "user__email"):
        admins.setdefault(("p", partner_id), []).append(email)
    return {
        pk: admins.get(("t", tenants[pk]), []) + admins.get(("p", partners[pk]), [])
        for pk in relationship_ids
    }


def _relationship_messages(ids: list[int], kind: str, now: datetime, days: int | None):
    from cases.services.notifications import Message

    recipients = _both_sides(ids)
    rows = DelegatedAdminRelationship.objects.filter(pk__in=ids).values(
        "pk", "name", "ends_at", "tenant__name", "partner__name"
    )
    for row in rows:
        yield Message(
            kind=kind,
            to=recipients[row["pk"]],
            relationship_id=row["pk"],
            context={
                "name": row["name"],
                "tenant": row["tenant__name"],
                "partner": row["partner__name"],
                "ends_at": row["ends_at"].isoformat() if row["ends_at"] else "",
                "days": days,
            },
            dedupe_key=f"{kind}:{row['pk']}:{days}:{row['ends_at']:%Y%m%d%H%M%S}",
        )


def _send_reminders(now: datetime) -> int:
    """30, 7 and 1 days before a relationship's end, and on expiry, tell both sides (once each)."""
    from cases.models import Notification
    from cases.services.notifications import queue

    sent = 0
    # Nearest threshold first: a relationship already inside 1 day gets the 1-day reminder only,
    # and its mark then keeps the 7- and 30-day ones from going out late.
    for days in sorted(REMINDER_DAYS):
        due = DelegatedAdminRelationship.objects.filter(
            Q(last_reminder_days__isnull=True) | Q(last_reminder_days__gt=days),
            status=RelationshipStatus.ACTIVE,
            auto_extend=False,
            ends_at__gt=now,
            ends_at__lte=now + timedelta(days=days),
        )
        ids = _locked_ids(due)
        if ids:
            due.filter(pk__in=ids).update(last_reminder_days=days)
            sent += queue(
                _relationship_messages(ids, Notification.Kind.RELATIONSHIP_REMINDER, now, days),
                at=now,
            )
    # Expired with an approval behind it (a lapsed request never ran) and not yet announced.
    expired = DelegatedAdminRelationship.objects.filter(
        Q(last_reminder_days__isnull=True) | Q(last_reminder_days__gt=0),
        status=RelationshipStatus.EXPIRED,
        approved_at__isnull=False,
    )
    ids = _locked_ids(expired)
    if ids:
        DelegatedAdminRelationship.objects.filter(pk__in=ids).update(last_reminder_days=0)
        sent += queue(
            _relationship_messages(ids, Notification.Kind.RELATIONSHIP_EXPIRED, now, 0), at=now
        )
    return sent
