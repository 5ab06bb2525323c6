"""Initial-response targets: the spec's matrix, the category rules, previews and bad input."""

from datetime import UTC, datetime, timedelta
from types import MappingProxyType
from zoneinfo import ZoneInfo

import pytest

from cases.business_clock import BusinessCalendar
from cases.response_targets import (
    DEFAULT_MATRIX,
    SEVERITIES,
    TIERS,
    Availability,
    InvalidTargetInput,
    ResponseTarget,
    TargetCell,
    compute_response_target,
    label_for_minutes,
)

SEOUL = ZoneInfo("Asia/Seoul")
NEW_YORK = ZoneInfo("America/New_York")
KOREA = BusinessCalendar(country="KR", time_zone="Asia/Seoul")
UNITED_STATES = BusinessCalendar(country="US", time_zone="America/New_York")

TUESDAY_MORNING = datetime(2026, 3, 10, 10, 0, tzinfo=SEOUL)
FRIDAY_AFTERNOON = datetime(2026, 3, 13, 16, 0, tzinfo=SEOUL)
ALWAYS = Availability.TWENTY_FOUR_SEVEN
BUSINESS = Availability.BUSINESS_HOURS


def target(**overrides) -> ResponseTarget:
    arguments = {
        "tier": "enterprise",
        "category": "technical",
        "severity": "B",
        "opened_at": TUESDAY_MORNING,
        "calendar": KOREA,
    }
    return compute_response_target(**(arguments | overrides))


def after(minutes: int) -> datetime:
    return TUESDAY_MORNING + timedelta(minutes=minutes)


# The table of spec section 5, one row per cell: (tier, severity, clock, minutes, label, due).
SPEC_MATRIX = [
    ("business", "A", ALWAYS, 60, "1 hour", after(60)),
    ("business", "B", BUSINESS, None, "No commitment", None),
    ("business", "C", BUSINESS, None, "No commitment", None),
    ("enterprise", "A", ALWAYS, 60, "1 hour", after(60)),
    ("enterprise", "B", ALWAYS, 1440, "Next day", after(1440)),
    ("enterprise", "C", ALWAYS, None, "No commitment", None),
    ("frontline", "A", ALWAYS, 60, "1 hour", after(60)),
    ("frontline", "B", ALWAYS, 1440, "Next day", after(1440)),
    ("frontline", "C", ALWAYS, None, "No commitment", None),
    ("elevated", "A", ALWAYS, 60, "1 hour", after(60)),
    ("elevated", "B", ALWAYS, 120, "2 hours", after(120)),
    ("elevated", "C", ALWAYS, 240, "4 hours", after(240)),
]


@pytest.mark.parametrize(
    ("tier", "severity", "clock", "minutes", "label", "due"),
    SPEC_MATRIX,
    ids=[f"{row[0]}-{row[1]}" for row in SPEC_MATRIX],
)
def test_technical_request_follows_the_spec_matrix(tier, severity, clock, minutes, label, due):
    result = target(tier=tier, severity=severity)
    assert result == ResponseTarget(availability=clock, label=label, minutes=minutes, due=due)
    if due is not None:
        assert result.due.tzinfo is UTC


def test_default_matrix_has_exactly_one_cell_per_tier_and_severity():
    assert set(DEFAULT_MATRIX) == {(tier, severity) for tier in TIERS for severity in SEVERITIES}
    for tier, severity, clock, minutes, label, _ in SPEC_MATRIX:
        assert DEFAULT_MATRIX[(tier, severity)] == TargetCell(clock, minutes, label)


def test_default_matrix_cannot_be_edited_in_place():
    with pytest.raises(TypeError):
        DEFAULT_MATRIX[("business", "A")] = TargetCell(ALWAYS, 1, "1 minute")


def test_critical_case_opened_on_saturday_night_is_due_an_hour_later():
    saturday_night = datetime(2026, 3, 14, 23, 30, tzinfo=SEOUL)
    result = target(tier="business", severity="A", opened_at=saturday_night)
    assert result.due == saturday_night + timedelta(hours=1)


def test_next_day_on_24x7_is_24_real_hours_across_a_dst_change():
    # Saturday noon EST; the clocks go forward overnight, so the wall clock shows 13:00 EDT.
    opened = datetime(2026, 3, 7, 12, 0, tzinfo=NEW_YORK)
    result = target(opened_at=opened, calendar=UNITED_STATES)
    assert result.due == datetime(2026, 3, 8, 17, 0, tzinfo=UTC)
    assert result.due.astimezone(NEW_YORK).hour == 13


ONE_MINUTE_EVERYWHERE = MappingProxyType(
    {
        (tier, severity): TargetCell(ALWAYS, 1, "1 minute")
        for tier in TIERS
        for severity in SEVERITIES
    }
)


@pytest.mark.parametrize("category", ["pre_sales", "billing"])
@pytest.mark.parametrize("tier", TIERS)
@pytest.mark.parametrize("severity", ["B", "C"])
def test_pre_sales_and_billing_have_no_commitment_whatever_the_matrix(category, tier, severity):
    result = target(tier=tier, category=category, severity=severity, matrix=ONE_MINUTE_EVERYWHERE)
    assert result == ResponseTarget(BUSINESS, "No commitment", None, None)


def test_pre_sales_and_billing_ignore_preview_overrides():
    result = target(category="billing", clock="24x7", minutes=5)
    assert result == ResponseTarget(BUSINESS, "No commitment", None, None)


@pytest.mark.parametrize("category", ["pre_sales", "billing"])
def test_severity_a_is_rejected_outside_technical_requests(category):
    with pytest.raises(InvalidTargetInput) as error:
        target(category=category, severity="A")
    assert error.value.code == "severity_not_allowed"


