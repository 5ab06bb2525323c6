"""The benchmark's synthetic data set: build it with bulk inserts, find it again, remove it.

Everything the bench creates hangs off tenants, partners and users whose domain starts with
``bench-``, so the data set can be recognised (and reused when it has the asked size) or removed
without touching other rows. Cases are written in batches: PostgreSQL gets them through ``COPY``
(psycopg 3), other databases through ``bulk_create``.

The rows are consistent with what the services and sweeps would have written over two years:
targets come from `cases.targets` (computed once per tier, category and severity, then offset
from each opening time), a case unanswered past its due time is breached at that due time, a
closed case's reopen window is closed once it has passed, and the queue fields follow the rule of
`cases.services.lifecycle.common._apply_target`.
"""

from __future__ import annotations

import json
import math
import random
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth.hashers import make_password
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.db.models import F, Max
from django.utils import timezone

from accounts import selectors as account_selectors
from accounts.models import (
    DelegatedAdminRelationship,
    ElevatedSupportContract,
    PartnerMembership,
    PartnerOrganization,
    Plan,
    RelationshipAssignment,
    RelationshipEvent,
    RelationshipStatus,
    RoleAssignment,
    Subscription,
    SupportProfile,
    SupportRole,
    SupportTier,
    Tenant,
    TenantRole,
    User,
)
from cases import targets
from cases.models import (
    OPEN_STATUSES,
    Attachment,
    Case,
    CaseEvent,
    CaseStatus,
    Category,
    IdempotencyKey,
    Notification,
    ProblemType,
    SatisfactionSurvey,
)
from cases.numbers import ALPHABET
from helpdesk.errors import InvalidInput

PREFIX = "bench-"
SUPPORT_DOMAIN = "bench-support.example"
BATCH = 10_000
YEARS = 2
REOPEN_WINDOW = timedelta(days=14)

Log = Callable[[str], None]
ANALYZED = (
    Tenant,
    User,
    RoleAssignment,
    Subscription,
    ElevatedSupportContract,
    PartnerOrganization,
    PartnerMembership,
    DelegatedAdminRelationship,
    RelationshipAssignment,
    SupportProfile,
    Case,
    CaseEvent,
    Notification,
    SatisfactionSurvey,
)

# Mixes. Shares are weights; they need not add up to one.
TIERS = {
    SupportTier.BUSINESS: 25,
    SupportTier.ENTERPRISE: 45,
    SupportTier.FRONTLINE: 15,
    SupportTier.ELEVATED: 15,
}
PLAN_FOR_TIER = {
    SupportTier.BUSINESS: "business-standard",
    SupportTier.ENTERPRISE: "enterprise-e3",
    SupportTier.FRONTLINE: "enterprise-f1",
    # Elevated comes from a contract on top of an enterprise plan.
    SupportTier.ELEVATED: "enterprise-e3",
}
PLACES = [
    ("US", "America/New_York", "en"),
    ("GB", "Europe/London", "en"),
    ("DE", "Europe/Berlin", "en"),
    ("FR", "Europe/Paris", "en"),
    ("KR", "Asia/Seoul", "ko"),
    ("JP", "Asia/Tokyo", "en"),
    ("AU", "Australia/Sydney", "en"),
    ("BR", "America/Sao_Paulo", "en"),
]
CATEGORIES = {"technical": 75, "billing": 15, "pre_sales": 10}
SEVERITIES = {
    "technical": {"A": 3, "B": 32, "C": 65},
    "billing": {"B": 30, "C": 70},
    "pre_sales": {"B": 30, "C": 70},
}
LANGUAGES = {"en": 60, "ko": 15, "ja": 10, "de": 5, "fr": 4, "es": 3, "zh": 3}
OPEN_MIX = {
    CaseStatus.NEW: 45,
    CaseStatus.IN_PROGRESS: 40,
    CaseStatus.WAITING_ON_CUSTOMER: 15,
}
RATINGS = {5: 45, 4: 30, 3: 12, 2: 7, 1: 6}
IMPACT_FOR_SEVERITY = {
    "A": ("unusable", "organisation", False),
    "B": ("impaired", "several", False),
    "C": ("working", "one", True),
}
TITLES = [
    "Mail delivery delayed for external recipients",
    "Cannot sign in with single sign-on",
    "Directory sync stopped after password change",
    "Site permissions lost after migration",
    "Meetings drop after ten minutes",
    "Question about licence assignment",
    "Invoice shows the wrong number of seats",
    "Autodiscover points to the old server",
    "Guest users cannot open shared files",
    "Which plan includes archiving?",
]
DESCRIPTIONS = [
    "Since this morning several users report the problem. We restarted the clients and "
    "checked the service status page, which shows no incident. Steps to reproduce are attached "
    "in the first message; the problem started right after yesterday's configuration change.",
    "One of our administrators noticed it during the monthly review. It is not blocking work "
    "yet, but we would like to understand what changed and how to avoid it in the future.",
    "The whole team is affected. We have no workaround and customers are waiting on us. "
    "Please call the contact number given in this request as soon as possible.",
]


