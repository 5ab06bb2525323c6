"""The engineer queue: every open case, most urgent first, paged by keyset.

Order (spec section 5 and the console's contract): cases past their initial-response target and
still unanswered first, then by the pending due time (soonest first), then cases with no pending
commitment by age. The order lives in `Case.queue_breached` / `queue_due_at`, kept by the services
and sweeps, so the partial index `case_queue_order` serves both the order and the keyset.
"""

import base64
import json
import re
import zoneinfo
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache

from django.db.models import F, Q, QuerySet, prefetch_related_objects
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from accounts.models import User
from helpdesk.errors import NotAllowed
from helpdesk.prepared import PreparedQuery

from . import policies
from .models import OPEN_STATUSES, Case, CaseStatus

VIEWS = ("unassigned", "mine", "all", "breached", "waiting")
PAGE_SIZE = 50
# NULLS LAST is PostgreSQL's default for an ascending index, so the index serves this order.
ORDER = (
    F("queue_breached").desc(),
    F("queue_due_at").asc(nulls_last=True),
    F("opened_at").asc(),
    F("id").asc(),
)


@dataclass(frozen=True)
class QueueFilters:
    view: str = "all"
    severity: str = ""
    tier: str = ""
    category: str = ""
    product: str = ""
    language: str = ""
    status: str = ""
    tenant: str = ""
    assigned: str = ""  # a user id, or "none"


@dataclass
class QueuePage:
    # Cases, or named tuples of the `columns` a caller asked for (see `queue_for`).
    rows: list = field(default_factory=list)
    next_cursor: str | None = None


def _cursor_for(case) -> str:
    raw = [
        case.queue_breached,
        case.queue_due_at.isoformat() if case.queue_due_at else None,
        case.opened_at.isoformat(),
        case.pk,
    ]
    return base64.urlsafe_b64encode(json.dumps(raw).encode()).decode()


def _after(cursor: str) -> Q:
    """Rows that come after the cursor's row in ORDER; a malformed cursor starts from the top."""
    try:
        breached, due, opened, pk = json.loads(base64.urlsafe_b64decode(cursor.encode()))
        due = parse_datetime(due) if due else None
        opened = parse_datetime(opened)
        if opened is None or not isinstance(pk, int) or not isinstance(breached, bool):
            raise ValueError
    except (ValueError, TypeError, json.JSONDecodeError, UnicodeDecodeError):
        return Q()
    later_same_due = Q(opened_at__gt=opened) | Q(opened_at=opened, id__gt=pk)
    if due is None:
        same_group = Q(queue_due_at__isnull=True) & later_same_due
    else:
        same_group = (
            Q(queue_due_at__gt=due)
            | Q(queue_due_at__isnull=True)
            | (Q(queue_due_at=due) & later_same_due)
        )
    after = Q(queue_breached=breached) & same_group
    if breached:
        after |= Q(queue_breached=False)
    return after


def _filtered(actor: User, filters: QueueFilters) -> QuerySet[Case]:
    cases = Case.objects.filter(status__in=OPEN_STATUSES)
    if filters.view == "unassigned":
        cases = cases.filter(assigned_to__isnull=True)
    elif filters.view == "mine":
        cases = cases.filter(assigned_to=actor)
    elif filters.view == "breached":
        cases = cases.filter(queue_breached=True)
    elif filters.view == "waiting":
        cases = cases.filter(status=CaseStatus.WAITING_ON_CUSTOMER)
    simple = {
        "severity": "severity",
        "tier": "support_tier",
        "category": "category_id",
        "product": "product__code",
        "language": "support_language",
        "status": "status",
        "tenant": "tenant__primary_domain",
    }
    for name, lookup in simple.items():
        value = getattr(filters, name)
        if value:
            cases = cases.filter(**{lookup: value})
    if filters.assigned == "none":
        cases = cases.filter(assigned_to__isnull=True)
    elif re.fullmatch(r"[0-9]{1,18}", filters.assigned):
        cases = cases.filter(assigned_to_id=int(filters.assigned))
    return cases


def queue_for(
    actor: User,
    filters: QueueFilters,
    *,
    cursor: str | None = None,
    size: int = PAGE_SIZE,
    columns: tuple[str, ...] | None = None,
) -> QueuePage:
    """One page of the queue for support staff (NotAllowed for anyone else): one query whatever
    the data size, with the tenant and the assigned engineer joined. Callers that show more of
    each case (the API) add `with_details` to the rows. Callers that show less name the only
    `columns` they read (see `cases.queue_rows.COLUMNS`, with the order's columns among them)
    and get named tuples of those and `pk` instead of cases: a page of model instances cost
    as much again as its query."""
    if not policies.can_use_console(actor):
        raise NotAllowed(_("The queue is for support staff."))
    if columns and not cursor and filters in _PLAIN_VIEWS:
        rows = _first_page_of(filters.view, columns, size).all()
    else:
        cases = _filtered(actor, filters)
        if cursor:
            cases = cases.filter(_after(cursor))
        rows = list(_ordered(cases, columns)[: size + 1])
    page = QueuePage(rows=rows[:size])
    if len(rows) > size:
        page.next_cursor = _cursor_for(rows[size - 1])
    return page


def _ordered(cases: QuerySet[Case], columns: tuple[str, ...] | None) -> QuerySet:
    # Two joins: PostgreSQL plans a join of six tables in far longer than it runs it.
    cases = cases.order_by(*ORDER)
    if columns:
        return cases.values_list("pk", *columns, named=True)
    return cases.select_related("tenant", "assigned_to")


# The first pages of the views that are the same for every engineer, unfiltered: what the
# console opens on and polls every 30 seconds. Their statements are compiled once per process
# (see helpdesk.prepared); "mine" and filtered or later pages go through the ORM each time.
_PLAIN_VIEWS = frozenset(
    QueueFilters(view=view) for view in ("all", "unassigned", "breached", "waiting")
)


@cache
def _first_page_of(view: str, columns: tuple[str, ...], size: int) -> PreparedQuery:
    # Any actor will do: these views do not depend on who asks.
    nobody = User()
    return PreparedQuery(
        lambda: _ordered(_filtered(nobody, QueueFilters(view=view)), columns)[: size + 1]
    )


def with_details(rows: list[Case]) -> list[Case]:
    """Load the acting partner and the small taxonomy tables of a page's rows: one query each,
    whatever the page size."""
    prefetch_related_objects(rows, "acting_partner", "category", "product", "problem_type")
    return rows


def support_staff() -> QuerySet[User]:
    """Engineers and managers, for the assigned filter and assignment forms."""
    return User.objects.filter(support_profile__isnull=False, is_active=True).order_by(
        "display_name"
    )


def local_now(time_zone: str, now: datetime) -> datetime:
    return now.astimezone(zoneinfo.ZoneInfo(time_zone))