def test_tenant_without_subscription_may_file_pre_sales_requests():
    result = target(tier=None, category="pre_sales", severity="C")
    assert result == ResponseTarget(BUSINESS, "No commitment", None, None)


@pytest.mark.parametrize("category", ["billing", "technical"])
def test_tenant_without_subscription_cannot_file_other_requests(category):
    with pytest.raises(InvalidTargetInput) as error:
        target(tier=None, category=category, severity="B")
    assert error.value.code == "no_active_subscription"


# Previews: (tier, severity, clock, minutes, expected clock, minutes, label, due)
PREVIEWS = [
    # clock alone keeps the cell's minutes: elevated B is 120 minutes, now in business hours.
    ("elevated", "B", "business_hours", None, BUSINESS, 120, "2 hours",
     datetime(2026, 3, 16, 10, tzinfo=SEOUL)),
    # minutes alone keep the cell's clock.
    ("enterprise", "B", None, 30, ALWAYS, 30, "30 minutes", FRIDAY_AFTERNOON + timedelta(minutes=30)),
    # a no-commitment business-hours cell given minutes counts them in business hours.
    ("business", "B", None, 240, BUSINESS, 240, "4 hours", datetime(2026, 3, 16, 12, tzinfo=SEOUL)),
    # a no-commitment cell given only a clock still has no due time.
    ("enterprise", "C", Availability.BUSINESS_HOURS, None, BUSINESS, None, "No commitment", None),
    # both replaced.
    ("frontline", "A", "24x7", 90, ALWAYS, 90, "90 minutes", FRIDAY_AFTERNOON + timedelta(minutes=90)),
    ("frontline", "A", "business_hours", 0, BUSINESS, 0, "Immediately", FRIDAY_AFTERNOON),
]  # fmt: skip


@pytest.mark.parametrize(
    ("tier", "severity", "clock", "minutes", "want_clock", "want_minutes", "label", "due"),
    PREVIEWS,
    ids=["clock only", "minutes only", "minutes on uncommitted", "clock on uncommitted",
         "both", "zero minutes"],
)  # fmt: skip
def test_clock_and_minutes_replace_the_cell_for_a_preview(
    tier, severity, clock, minutes, want_clock, want_minutes, label, due
):
    result = target(
        tier=tier, severity=severity, opened_at=FRIDAY_AFTERNOON, clock=clock, minutes=minutes
    )
    assert result == ResponseTarget(want_clock, label, want_minutes, due)


def test_business_hours_cell_counts_only_open_minutes_in_the_tenant_zone():
    matrix = DEFAULT_MATRIX | {("elevated", "B"): TargetCell(BUSINESS, 120, "2 business hours")}
    result = target(tier="elevated", opened_at=FRIDAY_AFTERNOON, matrix=matrix)
    assert result == ResponseTarget(
        BUSINESS, "2 business hours", 120, datetime(2026, 3, 16, 10, tzinfo=SEOUL)
    )


def test_matrix_cells_from_the_database_may_use_plain_strings():
    matrix = {("elevated", "B"): TargetCell("24x7", 15, "15 minutes")}
    result = target(tier="elevated", matrix=matrix)
    assert result.availability is ALWAYS
    assert result.due == after(15)


def test_missing_matrix_cell_is_reported():
    with pytest.raises(InvalidTargetInput) as error:
        target(matrix={})
    assert error.value.code == "missing_matrix_cell"


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"tier": "platinum"}, "unknown_tier"),
        ({"severity": "D"}, "unknown_severity"),
        ({"severity": "a"}, "unknown_severity"),
        ({"category": "sales"}, "unknown_category"),
        ({"opened_at": datetime(2026, 3, 10, 10)}, "naive_datetime"),
        ({"minutes": -5}, "invalid_minutes"),
        ({"minutes": True}, "invalid_minutes"),
        ({"clock": "weekdays"}, "unknown_availability"),
    ],
    ids=["tier", "severity", "lowercase severity", "category", "naive", "negative minutes",
         "boolean minutes", "clock"],
)  # fmt: skip
def test_invalid_input_is_rejected_with_a_stable_code(overrides, code):
    with pytest.raises(InvalidTargetInput) as error:
        target(**overrides)
    assert error.value.code == code
    assert isinstance(error.value, ValueError)


def test_target_cell_rejects_bad_values():
    with pytest.raises(ValueError):
        TargetCell("weekdays", 60, "1 hour")
    with pytest.raises(InvalidTargetInput):
        TargetCell(ALWAYS, -1, "never")


@pytest.mark.parametrize(
    ("minutes", "availability", "label"),
    [
        (None, ALWAYS, "No commitment"),
        (0, ALWAYS, "Immediately"),
        (1, ALWAYS, "1 minute"),
        (45, ALWAYS, "45 minutes"),
        (60, ALWAYS, "1 hour"),
        (90, ALWAYS, "90 minutes"),
        (120, ALWAYS, "2 hours"),
        (1440, ALWAYS, "Next day"),
        (1440, BUSINESS, "24 hours"),
        (1441, ALWAYS, "1 day 1 minute"),
        (1560, ALWAYS, "1 day 2 hours"),
        (2880, ALWAYS, "2 days"),
        (2910, ALWAYS, "2 days 30 minutes"),
        (3000, ALWAYS, "2 days 2 hours"),
    ],
)
def test_label_for_minutes_reads_naturally(minutes, availability, label):
    assert label_for_minutes(minutes, availability=availability) == label
