"""The dashboard figures, computed by aggregate queries on small hand-built data sets.

Contoso is an enterprise tenant: B has a 24-hour target, C no commitment, A one hour (24x7).
The clock is frozen at NOW (2026-06-15 14:30 UTC); the reports take `now` explicitly.
"""

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import TenantRole
from cases import reports
from cases.forms_dashboard import Period
from cases.models import Case
from cases.services import lifecycle, sweeps
from cases.services.lifecycle import Impact

CRITICAL = Impact(service="unusable", users="organisation", workaround=False)
HOW_TO = Impact(service="working", users="one", workaround=True)
JUNE = Period(first=date(2026, 6, 1), last=date(2026, 6, 15))


@pytest.fixture
def critical(open_case, contact):
    """Open a severity A case (its contact reachable 24x7) at the given time."""

    def _critical(at):
        return open_case(
            impact=CRITICAL, contact=replace(contact, available_24x7=True), title="Down", at=at
        )

    return _critical


def reply(world, case, at):
    lifecycle.case_reply(actor=world["engineer"], case=case, body="On it.", at=at)


def attainment_row(attainment, tier, severity):
    return next(row for row in attainment.rows if (row.tier, row.severity) == (tier, severity))


def counts(row):
    return {outcome: getattr(row, outcome) for outcome in reports.OUTCOMES}


def test_attainment_sorts_each_case_opened_in_the_period_into_exactly_one_outcome(
    world, open_case, critical, later
):
    admin = world[TenantRole.GLOBAL_ADMIN]
    answered_in_time = open_case(at=later(days=-3))
    reply(world, answered_in_time, later(days=-3, hours=2))
    answered_late = open_case(at=later(days=-4))
    reply(world, answered_late, later(days=-4, hours=30))  # due after 24 h; never swept
    flagged = open_case(at=later(days=-5))
    sweeps.flag_response_breaches(now=later(days=-3))  # flags only `flagged`
    open_case(at=later(days=-2))  # unanswered, due a day ago, not swept yet: breached
    withdrawn_in_time = open_case(at=later(hours=-10))
    lifecycle.case_close(actor=admin, case=withdrawn_in_time, at=later(hours=-9))
    open_case(at=later(hours=-2))  # due in 22 hours: still running
    answered_on_the_dot = critical(later(hours=-6))
    reply(world, answered_on_the_dot, later(hours=-5))
    how_to = open_case(impact=HOW_TO, at=later(days=-1))
    open_case(at=datetime(2026, 5, 31, 23, 59, tzinfo=UTC))  # before the period
    open_case(at=datetime(2026, 6, 16, tzinfo=UTC))  # after it (the end is exclusive)
    assert Case.objects.get(pk=flagged.pk).breached_at is not None
    assert how_to.severity == "C"

    attainment = reports.initial_response_attainment(start=JUNE.start, end=JUNE.end, now=world.now)

    enterprise_b = attainment_row(attainment, "enterprise", "B")
    assert counts(enterprise_b) == {"met": 2, "breached": 3, "no_commitment": 0, "running": 1}
    assert enterprise_b.met_rate == pytest.approx(2 / 5)
    assert counts(attainment_row(attainment, "enterprise", "A")) == {
        "met": 1,
        "breached": 0,
        "no_commitment": 0,
        "running": 0,
    }
    assert counts(attainment_row(attainment, "enterprise", "C")) == {
        "met": 0,
        "breached": 0,
        "no_commitment": 1,
        "running": 0,
    }
    assert counts(attainment.total) == {"met": 3, "breached": 3, "no_commitment": 1, "running": 1}
    assert attainment.total.total == 8


def test_attainment_lists_every_tier_and_severity_with_zeros_and_untiered_cases_last(
    world, open_case, later
):
    case = open_case(at=later(days=-1))
    Case.objects.filter(pk=case.pk).update(support_tier="")

    attainment = reports.initial_response_attainment(start=JUNE.start, end=JUNE.end, now=world.now)

    keys = [(row.tier, row.severity) for row in attainment.rows]
    tiers = ["business", "enterprise", "frontline", "elevated", ""]
    assert keys == [(tier, severity) for tier in tiers for severity in "ABC"]
    assert attainment_row(attainment, "", "B").breached == 1
    assert attainment_row(attainment, "", "B").tier_label == "No tier"
    assert attainment_row(attainment, "business", "A").total == 0
    assert attainment_row(attainment, "business", "A").met_rate is None


