"""The figures of the manager dashboard, computed in the database.

Each figure is one aggregate query whatever the number of cases (a GROUP BY over the rows of
interest), returned as plain dataclasses that the page and the CSV export both use. Python only
shapes the grouped rows (at most a few dozen) into complete tables, filling the empty cells with
zeros. Times are compared in UTC; days are UTC days.

Which cases each figure counts:

- Attainment: cases *opened* in the period [start, end).
- Backlog: cases open at `now`, whenever they were opened (a snapshot, not bound to the period).

The backlog counts every open case (a tenth of the table) and a busy month's attainment tens of
thousands of cases, so the page shows a snapshot of all four figures that is at most a minute old
(`recent_dashboard_figures`) and says when it was taken.
- Breaches by day: breaches that *happened* in the period (``breached_at`` in [start, end)),
  whenever the case was opened.
- Satisfaction: surveys *submitted* in the period.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise

from django.db import models
from django.db.models import Avg, Count, F, Q, Value, When
from django.db.models.functions import Coalesce, TruncDate
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.models import SupportTier
from helpdesk import shared_cache

from .models import Case, CaseStatus, SatisfactionSurvey, Severity

SEVERITIES = tuple(Severity.values)
RATINGS = (1, 2, 3, 4, 5)


# Initial-response attainment -------------------------------------------------------------------

MET = "met"
BREACHED = "breached"
NO_COMMITMENT = "no_commitment"
RUNNING = "running"
OUTCOMES = (MET, BREACHED, NO_COMMITMENT, RUNNING)


def outcome_label(outcome: str) -> str:
    return {
        MET: _("Met"),
        BREACHED: _("Breached"),
        NO_COMMITMENT: _("No commitment"),
        RUNNING: _("Still running"),
    }[outcome]


@dataclass(frozen=True)
class AttainmentRow:
    tier: str
    tier_label: str
    severity: str
    met: int = 0
    breached: int = 0
    no_commitment: int = 0
    running: int = 0

    @property
    def total(self) -> int:
        return self.met + self.breached + self.no_commitment + self.running

    @property
    def met_rate(self) -> float | None:
        """Share of the decided commitments that were met: met / (met + breached), or None."""
        decided = self.met + self.breached
        return self.met / decided if decided else None

    @property
    def met_percent(self) -> float | None:
        rate = self.met_rate
        return None if rate is None else rate * 100


@dataclass(frozen=True)
class Attainment:
    rows: list[AttainmentRow]
    total: AttainmentRow


def _outcome(now: datetime) -> models.Case:
    """Classify one case; the first matching branch wins, so the outcomes never overlap.

    The response clock stops at the first response (a public reply or a logged call by support
    staff) or, for a request closed without one, at its closing: a closed request waits no more.
    """
    due = F("initial_response_due_at")
    return models.Case(
        When(initial_response_due_at__isnull=True, then=Value(NO_COMMITMENT)),
        When(breached_at__isnull=False, then=Value(BREACHED)),
        When(response_stop__lte=due, then=Value(MET)),
        When(response_stop__gt=due, then=Value(BREACHED)),
        When(initial_response_due_at__lte=now, then=Value(BREACHED)),
        default=Value(RUNNING),
        output_field=models.CharField(),
    )


def _tier_label(tier: str) -> str:
    return SupportTier(tier).label if tier in SupportTier.values else _("No tier")


def initial_response_attainment(*, start: datetime, end: datetime, now: datetime) -> Attainment:
    """Outcome of the initial-response target of the cases opened in [start, end), by the tier
    and severity committed at the last target computation, judged at `now`.

    Exactly one outcome per case, in this order:

    - no commitment: the case has no due time (``initial_response_due_at`` is null);
    - breached: the breach sweep flagged it (``breached_at`` set), or its response clock stopped
      after the due time, or the clock still runs and the due time is at or before `now`
      (the sweep would flag it on its next run);
    - met: its response clock stopped at or before the due time;
    - still running: no response yet, not closed, and the due time is after `now`.

    The response clock stops at ``first_responded_at``, or, failing that, at ``closed_at`` (a
    request closed before anyone answered it no longer waits). Every tier and severity appears,
    with zeros where no case fell; cases without a tier come last. One query.
    """
    grouped = (
        Case.objects.filter(opened_at__gte=start, opened_at__lt=end)
        .annotate(response_stop=Coalesce("first_responded_at", "closed_at"))
        .annotate(outcome=_outcome(now))
        .values("support_tier", "severity", "outcome")
        .annotate(cases=Count("pk"))
        .order_by()
    )
    counts: dict[tuple[str, str], dict[str, int]] = {}
    for row in grouped:
        cell = counts.setdefault((row["support_tier"], row["severity"]), {})
        cell[row["outcome"]] = row["cases"]

    tiers = list(SupportTier.values)
    # Cases filed without a tier (or under a retired one) are shown after the known tiers.
    tiers += sorted({tier for tier, _severity in counts} - set(tiers))
    rows = [
        AttainmentRow(
            tier=tier,
            tier_label=_tier_label(tier),
            severity=severity,
            **counts.get((tier, severity), {}),
        )
        for tier in tiers
        for severity in SEVERITIES
    ]
    total = AttainmentRow(
        tier="",
        tier_label=_("All tiers"),
        severity="",
        **{outcome: sum(getattr(row, outcome) for row in rows) for outcome in OUTCOMES},
    )
    return Attainment(rows=rows, total=total)


# Backlog by age ---------------------------------------------------------------------------------

# (key, lower bound of the age) from the youngest bucket to the oldest; a case is in the first
# bucket whose next bound it has not reached: "1-3 days" means 1 day <= age < 3 days.
AGE_BUCKETS = (
    ("under_1d", timedelta(0)),
    ("1d_3d", timedelta(days=1)),
    ("3d_7d", timedelta(days=3)),
    ("7d_30d", timedelta(days=7)),
    ("over_30d", timedelta(days=30)),
)


def age_bucket_label(bucket: str) -> str:
    return {
        "under_1d": _("Under 1 day"),
        "1d_3d": _("1 to 3 days"),
        "3d_7d": _("3 to 7 days"),
        "7d_30d": _("7 to 30 days"),
        "over_30d": _("Over 30 days"),
    }[bucket]


@dataclass(frozen=True)
class BacklogRow:
    bucket: str
    label: str
    by_severity: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.by_severity.values())


@dataclass(frozen=True)
class Backlog:
    rows: list[BacklogRow]
    by_severity: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.by_severity.values())


def _age_bucket(now: datetime) -> models.Case:
    whens = [
        When(opened_at__gt=now - older_bound, then=Value(key))
        for (key, _young_bound), (_older_key, older_bound) in pairwise(AGE_BUCKETS)
    ]
    return models.Case(*whens, default=Value(AGE_BUCKETS[-1][0]), output_field=models.CharField())


def _backlog_counts(now: datetime) -> dict[tuple[str, str], int]:
    grouped = (
        Case.objects.exclude(status=CaseStatus.CLOSED)
        .annotate(bucket=_age_bucket(now))
        .values("bucket", "severity")
        .annotate(cases=Count("pk"))
        .order_by()
    )
    return {(row["bucket"], row["severity"]): row["cases"] for row in grouped}


def open_backlog(*, now: datetime) -> Backlog:
    """Cases not closed at `now`, by age (now - opened_at) and current severity. One query.

    Buckets: under 1 day (age < 24 h), 1 to 3 days, 3 to 7 days, 7 to 30 days, over 30 days;
    each lower bound is inclusive (a case exactly 3 days old is in "3 to 7 days").
    """
    counts = _backlog_counts(now)
    rows = [
        BacklogRow(
            bucket=key,
            label=age_bucket_label(key),
            by_severity={severity: counts.get((key, severity), 0) for severity in SEVERITIES},
        )
        for key, _bound in AGE_BUCKETS
    ]
    by_severity = {
        severity: sum(row.by_severity[severity] for row in rows) for severity in SEVERITIES
    }
    return Backlog(rows=rows, by_severity=by_severity)


# Breaches by day --------------------------------------------------------------------------------


@dataclass(frozen=True)
class BreachDay:
    day: date
    by_severity: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.by_severity.values())


@dataclass(frozen=True)
class BreachesByDay:
    days: list[BreachDay]

    @property
    def by_severity(self) -> dict[str, int]:
        return {
            severity: sum(day.by_severity[severity] for day in self.days) for severity in SEVERITIES
        }

    @property
    def total(self) -> int:
        return sum(day.total for day in self.days)


def period_days(start: datetime, end: datetime) -> list[date]:
    """The UTC dates that [start, end) touches, in order."""
    first = start.astimezone(UTC).date()
    last = (end - timedelta(microseconds=1)).astimezone(UTC).date()
    return [first + timedelta(days=offset) for offset in range((last - first).days + 1)]


def breaches_by_day(*, start: datetime, end: datetime) -> BreachesByDay:
    """Breaches flagged with a ``breached_at`` in [start, end), by its UTC date and the case's
    current severity; every day of the period appears, with zeros. One query.

    ``breached_at`` is the due time that was missed (the sweep records the due time, not the time
    it ran), so a breach is counted on the day the target actually passed.
    """
    grouped = (
        Case.objects.filter(breached_at__gte=start, breached_at__lt=end)
        .annotate(day=TruncDate("breached_at", tzinfo=UTC))
        .values("day", "severity")
        .annotate(cases=Count("pk"))
        .order_by()
    )
    counts = {(row["day"], row["severity"]): row["cases"] for row in grouped}
    return BreachesByDay(
        days=[
            BreachDay(
                day=day,
                by_severity={severity: counts.get((day, severity), 0) for severity in SEVERITIES},
            )
            for day in period_days(start, end)
        ]
    )


# Satisfaction -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Satisfaction:
    average: float | None
    distribution: dict[int, int]

    @property
    def count(self) -> int:
        return sum(self.distribution.values())


def satisfaction(*, start: datetime, end: datetime) -> Satisfaction:
    """Average rating and the number of surveys per rating (1 to 5) of the surveys submitted in
    [start, end); the average is None when there are none. One query."""
    figures = SatisfactionSurvey.objects.filter(
        submitted_at__gte=start, submitted_at__lt=end
    ).aggregate(
        average=Avg("rating"),
        **{f"rated_{rating}": Count("pk", filter=Q(rating=rating)) for rating in RATINGS},
    )
    average = figures["average"]
    return Satisfaction(
        average=float(average) if average is not None else None,
        distribution={rating: figures[f"rated_{rating}"] for rating in RATINGS},
    )


# Everything at once -----------------------------------------------------------------------------


@dataclass(frozen=True)
class DashboardFigures:
    start: datetime
    end: datetime
    now: datetime
    attainment: Attainment
    backlog: Backlog
    breaches: BreachesByDay
    satisfaction: Satisfaction


def dashboard_figures(*, start: datetime, end: datetime, now: datetime) -> DashboardFigures:
    """All four figures for the period [start, end) as seen at `now`: four queries."""
    return DashboardFigures(
        start=start,
        end=end,
        now=now,
        attainment=initial_response_attainment(start=start, end=end, now=now),
        backlog=open_backlog(now=now),
        breaches=breaches_by_day(start=start, end=end),
        satisfaction=satisfaction(start=start, end=end),
    )


SNAPSHOT_MAX_AGE = timedelta(minutes=1)


def recent_dashboard_figures(*, start: datetime, end: datetime, now: datetime) -> DashboardFigures:
    """The figures of the period as seen at most `SNAPSHOT_MAX_AGE` before `now` (their `now`
    says when): a snapshot shared through the cache by every manager, per period and language,
    taken anew when older or from the future. Without a reachable cache, always fresh."""
    key = f"reports:dashboard:{start.isoformat()}:{end.isoformat()}:{translation.get_language()}"
    cached = shared_cache.get(key)
    if cached is not None and now - SNAPSHOT_MAX_AGE <= cached.now <= now:
        return cached
    figures = dashboard_figures(start=start, end=end, now=now)
    shared_cache.set(key, figures, int(SNAPSHOT_MAX_AGE.total_seconds()))
    return figures