@dataclass(frozen=True)
class Scale:
    """How many of each thing a data set of `cases` cases has."""

    cases: int
    tenants: int
    partners: int
    engineers: int
    managers: int = 3


def scale_for(cases: int) -> Scale:
    """2,000 tenants, 50 partners and 200 engineers at 100k cases and more; fewer (about 50 cases
    a tenant) below, so a small data set still looks like a support desk."""
    if cases < 1:
        raise ValueError("The data set needs at least one case.")
    return Scale(
        cases=cases,
        tenants=min(2000, max(20, cases // 50)),
        partners=min(50, max(3, cases // 200)),
        engineers=min(200, max(10, cases // 50)),
    )


@dataclass
class Dataset:
    """The bench data set as the measurements need it: who acts, and which rows they open."""

    scale: Scale
    reused: bool
    build_seconds: float | None
    engineer: User
    manager: User
    admin: User
    tenant: Tenant
    workspace_case: str
    tenant_case: str
    problem_type: str


# Finding, removing --------------------------------------------------------------------------------


def bench_tenants() -> models.QuerySet[Tenant]:
    return Tenant.objects.filter(primary_domain__startswith=PREFIX)


def bench_cases() -> models.QuerySet[Case]:
    return Case.objects.filter(tenant__primary_domain__startswith=PREFIX)


def existing_size() -> tuple[int, int]:
    """(tenants, cases) of the bench data set in the database; (0, 0) when there is none."""
    tenants = bench_tenants().count()
    return tenants, bench_cases().count() if tenants else 0


def _delete_where_case_in(model: type[models.Model], column: str, case_sql: str, params) -> int:
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE {column} IN ({case_sql})", params)  # noqa: S608
        return cursor.rowcount


def remove(log: Log = lambda _line: None) -> None:
    """Delete the bench data set: set-based DELETEs for the case-sized tables, the ORM (with its
    cascades) for the few thousand tenants, users, partners and relationships."""
    case_sql, params = bench_cases().values("pk").query.sql_with_params()
    event_sql, event_params = (
        CaseEvent.objects.filter(case__tenant__primary_domain__startswith=PREFIX)
        .values("pk")
        .query.sql_with_params()
    )
    with transaction.atomic():
        _delete_where_case_in(Attachment, "event_id", event_sql, event_params)
        for model in (CaseEvent, Notification, SatisfactionSurvey, IdempotencyKey):
            _delete_where_case_in(model, "case_id", case_sql, params)
        bench_cases().filter(related_case__isnull=False).update(related_case=None)
        removed = _delete_where_case_in(Case, "id", case_sql, params)
        DelegatedAdminRelationship.objects.filter(
            models.Q(tenant__primary_domain__startswith=PREFIX)
            | models.Q(partner__domain__startswith=PREFIX)
        ).delete()
        User.objects.filter(email__contains=f"@{PREFIX}").delete()
        PartnerOrganization.objects.filter(domain__startswith=PREFIX).delete()
        bench_tenants().delete()
    log(f"Removed the previous bench data set ({removed} cases).")


# Building -----------------------------------------------------------------------------------------


def _pick(rng: random.Random, weights: dict) -> object:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _number(index: int, opened_at: datetime) -> str:
    """A unique number per index: a bijection of 0..32^6-1 (odd multiplier) in base 32."""
    code = (index * 1_103_515_245 + 12_345) % 32**6
    digits = []
    for _position in range(6):
        code, digit = divmod(code, 32)
        digits.append(ALPHABET[digit])
    return f"SR{opened_at:%y%m%d}-{''.join(digits)}"


@dataclass(frozen=True)
class _Target:
    availability: str
    label: str
    minutes: int | None
    due_after: timedelta | None
    warn_after: timedelta | None


def _targets(now: datetime) -> dict[tuple[str, str, str], _Target]:
    """The committed target of every (tier, category, severity) the data set uses, computed once
    by `cases.targets` for a request opened on a Monday morning in New York, kept as offsets."""
    reference = (now - timedelta(days=now.weekday() + 7)).replace(
        hour=14, minute=0, second=0, microsecond=0
    )
    found = {}
    for tier in TIERS:
        for category, severities in SEVERITIES.items():
            for severity in severities:
                try:
                    target = targets.compute_case_target(
                        tier=tier,
                        category=category,
                        severity=severity,
                        opened_at=reference,
                        country="US",
                        time_zone="America/New_York",
                    )
                except InvalidInput:
                    continue
                found[(tier, category, severity)] = _Target(
                    availability=target.availability,
                    label=target.label,
                    minutes=target.minutes,
                    due_after=target.due - reference if target.due else None,
                    warn_after=target.warn_at - reference if target.warn_at else None,
                )
    return found


class _Writer:
    """Bulk-inserts rows given as {attname: value}; COPY on PostgreSQL, bulk_create elsewhere."""

    def __init__(self, model: type[models.Model], attnames: Iterable[str]):
        self.model = model
        names = set(attnames)
        self.fields = [f for f in model._meta.concrete_fields if f.attname in names]
        missing = [
            f.attname
            for f in model._meta.concrete_fields
            if f.attname not in names and not f.primary_key
        ]
        if missing:
            raise ValueError(f"{model.__name__} rows lack {', '.join(missing)}")
        self.copy = connection.vendor == "postgresql"

    def write(self, rows: list[dict]) -> None:
        if not rows:
            return
        if not self.copy:
            self.model.objects.bulk_create([self.model(**row) for row in rows], batch_size=2000)
            return
        quote = connection.ops.quote_name
        columns = ", ".join(quote(f.column) for f in self.fields)
        statement = f"COPY {quote(self.model._meta.db_table)} ({columns}) FROM STDIN"
        json_fields = {f.attname for f in self.fields if isinstance(f, models.JSONField)}
        names = [f.attname for f in self.fields]
        with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row(
                    [json.dumps(row[name]) if name in json_fields else row[name] for name in names]
                )


@dataclass
class _World:
    """The small tables, as plain values the case generator draws from."""

    now: datetime
    tenants: list[tuple[int, str, str, int, str, str]]  # id, domain, tier, admin id/email/name
    time_zones: dict[int, str]
    engineers: list[int]
    problem_types: dict[str, list[tuple[int, int | None]]]
    targets: dict[tuple[str, str, str], _Target]


def _build_people(scale: Scale, rng: random.Random, now: datetime) -> _World:
    password = make_password(None)  # unusable: nobody signs in as a bench user by default
    long_ago = now - timedelta(days=365 * YEARS + 30)
    tenants = [
        Tenant(
            name=f"Bench Tenant {number:05d}",
            primary_domain=f"{PREFIX}{number:05d}.example",
            country=PLACES[number % len(PLACES)][0],
            time_zone=PLACES[number % len(PLACES)][1],
            preferred_language=PLACES[number % len(PLACES)][2],
        )
        for number in range(1, scale.tenants + 1)
    ]
    Tenant.objects.bulk_create(tenants)
    # Every list the generator draws from is ordered, so a size always gives the same data set.
    tenant_ids = dict(
        bench_tenants().order_by("primary_domain").values_list("primary_domain", "id")
    )
    tier_of = {domain: _pick(rng, TIERS) for domain in tenant_ids}
    plans = dict(Plan.objects.values_list("code", "id"))

    partners = [
        PartnerOrganization(
            name=f"Bench Partner {number:02d}",
            domain=f"{PREFIX}partner-{number:02d}.example",
            support_email=f"help@{PREFIX}partner-{number:02d}.example",
        )
        for number in range(1, scale.partners + 1)
    ]
    PartnerOrganization.objects.bulk_create(partners)
    partner_ids = list(
        PartnerOrganization.objects.filter(domain__startswith=PREFIX)
        .order_by("pk")
        .values_list("pk", flat=True)
    )

    def user(email, name, tenant_id=None):
        return User(
            email=email,
            display_name=name,
            password=password,
            tenant_id=tenant_id,
            date_joined=long_ago,
        )

    users = [
        user(f"admin@{domain}", f"Admin of {domain}", tenant_ids[domain]) for domain in tenant_ids
    ]
    users += [
        user(f"engineer-{number:04d}@{SUPPORT_DOMAIN}", f"Bench Engineer {number:04d}")
        for number in range(1, scale.engineers + 1)
    ]
    users += [
        user(f"manager-{number}@{SUPPORT_DOMAIN}", f"Bench Manager {number}")
        for number in range(1, scale.managers + 1)
    ]
    users += [
        user(f"agent@{PREFIX}partner-{number:02d}.example", f"Agent of partner {number:02d}")
        for number in range(1, scale.partners + 1)
    ]
    User.objects.bulk_create(users, batch_size=2000)
    user_ids = dict(
        User.objects.filter(email__contains=f"@{PREFIX}")
        .order_by("email")
        .values_list("email", "id")
    )

    RoleAssignment.objects.bulk_create(
        RoleAssignment(
            user_id=user_ids[f"admin@{domain}"], tenant_id=pk, role=TenantRole.GLOBAL_ADMIN
        )
        for domain, pk in tenant_ids.items()
    )
    Subscription.objects.bulk_create(
        Subscription(
            tenant_id=pk,
            plan_id=plans[PLAN_FOR_TIER[tier_of[domain]]],
            starts_at=long_ago,
            reseller_id=rng.choice(partner_ids) if rng.random() < 0.3 else None,
        )
        for domain, pk in tenant_ids.items()
    )
    ElevatedSupportContract.objects.bulk_create(
        ElevatedSupportContract(
            tenant_id=pk,
            reference=f"BENCH-{pk}",
            starts_at=long_ago,
            ends_at=now + timedelta(days=365),
        )
        for domain, pk in tenant_ids.items()
        if tier_of[domain] == SupportTier.ELEVATED
    )
    engineer_emails = [email for email in user_ids if email.startswith("engineer-")]
    SupportProfile.objects.bulk_create(
        SupportProfile(
            user_id=user_ids[email],
            role=SupportRole.ENGINEER,
            languages=["en", rng.choice(list(LANGUAGES))],
        )
        for email in engineer_emails
    )
    SupportProfile.objects.bulk_create(
        SupportProfile(user_id=user_ids[email], role=SupportRole.MANAGER, languages=["en"])
        for email in user_ids
        if email.startswith("manager-")
    )
    _build_relationships(rng, now, tenant_ids, partner_ids, user_ids)

    admins = {domain: user_ids[f"admin@{domain}"] for domain in tenant_ids}
    by_category: dict[str, list[tuple[int, int | None]]] = {code: [] for code in CATEGORIES}
    for pk, category, product in (
        ProblemType.objects.filter(is_out_of_scope=False, is_active=True)
        .order_by("pk")
        .values_list("pk", "category_id", "product_id")
    ):
        by_category.setdefault(category, []).append((pk, product))
    return _World(
        now=now,
        tenants=[
            (pk, domain, tier_of[domain], admins[domain], f"admin@{domain}", f"Admin of {domain}")
            for domain, pk in tenant_ids.items()
        ],
        time_zones=dict(bench_tenants().values_list("pk", "time_zone")),
        engineers=[user_ids[email] for email in engineer_emails],
        problem_types=by_category,
        targets=_targets(now),
    )


def _build_relationships(rng, now, tenant_ids, partner_ids, user_ids) -> None:
    """About half the tenants delegate to a partner: mostly active, some expired, terminated or
    pending, as the relationship sweep would have left them (reminders already sent)."""
    agents = {
        pk: user_ids[f"agent@{domain}"]
        for pk, domain in PartnerOrganization.objects.filter(pk__in=partner_ids).values_list(
            "pk", "domain"
        )
    }
    PartnerMembership.objects.bulk_create(
        PartnerMembership(user_id=agent, partner_id=partner, is_admin_agent=True)
        for partner, agent in agents.items()
    )
    admins = {pk: user_ids[f"admin@{domain}"] for domain, pk in tenant_ids.items()}
    relationships = []
    for tenant_id in tenant_ids.values():
        if rng.random() >= 0.5:
            continue
        partner = rng.choice(partner_ids)
        status = _pick(
            rng,
            {
                RelationshipStatus.ACTIVE: 70,
                RelationshipStatus.EXPIRED: 15,
                RelationshipStatus.TERMINATED: 10,
                RelationshipStatus.APPROVAL_PENDING: 5,
            },
        )
        days = rng.choice([90, 180, 365, 730])
        requested = now - timedelta(days=rng.uniform(1, 700))
        row = DelegatedAdminRelationship(
            partner_id=partner,
            tenant_id=tenant_id,
            name=f"Bench delegation {tenant_id}",
            roles=[TenantRole.SERVICE_SUPPORT_ADMIN],
            duration_days=days,
            auto_extend=rng.random() < 0.3,
            status=status,
            requested_at=requested,
            requested_by_id=agents[partner],
        )
        if status == RelationshipStatus.APPROVAL_PENDING:
            row.requested_at = now - timedelta(days=rng.uniform(1, 60))
        else:
            row.approved_at = requested + timedelta(hours=2)
            row.approved_by_id = admins[tenant_id]
            row.ends_at = row.approved_at + timedelta(days=days)
        if status == RelationshipStatus.ACTIVE and row.ends_at <= now:
            row.ends_at = now + timedelta(days=rng.uniform(1, days))
        if status == RelationshipStatus.ACTIVE and not row.auto_extend:
            left = (row.ends_at - now).total_seconds() / 86400
            row.last_reminder_days = min((d for d in (30, 7, 1) if left <= d), default=None)
        if status == RelationshipStatus.EXPIRED:
            row.auto_extend = False
            row.ends_at = min(row.ends_at, now - timedelta(days=1))
            row.expired_at = row.ends_at
            row.last_reminder_days = 0
        if status == RelationshipStatus.TERMINATED:
            row.terminated_at = min(row.ends_at, now - timedelta(days=1))
        relationships.append(row)
    DelegatedAdminRelationship.objects.bulk_create(relationships)
    created = (
        DelegatedAdminRelationship.objects.filter(partner_id__in=partner_ids)
        .order_by("pk")
        .values_list("pk", "partner_id", "status", "requested_at")
    )
    RelationshipEvent.objects.bulk_create(
        RelationshipEvent(relationship_id=pk, kind=RelationshipEvent.Kind.REQUESTED, at=at)
        for pk, _partner, _status, at in created
    )
    RelationshipAssignment.objects.bulk_create(
        RelationshipAssignment(
            relationship_id=pk,
            user_id=agents[partner],
            roles=[TenantRole.SERVICE_SUPPORT_ADMIN],
            assigned_at=at + timedelta(hours=3),
            assigned_by_id=agents[partner],
        )
        for pk, partner, status, at in created
        if status == RelationshipStatus.ACTIVE
    )


def _case_rows(
    world: _World, rng: random.Random, index: int, total: int, case_id: int
) -> tuple[dict, list[dict], dict, dict | None]:
    """One case with its events, its "request created" outbox row and maybe a survey."""
    now = world.now
    span = timedelta(days=365 * YEARS)
    opened = now - span + span * ((index + rng.random()) / total)
    age_days = (now - opened).total_seconds() / 86400
    tenant_id, _domain, tier, admin_id, admin_email, admin_name = rng.choice(world.tenants)
    category = _pick(rng, CATEGORIES)
    severity = _pick(rng, SEVERITIES[category])
    target = world.targets[(tier, category, severity)]
    due = opened + target.due_after if target.due_after is not None else None
    warn = opened + target.warn_after if target.warn_after is not None else None

    is_open = rng.random() < 0.09 + 0.85 * math.exp(-age_days / 15)
    status = _pick(rng, OPEN_MIX) if is_open else CaseStatus.CLOSED
    if status == CaseStatus.NEW:
        responded = False
    elif status == CaseStatus.IN_PROGRESS:
        responded = rng.random() >= 0.2
    else:
        responded = status == CaseStatus.WAITING_ON_CUSTOMER or rng.random() < 0.95
    latest = opened + (now - opened) * 0.9
    first_response = None
    if responded:
        if target.due_after is not None:
            share = rng.uniform(1.05, 2.0) if rng.random() < 0.12 else rng.uniform(0.05, 0.95)
            first_response = opened + target.due_after * share
        else:
            first_response = opened + timedelta(minutes=rng.uniform(10, 2880))
        first_response = min(first_response, latest)
    closed_at = None
    if status == CaseStatus.CLOSED:
        base = first_response or opened
        closed_at = max(base, min(base + timedelta(hours=rng.expovariate(1 / 72)), latest))
    stop = min(moment for moment in (first_response, closed_at, now) if moment is not None)
    breached_at = due if due is not None and due < stop else None
    warned_at = warn if warn is not None and warn < stop else None
    engineer = rng.choice(world.engineers)
    assigned = engineer if status != CaseStatus.NEW or rng.random() < 0.4 else None
    phone = "+1 212 555 0100" if severity == "A" or rng.random() < 0.3 else ""
    impact = IMPACT_FOR_SEVERITY[severity] if category == "technical" else ("", "", None)
    problem_type, product = (
        rng.choice(world.problem_types[category]) if world.problem_types[category] else (None, None)
    )
    title = f"{rng.choice(TITLES)} #{index}"
    language = _pick(rng, LANGUAGES)

    events = [
        _event(case_id, CaseEvent.Kind.OPENED, admin_id, opened, new=severity, body="impact"),
    ]
    last_activity = opened
    if first_response is not None:
        events.append(
            _event(case_id, CaseEvent.Kind.REPLY, engineer, first_response, body=DESCRIPTIONS[1])
        )
        last_activity = first_response
        if rng.random() < 0.15:
            later = first_response + (stop - first_response) * rng.random()
            events.append(_event(case_id, CaseEvent.Kind.REPLY, admin_id, later, body=title))
            last_activity = max(last_activity, later)
        if rng.random() < 0.05:
            events.append(
                _event(
                    case_id, CaseEvent.Kind.NOTE, engineer, first_response, public=False, body=title
                )
            )
    if breached_at is not None:
        events.append(_event(case_id, CaseEvent.Kind.BREACHED, None, breached_at, public=False))
    if closed_at is not None:
        events.append(_event(case_id, CaseEvent.Kind.CLOSED, engineer, closed_at, body="Resolved."))
        last_activity = closed_at
    reopen_until = closed_at + REOPEN_WINDOW if closed_at else None
    waiting = first_response is None
    case = {
        "id": case_id,
        "number": _number(index, opened),
        "tenant_id": tenant_id,
        "opened_by_id": admin_id,
        "acting_partner_id": None,
        "category_id": category,
        "product_id": product,
        "problem_type_id": problem_type,
        "title": title,
        "description": DESCRIPTIONS[index % len(DESCRIPTIONS)],
        "severity": severity,
        "impact_service": impact[0],
        "impact_users": impact[1],
        "impact_workaround": impact[2],
        "contact_name": admin_name,
        "contact_email": admin_email,
        "contact_phone": phone,
        "contact_alternate_email": "",
        "contact_method": "phone" if phone and rng.random() < 0.3 else "email",
        "support_language": language,
        "contact_time_zone": world.time_zones[tenant_id],
        "translator_wanted": False,
        "available_24x7": severity == "A" or rng.random() < 0.1,
        "status": status,
        "assigned_to_id": assigned,
        "support_tier": tier,
        "response_availability": target.availability,
        "response_label": target.label,
        "response_minutes": target.minutes,
        "opened_at": opened,
        "initial_response_due_at": due,
        "breach_warn_at": warn,
        "first_responded_at": first_response,
        "breached_at": breached_at,
        "breach_warned_at": warned_at,
        "last_activity_at": last_activity,
        "queue_breached": waiting and breached_at is not None,
        "queue_due_at": due if waiting else None,
        "closed_at": closed_at,
        "resolution_summary": "Resolved." if closed_at else "",
        "reopen_until": reopen_until,
        "reopen_window_closed_at": reopen_until if reopen_until and reopen_until <= now else None,
        "reopen_count": 1 if closed_at and rng.random() < 0.03 else 0,
        "related_case_id": None,
    }
    created = {
        "kind": Notification.Kind.CASE_CREATED,
        "audience": Notification.Audience.ADDRESS,
        "to": [admin_email],
        "cc": [],
        "case_id": case_id,
        "relationship_id": None,
        "language": "ko" if language == "ko" else "en",
        "context": {
            "number": case["number"],
            "title": title,
            "path": f"/requests/{case['number']}/",
        },
        "dedupe_key": None,
        "status": Notification.Status.SENT,
        "attempts": 1,
        "next_attempt_at": opened,
        "created_at": opened,
        "sent_at": opened + timedelta(minutes=1),
        "last_error": "",
    }
    survey = None
    if closed_at is not None and rng.random() < 0.3:
        survey = {
            "case_id": case_id,
            "closure": case["reopen_count"],
            "rating": _pick(rng, RATINGS),
            "comment": "",
            "submitted_by_id": admin_id,
            "submitted_at": min(closed_at + timedelta(hours=rng.uniform(1, 48)), now),
        }
    return case, events, created, survey


def _event(case_id, kind, actor, at, *, public=True, body="", new="") -> dict:
    return {
        "case_id": case_id,
        "kind": kind,
        "actor_id": actor,
        "acting_partner_id": None,
        "is_public": public,
        "body": body,
        "old_value": "",
        "new_value": new,
        "at": at,
    }


def _batches(world: _World, scale: Scale, first_id: int) -> Iterator[tuple[list, list, list, list]]:
    rng = random.Random(scale.cases)  # noqa: S311 - synthetic data, reproducible per size
    for start in range(0, scale.cases, BATCH):
        cases, events, notices, surveys = [], [], [], []
        for index in range(start, min(start + BATCH, scale.cases)):
            case, case_events, notice, survey = _case_rows(
                world, rng, index, scale.cases, first_id + index
            )
            cases.append(case)
            events.extend(case_events)
            notices.append(notice)
            if survey is not None:
                surveys.append(survey)
        yield cases, events, notices, surveys


def build(scale: Scale, log: Log = lambda _line: None) -> None:
    """Write a new data set of `scale` (the caller removed any previous one)."""
    now = timezone.now().replace(microsecond=0)
    rng = random.Random(scale.cases + 1)  # noqa: S311 - synthetic data
    if not Category.objects.exists() or not Plan.objects.exists():
        raise RuntimeError("Reference data is missing: run `manage.py migrate` first.")
    with transaction.atomic():
        world = _build_people(scale, rng, now)
    first_id = (Case.objects.aggregate(last=Max("pk"))["last"] or 0) + 1
    writers = None
    written = 0
    for cases, events, notices, surveys in _batches(world, scale, first_id):
        if writers is None:
            writers = [
                (_Writer(Case, cases[0]), cases),
                (_Writer(CaseEvent, events[0]), events),
                (_Writer(Notification, notices[0]), notices),
                (_Writer(SatisfactionSurvey, _survey_keys()), surveys),
            ]
        with transaction.atomic():
            for writer, rows in zip(
                (w for w, _rows in writers), (cases, events, notices, surveys), strict=True
            ):
                writer.write(rows)
        written += len(cases)
        if written % 100_000 == 0 or written == scale.cases:
            log(f"  {written:,} cases written")
    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), [Case]):
            cursor.execute(statement)
    if connection.vendor == "postgresql":
        # Fresh statistics, or the planner takes thousands of rows for the few it last saw.
        with connection.cursor() as cursor:
            for model in ANALYZED:
                cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def _survey_keys() -> list[str]:
    return ["case_id", "closure", "rating", "comment", "submitted_by_id", "submitted_at"]


def ensure(cases: int, *, rebuild: bool = False, log: Log = lambda _line: None) -> Dataset:
    """The data set of `cases` cases: reused when the database holds one of exactly that size,
    otherwise built (after removing a bench data set of another size)."""
    scale = scale_for(cases)
    tenants, found = existing_size()
    reused = not rebuild and tenants == scale.tenants and found == scale.cases
    seconds = None
    if not reused:
        if tenants:
            remove(log)
        log(
            f"Building {scale.cases:,} cases over {scale.tenants:,} tenants, {scale.partners} "
            f"partners and {scale.engineers} engineers ({connection.vendor})..."
        )
        started = timezone.now()
        build(scale, log)
        seconds = (timezone.now() - started).total_seconds()
        log(f"Built in {seconds:.1f} s.")
    else:
        log(f"Reusing the bench data set of {scale.cases:,} cases.")
    vacuum(log)
    return _dataset(scale, reused, seconds)


def vacuum(log: Log = lambda _line: None) -> None:
    """VACUUM (ANALYZE) the tables the bench writes, on PostgreSQL outside a transaction: the
    figures then do not depend on the dead rows earlier runs left for autovacuum, nor on the
    hint bits the first reads after a bulk load would set."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return
    started = timezone.now()
    with connection.cursor() as cursor:
        for model in ANALYZED:
            cursor.execute(f"VACUUM (ANALYZE) {connection.ops.quote_name(model._meta.db_table)}")
    log(f"Vacuumed in {(timezone.now() - started).total_seconds():.1f} s.")


def _dataset(scale: Scale, reused: bool, seconds: float | None) -> Dataset:
    """The personas and rows the measurements use, chosen the same way at every size: the tenant
    of the newest open case, its newest closed case, the newest case being worked on."""
    cases = bench_cases()
    # An enterprise tenant (the commonest tier) at every size: the tier decides how many queries
    # filing takes (an elevated contract or the subscriptions), so sizes compare like for like.
    newest_open = (
        cases.filter(
            status__in=OPEN_STATUSES,
            tenant__subscriptions__plan__support_tier=SupportTier.ENTERPRISE,
            tenant__elevated_contracts__isnull=True,
        )
        .order_by("-pk")
        .first()
    )
    if newest_open is None:
        newest_open = cases.order_by("-pk").first()
    tenant = newest_open.tenant
    tenant_case = (
        cases.filter(tenant=tenant, status=CaseStatus.CLOSED).order_by("-pk").first() or newest_open
    )
    worked = (
        cases.filter(status=CaseStatus.IN_PROGRESS, first_responded_at__isnull=False)
        .order_by("-pk")
        .first()
        or newest_open
    )
    problem_type = (
        ProblemType.objects.filter(category_id="technical", is_out_of_scope=False, is_active=True)
        .order_by("code")
        .values_list("code", flat=True)
        .first()
    )
    return Dataset(
        scale=scale,
        reused=reused,
        build_seconds=seconds,
        engineer=User.objects.get(email=f"engineer-0001@{SUPPORT_DOMAIN}"),
        manager=User.objects.get(email=f"manager-1@{SUPPORT_DOMAIN}"),
        admin=User.objects.get(email=f"admin@{tenant.primary_domain}"),
        tenant=tenant,
        workspace_case=worked.number,
        tenant_case=tenant_case.number,
        problem_type=problem_type,
    )


# Due samples for the sweeps -----------------------------------------------------------------------


def due_count(scale: Scale) -> int:
    """How many rows each case sweep finds due: 1% of the cases (10,000 at a million)."""
    return max(1, scale.cases // 100)


def make_breaches_due(count: int) -> list[int]:
    """Un-flag `count` breached, unanswered open cases, as if the sweep had not run since their
    due time. The sweep flags them again exactly as they were (breached_at = due time), so only
    its events and outbox rows need removing afterwards (`forget_sweep_rows`)."""
    ids = list(
        bench_cases()
        .filter(
            status__in=OPEN_STATUSES,
            first_responded_at__isnull=True,
            breached_at__isnull=False,
        )
        .order_by("pk")
        .values_list("pk", flat=True)[:count]
    )
    Case.objects.filter(pk__in=ids).update(breached_at=None, queue_breached=False)
    return ids


def restore_breaches(ids: list[int]) -> None:
    """Flag the sample again as the sweep would (when a measurement did not run it)."""
    Case.objects.filter(pk__in=ids).update(
        breached_at=F("initial_response_due_at"), queue_breached=True
    )


def make_reopen_windows_due(count: int) -> list[int]:
    """Reopen `count` passed reopen windows (closed cases), as if the sweep had not run."""
    ids = list(
        bench_cases()
        .filter(status=CaseStatus.CLOSED, reopen_window_closed_at__isnull=False)
        .order_by("pk")
        .values_list("pk", flat=True)[:count]
    )
    Case.objects.filter(pk__in=ids).update(reopen_window_closed_at=None)
    return ids


def restore_reopen_windows(ids: list[int]) -> None:
    Case.objects.filter(pk__in=ids).update(reopen_window_closed_at=F("reopen_until"))


@dataclass(frozen=True)
class RelationshipSample:
    ids: list[int]
    original: list[dict]


def make_relationships_due(now: datetime) -> RelationshipSample:
    """Move the end of 1% of the active bench relationships (at least one) just before `now`."""
    active = DelegatedAdminRelationship.objects.filter(
        partner__domain__startswith=PREFIX, status=RelationshipStatus.ACTIVE
    )
    count = max(1, active.count() // 100)
    original = list(
        active.order_by("pk").values("pk", "ends_at", "last_reminder_days", "auto_extend")[:count]
    )
    ids = [row["pk"] for row in original]
    active.filter(pk__in=ids).update(ends_at=now - timedelta(minutes=1), last_reminder_days=None)
    return RelationshipSample(ids=ids, original=original)


def restore_relationships(sample: RelationshipSample, now: datetime) -> None:
    for row in sample.original:
        DelegatedAdminRelationship.objects.filter(pk=row["pk"]).update(
            status=RelationshipStatus.ACTIVE,
            ends_at=row["ends_at"],
            expired_at=None,
            last_reminder_days=row["last_reminder_days"],
        )
    RelationshipEvent.objects.filter(relationship_id__in=sample.ids, at=now).delete()
    Notification.objects.filter(relationship_id__in=sample.ids, created_at=now).delete()


def forget_sweep_rows(now: datetime, ids: list[int]) -> None:
    """Remove the history events and outbox rows a case sweep wrote at `now` for the cases `ids`."""
    CaseEvent.objects.filter(case_id__in=ids, at=now).delete()
    Notification.objects.filter(case_id__in=ids, created_at=now).delete()


@dataclass(frozen=True)
class TierChangeSample:
    case_ids: list[int]
    last_activity: dict[int, datetime]
    subscriptions: dict[int, datetime]  # id -> original start


def make_tier_changes_due(count: int, now: datetime) -> TierChangeSample:
    """Give at least `count` waiting cases (open, unanswered) a tier their tenant no longer has, and
    their tenants a subscription that started an hour ago, as if each had just changed plans.

    The tier-change sweep then puts each case back at its tenant's tier, with the target it had
    (the data set's targets are the services' own); `restore_tier_changes` puts back the rest."""
    waiting = bench_cases().filter(status__in=OPEN_STATUSES, first_responded_at__isnull=True)
    counts = dict(
        waiting.values_list("tenant_id").annotate(n=models.Count("pk")).order_by("tenant_id")
    )
    tiers_now = account_selectors.tenant_support_tiers(
        list(Tenant.objects.filter(pk__in=counts)), at=now
    )
    tiers, total = {}, 0
    for tenant_id, waiting_cases in sorted(counts.items()):
        if total >= count:
            break
        if tiers_now[tenant_id] is not None:
            tiers[tenant_id] = tiers_now[tenant_id]
            total += waiting_cases
    chosen = list(tiers)
    cases = waiting.filter(tenant_id__in=chosen)
    last_activity = dict(cases.values_list("pk", "last_activity_at"))
    for tier in set(tiers.values()):
        former = SupportTier.BUSINESS if tier != SupportTier.BUSINESS else SupportTier.ENTERPRISE
        at_tier = [pk for pk, its_tier in tiers.items() if its_tier == tier]
        cases.filter(tenant_id__in=at_tier).update(support_tier=former)
    subscriptions = Subscription.objects.filter(tenant_id__in=chosen)
    original_starts = dict(subscriptions.values_list("pk", "starts_at"))
    subscriptions.update(starts_at=now - timedelta(hours=1))
    return TierChangeSample(list(last_activity), last_activity, original_starts)


def restore_tier_changes(sample: TierChangeSample, now: datetime) -> None:
    Subscription.objects.bulk_update(
        [Subscription(pk=pk, starts_at=at) for pk, at in sample.subscriptions.items()],
        ["starts_at"],
        batch_size=500,
    )
    Case.objects.bulk_update(
        [Case(pk=pk, last_activity_at=at) for pk, at in sample.last_activity.items()],
        ["last_activity_at"],
        batch_size=500,
    )
    forget_sweep_rows(now, sample.case_ids)
