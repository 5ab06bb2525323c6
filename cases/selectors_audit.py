"""Reads of a tenant's audit trail: what happened to its requests and its partner relationships,
who did it and on behalf of which partner, newest first.

Only events the customer may see: a request's internal notes, assignments and other staff-only
entries never appear (spec section 7). Pages are bounded and keyed on (time, source, id), so a
page costs the same few queries however long the trail grows.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts import policies as account_policies
from accounts.models import PartnerMembership, RelationshipEvent, Tenant, TenantRole, User
from helpdesk.errors import NotAllowed, NotFound

from . import policies
from .models import CaseEvent, CaseStatus, Severity

PAGE_SIZE = 50
EXPORT_BATCH = 500

CASE = "case"
RELATIONSHIP = "relationship"
# Newest first; at the same instant relationship events come before case events, then by id.
_SOURCE_RANK = {RELATIONSHIP: 1, CASE: 0}

# Request events a customer sees in a request's history. Internal notes, assignments, breach
# flags and recomputations the customer was not shown are left out by `is_public` as well.
CASE_KINDS = [
    CaseEvent.Kind.OPENED,
    CaseEvent.Kind.REPLY,
    CaseEvent.Kind.CALL,
    CaseEvent.Kind.STATUS,
    CaseEvent.Kind.SEVERITY,
    CaseEvent.Kind.TARGET,
    CaseEvent.Kind.CLOSED,
    CaseEvent.Kind.REOPENED,
    CaseEvent.Kind.SURVEY,
    CaseEvent.Kind.WINDOW_CLOSED,
    CaseEvent.Kind.FOLLOW_UP,
]
RELATIONSHIP_KINDS = list(RelationshipEvent.Kind)


def kind_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """The event kinds to filter by, grouped by source; values are `<source>.<kind>`."""
    return [
        (
            gettext_lazy("Service requests"),
            [(f"{CASE}.{kind.value}", kind.label) for kind in CASE_KINDS],
        ),
        (
            gettext_lazy("Partner relationships"),
            [(f"{RELATIONSHIP}.{kind.value}", kind.label) for kind in RELATIONSHIP_KINDS],
        ),
    ]


def kind_values() -> set[str]:
    return {value for _group, options in kind_choices() for value, _label in options}


@dataclass(frozen=True)
class Cursor:
    """The position after the last row shown: rows strictly older than it come next."""

    at: datetime
    source: str
    pk: int

    def encode(self) -> str:
        return f"{self.at.isoformat()}~{self.source}~{self.pk}"

    @classmethod
    def decode(cls, value: str) -> "Cursor":
        """Raises ValueError for anything `encode` did not produce."""
        at_text, source, pk_text = str(value).split("~")
        at = datetime.fromisoformat(at_text)
        if at.tzinfo is None or source not in _SOURCE_RANK:
            raise ValueError("bad cursor")
        pk = int(pk_text)
        if not 0 < pk < 2**63:
            raise ValueError("bad cursor")
        return cls(at, source, pk)


@dataclass(frozen=True)
class AuditFilters:
    start: datetime | None = None  # inclusive
    end: datetime | None = None  # exclusive
    kind: str = ""  # "" or one of `kind_values()`


@dataclass(frozen=True)
class AuditEntry:
    at: datetime
    source: str
    pk: int
    kind: str
    kind_label: str
    actor_name: str
    actor_email: str
    organisation: str  # who the actor acted as: the tenant, a partner on its behalf, support
    partner: str  # the partner that acted (for the tenant, or in its own relationship), if any
    subject: str  # the request number or the relationship's name
    subject_title: str  # the request title or the partner of the relationship
    case_number: str
    details: str
    attachments: tuple[str, ...] = ()

    @property
    def cursor(self) -> Cursor:
        return Cursor(self.at, self.source, self.pk)


@dataclass(frozen=True)
class AuditPage:
    entries: list[AuditEntry]
    next_cursor: Cursor | None


def tenant_for_audit(user: User | None, domain: str) -> Tenant:
    """The tenant whose audit trail `user` asks for, by its primary domain.

    NotFound when the tenant does not exist or the user has nothing to do with it (another
    tenant's admins, support staff); NotAllowed when the user knows the tenant (a member, a role
    holder, a partner acting for it) but is not one of its own global admins.
    """
    tenant = Tenant.objects.filter(primary_domain=str(domain).strip().lower()[:253]).first()
    if tenant is None or not account_policies.knows_tenant(user, tenant):
        raise NotFound(_("No such organisation."))
    if not policies.can_view_audit(user, tenant):
        raise NotAllowed(
            _("Only a global admin of %(tenant)s may see its audit log.") % {"tenant": tenant.name}
        )
    return tenant


def _after(cursor: Cursor | None, source: str) -> Q:
    """Rows of `source` that sort after `cursor` in (time, source rank, id) descending order."""
    if cursor is None:
        return Q()
    mine, theirs = _SOURCE_RANK[source], _SOURCE_RANK[cursor.source]
    if mine < theirs:
        return Q(at__lte=cursor.at)
    if mine > theirs:
        return Q(at__lt=cursor.at)
    return Q(at__lt=cursor.at) | Q(at=cursor.at, pk__lt=cursor.pk)


def _in_period(filters: AuditFilters) -> Q:
    period = Q()
    if filters.start is not None:
        period &= Q(at__gte=filters.start)
    if filters.end is not None:
        period &= Q(at__lt=filters.end)
    return period


def _wanted(filters: AuditFilters, source: str) -> tuple[bool, str]:
    """Whether `source` is asked for at all, and which of its kinds ("" for any)."""
    if not filters.kind:
        return True, ""
    wanted_source, _dot, kind = filters.kind.partition(".")
    return wanted_source == source, kind


def _case_events(tenant: Tenant, filters: AuditFilters, cursor: Cursor | None, limit: int):
    wanted, kind = _wanted(filters, CASE)
    if not wanted:
        return []
    events = CaseEvent.objects.filter(
        _in_period(filters),
        _after(cursor, CASE),
        case__tenant=tenant,
        is_public=True,
        kind__in=[kind] if kind else CASE_KINDS,
    )
    return list(
        events.select_related("case", "actor__support_profile", "acting_partner")
        .prefetch_related("attachments")
        .order_by("-at", "-pk")[:limit]
    )


def _relationship_events(tenant: Tenant, filters: AuditFilters, cursor: Cursor | None, limit: int):
    wanted, kind = _wanted(filters, RELATIONSHIP)
    if not wanted:
        return []
    events = RelationshipEvent.objects.filter(
        _in_period(filters), _after(cursor, RELATIONSHIP), relationship__tenant=tenant
    )
    if kind:
        events = events.filter(kind=kind)
    by_partner = PartnerMembership.objects.filter(
        user=OuterRef("actor"), partner=OuterRef("relationship__partner")
    )
    return list(
        events.annotate(by_partner=Exists(by_partner))
        .select_related("relationship__partner", "actor__support_profile")
        .order_by("-at", "-pk")[:limit]
    )


def _is_staff(user: User | None) -> bool:
    return user is not None and hasattr(user, "support_profile")


_CODE_LABELS = {**dict(CaseStatus.choices), **dict(Severity.choices)}


def _label(code: str) -> str:
    return str(_CODE_LABELS.get(code, code))


def _role_labels(roles) -> str:
    labels = dict(TenantRole.choices)
    return ", ".join(str(labels.get(role, role)) for role in roles or [])


def _who(
    actor: User | None, tenant: Tenant, partner, *, on_behalf: bool = True
) -> tuple[str, str, str]:
    """(name, email, organisation) of an actor. A partner acts on behalf of the tenant in its
    requests, and as itself in its relationships. Support engineers are named like on the
    request page, but their address is not given out."""
    if actor is None:
        return _("System"), "", _("Support service")
    if _is_staff(actor):
        return actor.display_name, "", _("Support")
    if partner is not None and not on_behalf:
        return actor.display_name, actor.email, partner.name
    if partner is not None:
        organisation = _("%(partner)s on behalf of %(tenant)s") % {
            "partner": partner.name,
            "tenant": tenant.name,
        }
        return actor.display_name, actor.email, organisation
    return actor.display_name, actor.email, tenant.name


def _case_details(event: CaseEvent) -> str:
    if event.kind in {CaseEvent.Kind.STATUS, CaseEvent.Kind.SEVERITY}:
        return f"{_label(event.old_value)} → {_label(event.new_value)}"
    if event.kind == CaseEvent.Kind.SURVEY:
        return _("Rating %(rating)s of 5") % {"rating": event.new_value}
    if event.kind == CaseEvent.Kind.FOLLOW_UP:
        return _("Follow-up request %(number)s") % {"number": event.new_value}
    return ""


def _case_entry(event: CaseEvent, tenant: Tenant) -> AuditEntry:
    name, email, organisation = _who(event.actor, tenant, event.acting_partner)
    return AuditEntry(
        at=event.at,
        source=CASE,
        pk=event.pk,
        kind=f"{CASE}.{event.kind}",
        kind_label=str(event.get_kind_display()),
        actor_name=name,
        actor_email=email,
        organisation=organisation,
        partner=event.acting_partner.name if event.acting_partner else "",
        subject=event.case.number,
        subject_title=event.case.title,
        case_number=event.case.number,
        details=_case_details(event),
        attachments=tuple(file.original_name for file in event.attachments.all()),
    )


def _relationship_details(event: RelationshipEvent) -> str:
    detail = event.detail or {}
    parts = []
    if detail.get("user"):
        parts.append(str(detail["user"]))
    if detail.get("roles"):
        parts.append(_role_labels(detail["roles"]))
    if detail.get("duration_days"):
        parts.append(_("%(days)s days") % {"days": detail["duration_days"]})
    return "; ".join(parts)


def _relationship_entry(event: RelationshipEvent, tenant: Tenant) -> AuditEntry:
    partner = event.relationship.partner
    name, email, organisation = _who(
        event.actor, tenant, partner if event.by_partner else None, on_behalf=False
    )
    return AuditEntry(
        at=event.at,
        source=RELATIONSHIP,
        pk=event.pk,
        kind=f"{RELATIONSHIP}.{event.kind}",
        kind_label=str(event.get_kind_display()),
        actor_name=name,
        actor_email=email,
        organisation=organisation,
        partner=partner.name if event.by_partner else "",
        subject=event.relationship.name,
        subject_title=partner.name,
        case_number="",
        details=_relationship_details(event),
    )


def _sort_key(entry: AuditEntry):
    return (entry.at, _SOURCE_RANK[entry.source], entry.pk)


def audit_page(
    actor: User | None,
    tenant: Tenant,
    *,
    filters: AuditFilters | None = None,
    after: Cursor | None = None,
    limit: int = PAGE_SIZE,
) -> AuditPage:
    """One page of the tenant's trail, newest first, after `after` (None: the newest page).

    NotAllowed unless `actor` may see the trail. Three queries at most, whatever the trail's
    length: the request events (with their attachments) and the relationship events.
    """
    if not policies.can_view_audit(actor, tenant):
        raise NotAllowed(_("Only a global admin may see the audit log."))
    filters = filters or AuditFilters()
    limit = max(1, limit)
    rows = [
        *(_case_entry(e, tenant) for e in _case_events(tenant, filters, after, limit + 1)),
        *(
            _relationship_entry(e, tenant)
            for e in _relationship_events(tenant, filters, after, limit + 1)
        ),
    ]
    rows.sort(key=_sort_key, reverse=True)
    entries = rows[:limit]
    next_cursor = entries[-1].cursor if len(rows) > limit else None
    return AuditPage(entries, next_cursor)


def audit_entries(
    actor: User | None, tenant: Tenant, *, filters: AuditFilters | None = None
) -> Iterator[AuditEntry]:
    """Every entry of the (filtered) trail, newest first, read in bounded batches: for exports.

    Checks the right once, before the first row; the caller iterates lazily.
    """
    if not policies.can_view_audit(actor, tenant):
        raise NotAllowed(_("Only a global admin may see the audit log."))

    def rows() -> Iterator[AuditEntry]:
        cursor = None
        while True:
            page = audit_page(actor, tenant, filters=filters, after=cursor, limit=EXPORT_BATCH)
            yield from page.entries
            if page.next_cursor is None:
                return
            cursor = page.next_cursor

    return rows()
