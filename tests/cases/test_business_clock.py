"""Business-hours arithmetic: tables of known answers plus properties checked by hypothesis."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cases.business_clock import (
    BusinessCalendar,
    add_business_minutes,
    describe_hours,
    is_open_at,
    next_opening,
    validate_country,
    validate_time_zone,
)

SEOUL = ZoneInfo("Asia/Seoul")
NEW_YORK = ZoneInfo("America/New_York")
LONDON = ZoneInfo("Europe/London")

KOREA = BusinessCalendar(country="KR", time_zone="Asia/Seoul")
UNITED_STATES = BusinessCalendar(country="US", time_zone="America/New_York")
BRITAIN = BusinessCalendar(country="GB", time_zone="Europe/London")


def local(zone: ZoneInfo, *parts: int) -> datetime:
    return datetime(*parts, tzinfo=zone)


# (scenario, calendar, start, minutes, expected due)
ADD_CASES = [
    ("opened inside hours", KOREA, local(SEOUL, 2026, 3, 10, 10), 60, local(SEOUL, 2026, 3, 10, 11)),
    ("opened at opening", KOREA, local(SEOUL, 2026, 3, 10, 9), 30, local(SEOUL, 2026, 3, 10, 9, 30)),
    ("opened before opening", KOREA, local(SEOUL, 2026, 3, 10, 7, 30), 60, local(SEOUL, 2026, 3, 10, 10)),
    ("opened after closing", KOREA, local(SEOUL, 2026, 3, 10, 18), 60, local(SEOUL, 2026, 3, 11, 10)),
    ("opened at closing", KOREA, local(SEOUL, 2026, 3, 10, 17), 1, local(SEOUL, 2026, 3, 11, 9, 1)),
    ("spans the closing", KOREA, local(SEOUL, 2026, 3, 10, 16, 30), 60, local(SEOUL, 2026, 3, 11, 9, 30)),
    ("ends on the closing", KOREA, local(SEOUL, 2026, 3, 10, 16), 60, local(SEOUL, 2026, 3, 10, 17)),
    ("friday evening", KOREA, local(SEOUL, 2026, 3, 13, 18), 60, local(SEOUL, 2026, 3, 16, 10)),
    ("a full week", KOREA, local(SEOUL, 2026, 3, 10, 9), 5 * 480, local(SEOUL, 2026, 3, 16, 17)),
    ("seconds are kept", KOREA, local(SEOUL, 2026, 3, 10, 10, 0, 30), 1, local(SEOUL, 2026, 3, 10, 10, 1, 30)),
    # 1 March 2026 is a Sunday; Monday 2 March is its substitute holiday.
    ("kr independence day substitute", KOREA, local(SEOUL, 2026, 2, 27, 17, 30), 60, local(SEOUL, 2026, 3, 3, 10)),
    # Chuseok 2026: Thursday 24 to Saturday 26 September.
    ("kr chuseok", KOREA, local(SEOUL, 2026, 9, 23, 16), 120, local(SEOUL, 2026, 9, 28, 10)),
    ("us thanksgiving", UNITED_STATES, local(NEW_YORK, 2026, 11, 25, 16), 120, local(NEW_YORK, 2026, 11, 27, 10)),
    ("us independence day observed", UNITED_STATES, local(NEW_YORK, 2026, 7, 2, 16, 30), 60, local(NEW_YORK, 2026, 7, 6, 9, 30)),
    ("uk spring bank holiday", BRITAIN, local(LONDON, 2026, 5, 22, 16), 120, local(LONDON, 2026, 5, 26, 10)),
    ("uk christmas and boxing day observed", BRITAIN, local(LONDON, 2026, 12, 24, 16), 120, local(LONDON, 2026, 12, 29, 10)),
    # Daylight saving: the expected values are wall-clock times on the far side of the change.
    ("new york dst start", UNITED_STATES, local(NEW_YORK, 2026, 3, 6, 16), 120, local(NEW_YORK, 2026, 3, 9, 10)),
    ("new york dst end", UNITED_STATES, local(NEW_YORK, 2026, 10, 30, 16), 120, local(NEW_YORK, 2026, 11, 2, 10)),
    ("london dst start", BRITAIN, local(LONDON, 2026, 3, 27, 16, 30), 60, local(LONDON, 2026, 3, 30, 9, 30)),
    ("london dst end", BRITAIN, local(LONDON, 2026, 10, 23, 16, 30), 60, local(LONDON, 2026, 10, 26, 9, 30)),
    ("start given in utc", KOREA, datetime(2026, 3, 10, 0, tzinfo=UTC), 60, local(SEOUL, 2026, 3, 10, 10)),
]  # fmt: skip


@pytest.mark.parametrize(
    ("calendar", "start", "minutes", "expected"),
    [case[1:] for case in ADD_CASES],
    ids=[case[0] for case in ADD_CASES],
)
def test_business_minutes_land_on_the_expected_instant(calendar, start, minutes, expected):
    due = add_business_minutes(start, minutes, calendar)
    assert due == expected
    assert due.tzinfo is UTC


def test_case_opened_friday_evening_is_due_monday_morning():
    due = add_business_minutes(local(NEW_YORK, 2026, 3, 13, 19), 30, UNITED_STATES)
    assert due.astimezone(NEW_YORK) == local(NEW_YORK, 2026, 3, 16, 9, 30)


def test_dst_start_keeps_utc_instants_of_the_new_offset():
    # 9 March 2026 is the first weekday on EDT: 10:00 local is 14:00 UTC, not 15:00.
    due = add_business_minutes(local(NEW_YORK, 2026, 3, 6, 16), 120, UNITED_STATES)
    assert due == datetime(2026, 3, 9, 14, tzinfo=UTC)


def test_dst_end_keeps_utc_instants_of_the_new_offset():
    due = add_business_minutes(local(LONDON, 2026, 10, 23, 16, 30), 60, BRITAIN)
    assert due == datetime(2026, 10, 26, 9, 30, tzinfo=UTC)


NIGHT_SHIFT_SUNDAY = BusinessCalendar(
    country="US",
    time_zone="America/New_York",
    weekly_hours={6: (time(0, 0), time(6, 0))},
    observe_public_holidays=False,
)


@pytest.mark.parametrize(
    ("sunday", "real_hours"),
    [(date(2026, 3, 8), 5), (date(2026, 11, 1), 7), (date(2026, 3, 15), 6)],
    ids=["spring forward", "fall back", "ordinary sunday"],
)
def test_hours_spanning_a_dst_change_count_real_time_between_wall_clock_edges(sunday, real_hours):
    start = datetime.combine(sunday, time(0, 0), tzinfo=NEW_YORK)
    due = add_business_minutes(start, real_hours * 60, NIGHT_SHIFT_SUNDAY)
    assert due.astimezone(NEW_YORK).replace(tzinfo=None) == datetime.combine(sunday, time(6, 0))
    assert due - start == timedelta(hours=real_hours)
    assert not is_open_at(due, NIGHT_SHIFT_SUNDAY)  # 06:00 wall clock is the closing edge


def test_date_override_closing_a_working_day_skips_it():
    calendar = BusinessCalendar(
        country="KR", time_zone="Asia/Seoul", date_overrides={date(2026, 3, 10): None}
    )
    due = add_business_minutes(local(SEOUL, 2026, 3, 9, 16, 30), 60, calendar)
    assert due == local(SEOUL, 2026, 3, 11, 9, 30)


def test_date_override_opens_a_public_holiday_with_its_own_hours():
    calendar = BusinessCalendar(
        country="KR",
        time_zone="Asia/Seoul",
        date_overrides={date(2026, 3, 2): (time(10, 0), time(14, 0))},
    )
    due = add_business_minutes(local(SEOUL, 2026, 2, 27, 17), 60, calendar)
    assert due == local(SEOUL, 2026, 3, 2, 11)


def test_calendar_may_ignore_public_holidays():
    calendar = BusinessCalendar(country="KR", time_zone="Asia/Seoul", observe_public_holidays=False)
    due = add_business_minutes(local(SEOUL, 2026, 2, 27, 17), 60, calendar)
    assert due == local(SEOUL, 2026, 3, 2, 10)


def test_closing_at_midnight_means_the_end_of_the_day():
    calendar = BusinessCalendar(
        country="KR", time_zone="Asia/Seoul", weekly_hours={0: (time(20, 0), time(0, 0))}
    )
    due = add_business_minutes(local(SEOUL, 2026, 3, 9, 20), 240, calendar)
    assert due == local(SEOUL, 2026, 3, 10, 0)
    assert describe_hours(calendar, at=local(SEOUL, 2026, 3, 9)) == "Mon 20:00-24:00 KST"


@pytest.mark.parametrize(
    "start",
    [local(SEOUL, 2026, 3, 10, 10, 15), local(SEOUL, 2026, 3, 14, 3, 0)],
    ids=["inside hours", "on a saturday night"],
)
def test_zero_minutes_are_due_at_the_start_itself(start):
    due = add_business_minutes(start, 0, KOREA)
    assert due == start
    assert due.tzinfo is UTC


def test_naive_start_is_rejected():
    with pytest.raises(ValueError, match="timezone-aware"):
        add_business_minutes(datetime(2026, 3, 10, 10), 60, KOREA)


@pytest.mark.parametrize("minutes", [-1, 1.5, True])
def test_minutes_must_be_a_non_negative_integer(minutes):
    with pytest.raises(ValueError, match="non-negative integer"):
        add_business_minutes(local(SEOUL, 2026, 3, 10, 10), minutes, KOREA)


def test_calendar_without_open_hours_fails_instead_of_looping_forever():
    never_open = BusinessCalendar(country="KR", time_zone="Asia/Seoul", weekly_hours={})
    with pytest.raises(ValueError, match="no open hours"):
        add_business_minutes(local(SEOUL, 2026, 3, 10, 10), 1, never_open)
    with pytest.raises(ValueError, match="no open hours"):
        next_opening(local(SEOUL, 2026, 3, 10, 10), never_open)


@pytest.mark.parametrize(
    ("instant", "expected"),
    [
        (local(SEOUL, 2026, 3, 10, 9), True),
        (local(SEOUL, 2026, 3, 10, 16, 59), True),
        (local(SEOUL, 2026, 3, 10, 17), False),
        (local(SEOUL, 2026, 3, 10, 8, 59), False),
        (local(SEOUL, 2026, 3, 14, 12), False),
        (local(SEOUL, 2026, 9, 25, 12), False),
        (datetime(2026, 3, 10, 3, tzinfo=UTC), True),
    ],
    ids=["opening", "last minute", "closing", "before", "saturday", "chuseok", "utc"],
)
def test_is_open_at_follows_hours_weekends_and_holidays(instant, expected):
    assert is_open_at(instant, KOREA) is expected


@pytest.mark.parametrize(
    ("instant", "expected"),
    [
        (local(SEOUL, 2026, 3, 10, 11), local(SEOUL, 2026, 3, 10, 11)),
        (local(SEOUL, 2026, 3, 10, 6), local(SEOUL, 2026, 3, 10, 9)),
        (local(SEOUL, 2026, 3, 10, 17), local(SEOUL, 2026, 3, 11, 9)),
        (local(SEOUL, 2026, 3, 14, 12), local(SEOUL, 2026, 3, 16, 9)),
    ],
    ids=["open now", "later today", "tomorrow", "after the weekend"],
)
def test_next_opening_is_the_instant_itself_when_open(instant, expected):
    opening = next_opening(instant, KOREA)
    assert opening == expected
    assert opening.tzinfo is UTC


def test_is_open_at_rejects_a_naive_instant():
    with pytest.raises(ValueError, match="timezone-aware"):
        is_open_at(datetime(2026, 3, 10, 10), KOREA)


@pytest.mark.parametrize(
    ("calendar", "at", "expected"),
    [
        (KOREA, local(SEOUL, 2026, 1, 1), "Mon-Fri 09:00-17:00 KST"),
        (UNITED_STATES, local(NEW_YORK, 2026, 1, 15), "Mon-Fri 09:00-17:00 EST"),
        (UNITED_STATES, local(NEW_YORK, 2026, 7, 15), "Mon-Fri 09:00-17:00 EDT"),
        (
            BusinessCalendar(
                country="GB",
                time_zone="Europe/London",
                weekly_hours={
                    0: (time(9), time(17)),
                    1: (time(9), time(17)),
                    2: (time(9), time(17)),
                    3: (time(9), time(17)),
                    4: (time(9), time(15, 30)),
                    5: (time(10), time(12)),
                },
            ),
            local(LONDON, 2026, 1, 15),
            "Mon-Thu 09:00-17:00, Fri 09:00-15:30, Sat 10:00-12:00 GMT",
        ),
        (
            BusinessCalendar(
                country="KR",
                time_zone="Asia/Seoul",
                weekly_hours={0: (time(9), time(17)), 2: (time(9), time(17))},
            ),
            local(SEOUL, 2026, 1, 1),
            "Mon 09:00-17:00, Wed 09:00-17:00 KST",
        ),
        (
            BusinessCalendar(country="KR", time_zone="Asia/Seoul", weekly_hours={}),
            local(SEOUL, 2026, 1, 1),
            "Closed",
        ),
    ],
    ids=["seoul", "new york winter", "new york summer", "mixed", "gap", "closed"],
)
def test_describe_hours_groups_consecutive_days(calendar, at, expected):
    assert describe_hours(calendar, at=at) == expected


def test_validate_time_zone_accepts_iana_names_only():
    assert validate_time_zone("Asia/Seoul") == "Asia/Seoul"
    for bad in ["Mars/Olympus", "", "KST", "../etc/passwd", "localtime"]:
        with pytest.raises(ValueError, match="Unknown time zone"):
            validate_time_zone(bad)


def test_validate_country_uppercases_known_codes_and_rejects_others():
    assert validate_country("kr") == "KR"
    assert validate_country("GB") == "GB"
    for bad in ["XX", "", "Korea", "KOR", "UK"]:
        with pytest.raises(ValueError, match=r"country|ISO"):
            validate_country(bad)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"country": "ZZ", "time_zone": "Asia/Seoul"},
        {"country": "KR", "time_zone": "Asia/Nowhere"},
        {"country": "KR", "time_zone": "Asia/Seoul", "weekly_hours": {7: (time(9), time(17))}},
        {"country": "KR", "time_zone": "Asia/Seoul", "weekly_hours": {0: (time(17), time(9))}},
        {"country": "KR", "time_zone": "Asia/Seoul", "weekly_hours": {0: (time(9), time(9))}},
        {
            "country": "KR",
            "time_zone": "Asia/Seoul",
            "date_overrides": {date(2026, 3, 2): (time(14), time(10))},
        },
    ],
    ids=["country", "zone", "weekday", "inverted hours", "empty hours", "inverted override"],
)
def test_invalid_calendar_is_rejected_at_construction(kwargs):
    with pytest.raises(ValueError):
        BusinessCalendar(**kwargs)


def test_calendar_is_an_immutable_hashable_value():
    hours = {0: (time(9), time(17))}
    calendar = BusinessCalendar(country="kr", time_zone="Asia/Seoul", weekly_hours=hours)
    hours[1] = (time(9), time(17))  # editing the caller's dict must not reach the calendar
    assert 1 not in calendar.weekly_hours
    twin = BusinessCalendar(country="KR", time_zone="Asia/Seoul", weekly_hours={0: hours[0]})
    assert calendar == twin
    assert hash(calendar) == hash(twin)


# --- properties -------------------------------------------------------------------------------

CALENDARS = [
    KOREA,
    UNITED_STATES,
    BRITAIN,
    NIGHT_SHIFT_SUNDAY,
    BusinessCalendar(
        country="GB",
        time_zone="Europe/London",
        weekly_hours={5: (time(10), time(12)), 6: (time(1, 30), time(2, 30))},
        date_overrides={date(2026, 3, 31): (time(8), time(20)), date(2026, 4, 4): None},
    ),
]

calendars = st.sampled_from(CALENDARS)
starts = st.datetimes(
    min_value=datetime(2025, 1, 1),
    max_value=datetime(2027, 12, 31),
    timezones=st.sampled_from([SEOUL, NEW_YORK, LONDON, UTC]),
)
business_minutes = st.integers(min_value=0, max_value=20_000)
PROPERTY_SETTINGS = settings(max_examples=200, deadline=None)


@PROPERTY_SETTINGS
@given(calendar=calendars, start=starts, minutes=business_minutes)
def test_due_is_never_earlier_than_the_start_plus_the_minutes(calendar, start, minutes):
    due = add_business_minutes(start, minutes, calendar)
    assert due - start >= timedelta(minutes=minutes)
    if minutes:
        assert due > next_opening(start, calendar) >= start


@PROPERTY_SETTINGS
@given(calendar=calendars, start=starts, first=business_minutes, second=business_minutes)
def test_adding_minutes_in_two_steps_equals_adding_them_at_once(calendar, start, first, second):
    in_two_steps = add_business_minutes(
        add_business_minutes(start, first, calendar), second, calendar
    )
    assert in_two_steps == add_business_minutes(start, first + second, calendar)


@PROPERTY_SETTINGS
@given(calendar=calendars, start=starts, minutes=st.integers(min_value=1, max_value=20_000))
def test_due_is_inside_open_hours_or_at_their_closing_edge(calendar, start, minutes):
    due = add_business_minutes(start, minutes, calendar)
    # Spans are half-open [opening, closing): the instant just before the due one is open.
    assert is_open_at(due - timedelta(microseconds=1), calendar)


@settings(max_examples=60, deadline=None)
@given(
    calendar=calendars,
    start=starts.map(lambda instant: instant.replace(second=0, microsecond=0)),
    minutes=st.integers(min_value=1, max_value=180),
)
def test_due_matches_counting_open_minutes_one_by_one(calendar, start, minutes):
    # Independent oracle: walk whole minutes with is_open_at. All hours and offsets here fall
    # on whole minutes, so a minute is either entirely open or entirely closed.
    cursor = start.astimezone(UTC)
    counted = 0
    while counted < minutes:
        if is_open_at(cursor, calendar):
            counted += 1
        cursor += timedelta(minutes=1)
    assert add_business_minutes(start, minutes, calendar) == cursor
