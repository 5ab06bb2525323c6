"""Response targets read from the database: calendars with overrides, the editable matrix, the
warning instant and how many queries it all takes."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from cases import targets
from cases.business_clock import add_business_minutes
from cases.models import BusinessCalendar, CalendarOverride, ResponseTargetCell
from cases.response_targets import DEFAULT_MATRIX, TargetCell
from helpdesk.errors import InvalidInput

pytestmark = pytest.mark.django_db

SEOUL = ZoneInfo("Asia/Seoul")
NEW_YORK = ZoneInfo("America/New_York")

TUESDAY_MORNING = datetime(2026, 3, 10, 10, 0, tzinfo=SEOUL)
FRIDAY_AFTERNOON = datetime(2026, 3, 13, 16, 0, tzinfo=SEOUL)
# 1 March 2026 is a Sunday, so Monday 2 March is a public holiday in Korea.
KOREAN_SUBSTITUTE_HOLIDAY = date(2026, 3, 2)


def korea(**overrides) -> targets.CaseTarget:
    arguments = {
        "tier": "enterprise",
        "category": "technical",
        "severity": "B",
        "opened_at": TUESDAY_MORNING,
        "country": "KR",
        "time_zone": "Asia/Seoul",
    }
    return targets.compute_case_target(**(arguments | overrides))


def override(country: str, day: date, hours: tuple[time, time] | None = None) -> None:
    opens_at, closes_at = hours or (None, None)
    CalendarOverride.objects.create(
        calendar=BusinessCalendar.objects.get(country=country),
        date=day,
        opens_at=opens_at,
        closes_at=closes_at,
        note="test",
    )


# calendar_for


def test_seeded_country_calendar_is_monday_to_friday_nine_to_five_in_the_given_zone():
    calendar = targets.calendar_for(country="KR", time_zone="Asia/Seoul")
    assert calendar.time_zone == "Asia/Seoul"
    assert dict(calendar.weekly_hours) == {day: (time(9), time(17)) for day in range(5)}
    assert calendar.hours_on(date(2026, 3, 10)) == (time(9), time(17))
    assert calendar.hours_on(date(2026, 3, 14)) is None


def test_override_without_times_closes_a_working_day():
    override("KR", date(2026, 3, 11))
    calendar = targets.calendar_for(country="KR", time_zone="Asia/Seoul")
    assert calendar.hours_on(date(2026, 3, 11)) is None
    # Tuesday 16:00 plus two business hours skips the closed Wednesday.
    due = add_business_minutes(datetime(2026, 3, 10, 16, 0, tzinfo=SEOUL), 120, calendar)
    assert due == datetime(2026, 3, 12, 10, 0, tzinfo=SEOUL)


def test_override_with_times_opens_a_public_holiday():
    override("KR", KOREAN_SUBSTITUTE_HOLIDAY, (time(10), time(14)))
    calendar = targets.calendar_for(country="KR", time_zone="Asia/Seoul")
    assert calendar.hours_on(KOREAN_SUBSTITUTE_HOLIDAY) == (time(10), time(14))
    friday_evening = datetime(2026, 2, 27, 18, 0, tzinfo=SEOUL)
    due = add_business_minutes(friday_evening, 60, calendar)
    assert due == datetime(2026, 3, 2, 11, 0, tzinfo=SEOUL)


def test_public_holiday_without_override_stays_closed():
    calendar = targets.calendar_for(country="KR", time_zone="Asia/Seoul")
    assert calendar.hours_on(KOREAN_SUBSTITUTE_HOLIDAY) is None


def test_country_without_a_row_gets_the_default_week_and_its_public_holidays():
    assert not BusinessCalendar.objects.filter(country="FR").exists()
    calendar = targets.calendar_for(country="FR", time_zone="Europe/Paris")
    assert dict(calendar.weekly_hours) == {day: (time(9), time(17)) for day in range(5)}
    # 14 July 2026 is a Tuesday and a French public holiday.
    assert calendar.hours_on(date(2026, 7, 14)) is None
    assert calendar.hours_on(date(2026, 7, 15)) == (time(9), time(17))


def test_stored_weekly_hours_and_holiday_switch_are_used():
    BusinessCalendar.objects.filter(country="KR").update(
        weekly_hours={"0": ["08:30", "18:00"], "5": ["10:00", "13:00"]},
        observe_public_holidays=False,
    )
    calendar = targets.calendar_for(country="KR", time_zone="Asia/Seoul")
    assert dict(calendar.weekly_hours) == {0: (time(8, 30), time(18)), 5: (time(10), time(13))}
    assert calendar.hours_on(KOREAN_SUBSTITUTE_HOLIDAY) == (time(8, 30), time(18))


def test_lowercase_country_code_is_accepted():
    assert targets.calendar_for(country="kr", time_zone="Asia/Seoul").country == "KR"


def test_calendar_with_overrides_takes_two_queries(django_assert_num_queries):
    override("KR", date(2026, 3, 11))
    override("KR", KOREAN_SUBSTITUTE_HOLIDAY, (time(10), time(14)))
    with django_assert_num_queries(2):
        targets.calendar_for(country="KR", time_zone="Asia/Seoul")


def test_country_without_a_row_takes_one_query(django_assert_num_queries):
    with django_assert_num_queries(1):
        targets.calendar_for(country="FR", time_zone="Europe/Paris")


@pytest.mark.parametrize(
    ("country", "time_zone", "code"),
    [
        ("ZZ", "Asia/Seoul", "unknown_country"),
        ("UK", "Europe/London", "unknown_country"),
        ("KOR", "Asia/Seoul", "unknown_country"),
        ("KR", "Asia/Pyongyang-ish", "unknown_time_zone"),
        ("KR", "localtime", "unknown_time_zone"),
    ],
)
def test_unknown_country_or_zone_is_invalid_input(country, time_zone, code):
    with pytest.raises(InvalidInput) as raised:
        targets.calendar_for(country=country, time_zone=time_zone)
    assert raised.value.code == code


def test_unreadable_stored_calendar_is_invalid_input_not_a_crash():
    BusinessCalendar.objects.filter(country="KR").update(weekly_hours={"0": ["17:00", "09:00"]})
    with pytest.raises(InvalidInput) as raised:
        targets.calendar_for(country="KR", time_zone="Asia/Seoul")
    assert raised.value.code == "invalid_calendar"


@pytest.mark.parametrize(
    "weekly_hours",
    [
        [],
        {"7": ["09:00", "17:00"]},
        {"Mon": ["09:00", "17:00"]},
        {"0": "09:00-17:00"},
        {"0": ["09:00"]},
        {"0": ["9am", "5pm"]},
        {"0": ["17:00", "09:00"]},
        {"0": ["09:00+09:00", "17:00+09:00"]},
    ],
)
def test_parse_weekly_hours_rejects_malformed_values(weekly_hours):
    with pytest.raises(ValueError):
        targets.parse_weekly_hours(weekly_hours)


def test_parse_weekly_hours_reads_midnight_as_end_of_day():
    assert targets.parse_weekly_hours({"6": ["12:00", "00:00"]}) == {6: (time(12), time(0))}


# target_matrix


def test_seeded_matrix_equals_the_default_matrix():
    assert dict(targets.target_matrix()) == dict(DEFAULT_MATRIX)


def test_matrix_takes_one_query(django_assert_num_queries):
    with django_assert_num_queries(1):
        targets.target_matrix()


def test_missing_cell_falls_back_to_the_spec_value():
    ResponseTargetCell.objects.filter(tier="elevated", severity="B").delete()
    ResponseTargetCell.objects.filter(tier="elevated", severity="C").update(minutes=300)
    matrix = targets.target_matrix()
    assert matrix[("elevated", "B")] == DEFAULT_MATRIX[("elevated", "B")]
    assert matrix[("elevated", "C")].minutes == 300


def test_matrix_cannot_be_changed_through_the_returned_mapping():
    matrix = targets.target_matrix()
    with pytest.raises(TypeError):
        matrix[("elevated", "A")] = TargetCell("24x7", 1, "1 minute")


def test_unreadable_matrix_cell_is_invalid_input():
    ResponseTargetCell.objects.filter(tier="elevated", severity="A").update(availability="never")
    with pytest.raises(InvalidInput) as raised:
        targets.target_matrix()
    assert raised.value.code == "invalid_matrix_cell"


# compute_case_target


def test_enterprise_b_is_due_the_next_day_and_warns_after_eighteen_hours():
    target = korea()
    assert target == targets.CaseTarget(
        availability="24x7",
        label="Next day",
        minutes=1440,
        due=TUESDAY_MORNING.astimezone(UTC) + timedelta(days=1),
        warn_at=TUESDAY_MORNING.astimezone(UTC) + timedelta(hours=18),
    )
    assert target.due.tzinfo is UTC


def test_editing_a_matrix_cell_changes_the_target():
    ResponseTargetCell.objects.filter(tier="elevated", severity="B").update(
        minutes=30, label="30 minutes"
    )
    target = korea(tier="elevated")
    assert (target.label, target.minutes) == ("30 minutes", 30)
    assert target.due == TUESDAY_MORNING + timedelta(minutes=30)


def test_matrix_cell_moved_to_business_hours_counts_the_stored_calendar():
    ResponseTargetCell.objects.filter(tier="enterprise", severity="B").update(
        availability="business_hours", minutes=480, label="1 business day"
    )
    override("KR", date(2026, 3, 11))
    target = korea()
    assert (target.availability, target.label) == ("business_hours", "1 business day")
    # Tuesday 10:00 to 17:00 is seven hours; Wednesday is closed; the last hour is Thursday's.
    assert target.due == datetime(2026, 3, 12, 10, 0, tzinfo=SEOUL)


def test_matrix_cell_without_minutes_means_no_commitment():
    ResponseTargetCell.objects.filter(tier="elevated", severity="C").update(
        minutes=None, label="No commitment"
    )
    target = korea(tier="elevated", severity="C")
    assert (target.due, target.warn_at) == (None, None)


def test_warning_on_a_24x7_clock_comes_at_three_quarters_of_real_time():
    target = korea(tier="elevated", severity="C")
    assert target.due == TUESDAY_MORNING + timedelta(hours=4)
    assert target.warn_at == TUESDAY_MORNING + timedelta(hours=3)


def test_warning_on_business_hours_comes_at_three_quarters_of_business_time():
    target = korea(opened_at=FRIDAY_AFTERNOON, clock="business_hours", minutes=120)
    # One hour on Friday, then the rest from Monday's opening.
    assert target.due == datetime(2026, 3, 16, 10, 0, tzinfo=SEOUL)
    assert target.warn_at == datetime(2026, 3, 16, 9, 30, tzinfo=SEOUL)
    assert target.label == "2 hours"


def test_warning_minutes_are_rounded_down():
    target = korea(clock="24x7", minutes=3)
    assert target.warn_at == TUESDAY_MORNING + timedelta(minutes=2)


def test_business_hours_warning_uses_the_stored_calendar():
    override("KR", date(2026, 3, 16))
    target = korea(opened_at=FRIDAY_AFTERNOON, clock="business_hours", minutes=120)
    assert target.warn_at == datetime(2026, 3, 17, 9, 30, tzinfo=SEOUL)
    assert target.due == datetime(2026, 3, 17, 10, 0, tzinfo=SEOUL)


@pytest.mark.parametrize(
    ("tier", "category", "severity"),
    [("business", "technical", "B"), ("enterprise", "technical", "C"), (None, "pre_sales", "B")],
)
def test_no_commitment_has_neither_due_nor_warning(tier, category, severity):
    target = korea(tier=tier, category=category, severity=severity)
    assert target.label == "No commitment"
    assert (target.minutes, target.due, target.warn_at) == (None, None, None)


@pytest.mark.parametrize("category", ["pre_sales", "billing"])
def test_pre_sales_and_billing_run_on_business_hours_without_commitment(category):
    target = korea(tier="elevated", category=category, severity="B")
    assert (target.availability, target.due) == ("business_hours", None)


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"tier": "platinum"}, "unknown_tier"),
        ({"severity": "D"}, "unknown_severity"),
        ({"category": "sales"}, "unknown_category"),
        ({"category": "billing", "severity": "A"}, "severity_not_allowed"),
        ({"tier": None}, "no_active_subscription"),
        ({"opened_at": datetime(2026, 3, 10, 10, 0)}, "naive_datetime"),
        ({"clock": "weekly"}, "unknown_availability"),
        ({"minutes": -1}, "invalid_minutes"),
        ({"country": "ZZ"}, "unknown_country"),
        ({"time_zone": "Asia/Nowhere"}, "unknown_time_zone"),
    ],
)
def test_bad_input_is_invalid_input_with_the_pure_modules_code(overrides, code):
    with pytest.raises(InvalidInput) as raised:
        korea(**overrides)
    assert raised.value.code == code


def test_24x7_target_reads_only_the_matrix(django_assert_num_queries):
    with django_assert_num_queries(1):
        korea()


def test_business_hours_target_reads_the_matrix_and_the_calendar(django_assert_num_queries):
    override("KR", date(2026, 3, 11))
    with django_assert_num_queries(3):
        korea(clock="business_hours", minutes=60)


def test_new_york_business_hours_target_keeps_real_time_across_dst():
    # Clocks go forward on Sunday 8 March 2026; Friday 16:00 EST plus two business hours.
    target = targets.compute_case_target(
        tier="business",
        category="technical",
        severity="B",
        opened_at=datetime(2026, 3, 6, 16, 0, tzinfo=NEW_YORK),
        country="US",
        time_zone="America/New_York",
        clock="business_hours",
        minutes=120,
    )
    assert target.due == datetime(2026, 3, 9, 14, 0, tzinfo=UTC)  # 10:00 EDT


# describe_business_hours and support_open_now


def test_business_hours_are_described_with_the_local_zone_abbreviation():
    text = targets.describe_business_hours(country="KR", time_zone="Asia/Seoul", at=TUESDAY_MORNING)
    assert text == "Mon-Fri 09:00-17:00 KST"


def test_business_hours_description_follows_stored_hours_and_daylight_saving():
    BusinessCalendar.objects.filter(country="US").update(
        weekly_hours={str(day): ["08:00", "18:00"] for day in range(6)}
    )
    summer = datetime(2026, 7, 1, 12, tzinfo=UTC)
    text = targets.describe_business_hours(country="US", time_zone="America/New_York", at=summer)
    assert text == "Mon-Sat 08:00-18:00 EDT"


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        (TUESDAY_MORNING, True),
        (datetime(2026, 3, 10, 17, 0, tzinfo=SEOUL), False),
        (datetime(2026, 3, 14, 11, 0, tzinfo=SEOUL), False),
        (datetime(2026, 3, 2, 11, 0, tzinfo=SEOUL), False),
    ],
)
def test_business_hours_support_is_open_only_inside_hours(at, expected):
    assert (
        targets.support_open_now(
            availability="business_hours", country="KR", time_zone="Asia/Seoul", at=at
        )
        is expected
    )


def test_business_hours_support_is_closed_on_an_override_day():
    override("KR", date(2026, 3, 10))
    assert not targets.support_open_now(
        availability="business_hours", country="KR", time_zone="Asia/Seoul", at=TUESDAY_MORNING
    )


def test_24x7_support_is_always_open_without_a_query(django_assert_num_queries):
    saturday_night = datetime(2026, 3, 14, 23, 0, tzinfo=SEOUL)
    with django_assert_num_queries(0):
        assert targets.support_open_now(
            availability="24x7", country="KR", time_zone="Asia/Seoul", at=saturday_night
        )


def test_support_open_now_rejects_an_unknown_availability():
    with pytest.raises(InvalidInput) as raised:
        targets.support_open_now(
            availability="weekends", country="KR", time_zone="Asia/Seoul", at=TUESDAY_MORNING
        )
    assert raised.value.code == "unknown_availability"