def test_a_breach_is_judged_at_the_given_now_on_the_exact_due_time(world, open_case, later):
    case = open_case(at=later(days=-1, minutes=1))  # due in one minute

    def outcome(now):
        row = attainment_row(
            reports.initial_response_attainment(start=JUNE.start, end=JUNE.end, now=now),
            "enterprise",
            "B",
        )
        return {name for name, count in counts(row).items() if count}

    assert outcome(later(seconds=59)) == {"running"}
    assert outcome(later(minutes=1)) == {"breached"}
    reply(world, case, later(minutes=1))  # answered at the due time itself: met
    assert outcome(later(days=2)) == {"met"}


def test_the_backlog_counts_open_cases_by_age_bucket_and_severity(
    world, open_case, critical, later
):
    open_case(at=later(hours=-1))
    critical(later(hours=-23, minutes=-59))
    open_case(at=later(days=-1))  # exactly a day old: "1 to 3 days"
    open_case(impact=HOW_TO, at=later(days=-2))
    critical(later(days=-3))
    open_case(at=later(days=-10))
    open_case(at=later(days=-30))
    open_case(at=later(days=-400))
    closed = open_case(at=later(days=-5))
    lifecycle.case_close(actor=world[TenantRole.GLOBAL_ADMIN], case=closed, at=later(days=-4))

    backlog = reports.open_backlog(now=world.now)

    assert [(row.bucket, row.by_severity) for row in backlog.rows] == [
        ("under_1d", {"A": 1, "B": 1, "C": 0}),
        ("1d_3d", {"A": 0, "B": 1, "C": 1}),
        ("3d_7d", {"A": 1, "B": 0, "C": 0}),
        ("7d_30d", {"A": 0, "B": 1, "C": 0}),
        ("over_30d", {"A": 0, "B": 2, "C": 0}),
    ]
    assert [row.label for row in backlog.rows] == [
        "Under 1 day",
        "1 to 3 days",
        "3 to 7 days",
        "7 to 30 days",
        "Over 30 days",
    ]
    assert backlog.by_severity == {"A": 2, "B": 5, "C": 1}
    assert backlog.total == 8


def test_breaches_are_counted_on_the_utc_day_their_target_passed_whatever_the_viewer_zone(
    world, open_case, critical
):
    def utc(month, day, hour, minute=0):
        return datetime(2026, month, day, hour, minute, tzinfo=UTC)

    open_case(at=utc(5, 31, 0))  # due 1 June 00:00, the first instant of the period
    open_case(at=utc(6, 9, 10))  # due 10 June 10:00
    open_case(at=utc(6, 9, 23, 30))  # due 10 June 23:30 UTC, already 11 June in Seoul
    critical(utc(6, 12, 23, 45))  # due 13 June 00:45
    open_case(at=utc(6, 12, 1))  # due 13 June 01:00
    open_case(at=utc(5, 1, 9))  # due 2 May: before the period
    sweeps.flag_response_breaches(now=world.now)

    with timezone.override(ZoneInfo("Asia/Seoul")):
        breaches = reports.breaches_by_day(start=JUNE.start, end=JUNE.end)

    assert [day.day for day in breaches.days] == [date(2026, 6, d) for d in range(1, 16)]
    nonzero = {day.day.day: day.by_severity for day in breaches.days if day.total}
    assert nonzero == {
        1: {"A": 0, "B": 1, "C": 0},
        10: {"A": 0, "B": 2, "C": 0},
        13: {"A": 1, "B": 1, "C": 0},
    }
    assert breaches.by_severity == {"A": 1, "B": 4, "C": 0}
    assert breaches.total == 5


def test_satisfaction_averages_and_distributes_the_surveys_submitted_in_the_period(
    world, open_case, later
):
    admin = world[TenantRole.GLOBAL_ADMIN]

    def rated(rating, at):
        case = open_case(at=at - timedelta(days=1))
        lifecycle.case_close(actor=admin, case=case, at=at - timedelta(hours=1))
        lifecycle.survey_submit(actor=admin, case=case, rating=rating, at=at)

    for rating in (5, 4, 4, 1):
        rated(rating, later(days=-2))
    rated(2, datetime(2026, 5, 20, tzinfo=UTC))  # submitted before the period
    rated(3, datetime(2026, 6, 16, tzinfo=UTC))  # the period's end is exclusive

    figures = reports.satisfaction(start=JUNE.start, end=JUNE.end)

    assert figures.average == pytest.approx(3.5)
    assert figures.distribution == {1: 1, 2: 0, 3: 0, 4: 2, 5: 1}
    assert figures.count == 4


