"""The periodic sweeps over cases (spec section 9): set-based, idempotent, safe in parallel.

Each sweep takes only the due rows through a partial index, locks them with SKIP LOCKED so a
second sweep running at the same time takes other rows (or none), flags them with one UPDATE,
and writes the history events and outbox rows in bulk in the same transaction. A sweep killed
half-way commits nothing of its current batch; the next run does that batch again.

On PostgreSQL the events and outbox rows of a batch are built in the database from the batch's
ids (`sweep_sql`); elsewhere in Python. Both write the same rows.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from ..models import OPEN_STATUSES, Case, CaseEvent, CaseStatus, Notification
from . import notifications, sweep_sql

# Rows per transaction: a catch-up of thousands of due cases commits in a few steps, and no
# row stays locked (against a claim, say) for more than a fraction of a second.
BATCH = 5000


def set_based() -> bool:
    """Whether the sweeps write through `sweep_sql` (PostgreSQL) rather than model instances."""
    return connection.vendor == "postgresql"


Kind = CaseEvent.Kind


@dataclass(frozen=True)
class BreachSweep:
    warned: int
    breached: int


def _due_batch(queryset) -> list[dict]:
    return list(
        queryset.select_for_update(skip_locked=True, of=("self",))
        .order_by()
        .values(
            "pk", "number", "title", "assigned_to__email", "initial_response_due_at", "tenant__name"
        )[:BATCH]
    )


def _message(row: dict, kind: str, key: str) -> notifications.Message:
    context = {
        "number": row["number"],
        "title": row["title"],
        "tenant": row["tenant__name"],
        "due": row["initial_response_due_at"].isoformat(),
        "path": f"/console/cases/{row['number']}/",
    }
    dedupe_key = f"{key}:{row['pk']}:{row['initial_response_due_at'].isoformat()}"
    if row["assigned_to__email"]:
        return notifications.Message(
            kind=kind,
            to=[row["assigned_to__email"]],
            case_id=row["pk"],
            context=context,
            dedupe_key=dedupe_key,
        )
    return notifications.Message(
        kind=kind,
        audience=Notification.Audience.MANAGERS,
        case_id=row["pk"],
        context=context,
        dedupe_key=dedupe_key,
    )


def _flag_portable(
    queryset, *, now: datetime, changes: dict, event_kind: str, notice_kind: str, key: str
) -> int:
    rows = _due_batch(queryset)
    ids = [row["pk"] for row in rows]
    if not ids:
        return 0
    flagged = queryset.filter(pk__in=ids).update(**changes)
    CaseEvent.objects.bulk_create(
        CaseEvent(case_id=pk, kind=event_kind, is_public=False, at=now) for pk in ids
    )
    notifications.queue((_message(row, notice_kind, key) for row in rows), at=now)
    return flagged


def _flag(
    queryset,
    *,
    now: datetime,
    changes: dict,
    assignments: tuple[str, list],
    event_kind: str,
    notice_kind: str,
    key: str,
) -> int:
    """Flag the due cases batch by batch: `changes` for the ORM, the same as SQL `assignments`
    (SET clauses over the alias `c`, and their parameters) for the set-based path."""
    total = 0
    while True:
        with transaction.atomic():
            if set_based():
                flagged = sweep_sql.flag_batch(
                    queryset,
                    limit=BATCH,
                    assignments=assignments[0],
                    assignment_params=assignments[1],
                    event_kind=event_kind,
                    event_public=False,
                    at=now,
                    notice_kind=notice_kind,
                    notice_key=key,
                )
                if flagged:
                    transaction.on_commit(notifications.kick_delivery)
            else:
                flagged = _flag_portable(
                    queryset,
                    now=now,
                    changes=changes,
                    event_kind=event_kind,
                    notice_kind=notice_kind,
                    key=key,
                )
        total += flagged
        if flagged < BATCH:
            return total


def flag_response_breaches(*, now: datetime | None = None) -> BreachSweep:
    """Warn once at 75% of the initial-response target, and flag once when it passes.

    Only open cases without a first response are looked at; a case already past its due time
    is flagged (not warned) and its breach time is the due time, whatever the sweep's delay.
    """
    now = now or timezone.now()
    waiting = Case.objects.filter(status__in=OPEN_STATUSES, first_responded_at__isnull=True)
    breached = _flag(
        waiting.filter(breached_at__isnull=True, initial_response_due_at__lte=now),
        now=now,
        changes={"breached_at": F("initial_response_due_at"), "queue_breached": True},
        assignments=("breached_at = c.initial_response_due_at, queue_breached = true", []),
        event_kind=Kind.BREACHED,
        notice_kind=Notification.Kind.BREACHED,
        key="breached",
    )
    warned = _flag(
        waiting.filter(
            breach_warned_at__isnull=True, breach_warn_at__lte=now, initial_response_due_at__gt=now
        ),
        now=now,
        changes={"breach_warned_at": now},
        assignments=("breach_warned_at = %s", [now]),
        event_kind=Kind.BREACH_WARNING,
        notice_kind=Notification.Kind.BREACH_WARNING,
        key="breach_warning",
    )
    return BreachSweep(warned=warned, breached=breached)


def close_reopen_windows(*, now: datetime | None = None) -> int:
    """Close for good the reopen window of cases closed 14 days ago or more."""
    now = now or timezone.now()
    due = Case.objects.filter(
        status=CaseStatus.CLOSED, reopen_window_closed_at__isnull=True, reopen_until__lte=now
    )
    total = 0
    while True:
        with transaction.atomic():
            if set_based():
                closed = sweep_sql.flag_batch(
                    due,
                    limit=BATCH,
                    assignments="reopen_window_closed_at = %s",
                    assignment_params=[now],
                    event_kind=Kind.WINDOW_CLOSED,
                    event_public=True,
                    at=now,
                )
            else:
                ids = list(
                    due.select_for_update(skip_locked=True)
                    .order_by()
                    .values_list("pk", flat=True)[:BATCH]
                )
                closed = due.filter(pk__in=ids).update(reopen_window_closed_at=now)
                CaseEvent.objects.bulk_create(
                    CaseEvent(case_id=pk, kind=Kind.WINDOW_CLOSED, at=now) for pk in ids
                )
        total += closed
        if closed < BATCH:
            return total