def test_satisfaction_without_surveys_has_no_average_and_zero_counts(world):
    figures = reports.satisfaction(start=JUNE.start, end=JUNE.end)
    assert figures.average is None
    assert figures.distribution == {1: 0, 2: 0, 3: 0, 4: 0, 5: 0}


def test_the_days_of_a_period_run_from_its_first_to_its_last_utc_date():
    assert reports.period_days(JUNE.start, JUNE.end)[0] == date(2026, 6, 1)
    assert reports.period_days(JUNE.start, JUNE.end)[-1] == date(2026, 6, 15)
    one_day = Period(first=date(2026, 6, 15), last=date(2026, 6, 15))
    assert reports.period_days(one_day.start, one_day.end) == [date(2026, 6, 15)]


def test_the_whole_dashboard_takes_four_queries_with_5_cases_as_with_40(
    world, open_case, critical, later
):
    admin = world[TenantRole.GLOBAL_ADMIN]

    def add_cases(count, offset):
        for index in range(offset, offset + count):
            opened = later(hours=-(index * 7 + 30))
            case = critical(opened) if index % 5 == 0 else open_case(at=opened)
            if index % 3 == 0:
                reply(world, case, opened + timedelta(minutes=30))
            if index % 4 == 0:
                lifecycle.case_close(actor=admin, case=case, at=opened + timedelta(hours=1))
                lifecycle.survey_submit(
                    actor=admin, case=case, rating=index % 5 + 1, at=opened + timedelta(hours=2)
                )
        sweeps.flag_response_breaches(now=world.now)

    def queries():
        cache.clear()  # count the backlog's query too, not a snapshot of the previous call
        with CaptureQueriesContext(connection) as captured:
            figures = reports.dashboard_figures(start=JUNE.start, end=JUNE.end, now=world.now)
        return len(captured), figures

    add_cases(5, 0)
    small, small_figures = queries()
    add_cases(35, 5)
    large, large_figures = queries()

    assert small == large == 4
    assert small_figures.attainment.total.total == 5
    assert large_figures.attainment.total.total == 40
    assert large_figures.breaches.total > small_figures.breaches.total > 0
    assert large_figures.satisfaction.count == 10


def test_the_dashboard_reuses_a_snapshot_of_its_figures_for_at_most_a_minute(
    world, open_case, later
):
    cache.clear()
    open_case(at=later(hours=-2))
    first = reports.recent_dashboard_figures(start=JUNE.start, end=JUNE.end, now=world.now)
    open_case(at=later(hours=-1))

    def figures(at):
        return reports.recent_dashboard_figures(start=JUNE.start, end=JUNE.end, now=at)

    within_the_minute, a_minute_later = figures(later(seconds=59)), figures(later(seconds=61))

    assert (first.backlog.total, first.attainment.total.total, first.now) == (1, 1, world.now)
    assert (within_the_minute.backlog.total, within_the_minute.now) == (1, world.now)
    assert (a_minute_later.backlog.total, a_minute_later.attainment.total.total) == (2, 2)
    assert a_minute_later.now == later(seconds=61)


def test_a_snapshot_from_the_future_or_of_another_period_is_not_reused(world, open_case, later):
    cache.clear()
    open_case(at=later(hours=-2))
    reports.recent_dashboard_figures(start=JUNE.start, end=JUNE.end, now=later(minutes=5))
    reports.recent_dashboard_figures(start=JUNE.start, end=later(days=1), now=world.now)
    open_case(at=later(hours=-1))

    now = reports.recent_dashboard_figures(start=JUNE.start, end=JUNE.end, now=world.now)

    assert now.backlog.total == 2


def test_the_figures_are_computed_afresh_when_the_cache_is_unreachable(
    world, open_case, later, settings
):
    # A real Redis client pointed at a port where nothing listens: every cache call fails.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        }
    }
    open_case(at=later(hours=-2))

    figures = reports.recent_dashboard_figures(start=JUNE.start, end=JUNE.end, now=world.now)

    assert (figures.backlog.total, figures.now) == (1, world.now)
