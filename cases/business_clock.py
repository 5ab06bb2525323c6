"""Business-hours arithmetic for response targets.

Pure functions over a :class:`BusinessCalendar`; no Django and no database, so the rules can be
tested in microseconds. Every instant going in must be timezone-aware and every instant coming
out is in UTC.

How time is counted: each local date of the calendar has at most one open interval, its
opening and closing wall-clock times converted to UTC *for that date*. Counting real time inside
those intervals keeps a 09:00-17:00 day at 8 hours of real time on a daylight-saving day, and a
target never moves when the clocks change. Intervals are half-open: the desk is open at the
opening instant and closed at the closing instant.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from types import MappingProxyType

import holidays

WEEKDAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")

# A calendar with no open hours for this many consecutive days is treated as never open; this
# keeps a misconfigured calendar (no open weekday, everything overridden) from looping forever.
MAX_CLOSED_DAYS = 3 * 366

# Names that exist as files under the system zoneinfo directory but are not IANA zones.
_NON_IANA_ZONE_FILES = frozenset({"localtime", "posixrules", "Factory"})

Hours = tuple[time, time]

DEFAULT_WEEKLY_HOURS: Mapping[int, Hours] = MappingProxyType(
    {weekday: (time(9, 0), time(17, 0)) for weekday in range(5)}
)


@lru_cache(maxsize=1)
def _known_time_zones() -> frozenset[str]:
    # Reading the zone directory is slow-ish and its content does not change while we run.
    return frozenset(zoneinfo.available_timezones()) - _NON_IANA_ZONE_FILES


def validate_time_zone(name: str) -> str:
    """Return ``name`` if it is an IANA time zone name, else raise ``ValueError``."""
    if not isinstance(name, str) or name not in _known_time_zones():
        raise ValueError(f"Unknown time zone: {name!r}")
    return name


def validate_country(code: str) -> str:
    """Return ``code`` uppercased if the ``holidays`` package knows it as an ISO 3166-1 alpha-2
    country code, else raise ``ValueError``. Aliases (``UK``) and alpha-3 codes are rejected."""
    if not isinstance(code, str) or len(code) != 2:
        raise ValueError(f"Unknown country: {code!r}")
    upper = code.upper()
    if upper not in _supported_countries():
        raise ValueError(f"Unknown country: {code!r}")
    # The package also accepts aliases such as "UK" for "GB"; only the canonical code is ISO.
    if _canonical_country(upper) != upper:
        raise ValueError(f"Not an ISO 3166-1 alpha-2 code: {code!r}")
    return upper


# Asking the package builds a holidays object (a tenth of a millisecond, translations included)
# and every target computed asks twice; the answers never change while we run.
@lru_cache(maxsize=1)
def _supported_countries() -> frozenset[str]:
    return frozenset(holidays.list_supported_countries())


@lru_cache(maxsize=512)
def _canonical_country(upper: str) -> str:
    return holidays.country_holidays(upper).country


@lru_cache(maxsize=512)
def _public_holidays(country: str, year: int) -> frozenset[date]:
    # A frozenset rather than the package's dict: a shared cached value must not be mutable.
    return frozenset(holidays.country_holidays(country, years=year))


def _check_hours(hours: Hours, where: str) -> Hours:
    opening, closing = hours
    if not isinstance(opening, time) or not isinstance(closing, time):
        raise ValueError(f"{where}: opening and closing must be datetime.time values")
    if opening.tzinfo is not None or closing.tzinfo is not None:
        raise ValueError(f"{where}: hours are local wall-clock times and carry no tzinfo")
    # time(0, 0) as closing means midnight at the end of the day (a 24-hour day is 00:00-00:00).
    if closing != time(0, 0) and closing <= opening:
        raise ValueError(f"{where}: closing must be after opening")
    return (opening, closing)


@dataclass(frozen=True)
class BusinessCalendar:
    """When a business-hours clock runs, in one time zone.

    ``weekly_hours`` maps a weekday (0 = Monday) to its opening and closing wall-clock times; a
    missing weekday is closed. ``date_overrides`` gives a specific local date other hours, or
    ``None`` to close it; an override wins over a public holiday, so a desk can open on one.
    A closing time of ``00:00`` means midnight at the end of that day. Construction validates
    everything and raises ``ValueError``; the mappings are copied, so later edits by the caller
    cannot change a calendar.
    """

    country: str
    time_zone: str
    weekly_hours: Mapping[int, Hours] = field(default_factory=lambda: DEFAULT_WEEKLY_HOURS)
    date_overrides: Mapping[date, Hours | None] = field(
        default_factory=lambda: MappingProxyType({})
    )
    observe_public_holidays: bool = True

    def __post_init__(self) -> None:
        set_field = object.__setattr__  # frozen: normalise through the back door, once.
        set_field(self, "country", validate_country(self.country))
        validate_time_zone(self.time_zone)
        weekly: dict[int, Hours] = {}
        for weekday, hours in self.weekly_hours.items():
            if weekday not in range(7):
                raise ValueError(f"Weekday must be 0 (Monday) to 6 (Sunday), got {weekday!r}")
            weekly[weekday] = _check_hours(hours, WEEKDAY_NAMES[weekday])
        overrides: dict[date, Hours | None] = {}
        for day, hours in self.date_overrides.items():
            if not isinstance(day, date) or isinstance(day, datetime):
                raise ValueError(f"Override keys must be dates, got {day!r}")
            overrides[day] = None if hours is None else _check_hours(hours, day.isoformat())
        set_field(self, "weekly_hours", MappingProxyType(weekly))
        set_field(self, "date_overrides", MappingProxyType(overrides))

    def __hash__(self) -> int:
        # Mapping proxies are unhashable; hash a sorted snapshot so calendars can key caches.
        return hash(
            (
                self.country,
                self.time_zone,
                tuple(sorted(self.weekly_hours.items())),
                tuple(sorted(self.date_overrides.items(), key=lambda item: item[0])),
                self.observe_public_holidays,
            )
        )

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    def hours_on(self, day: date) -> Hours | None:
        """The local opening and closing times on ``day``, or ``None`` when closed."""
        if day in self.date_overrides:
            return self.date_overrides[day]
        if self.observe_public_holidays and day in _public_holidays(self.country, day.year):
            return None
        return self.weekly_hours.get(day.weekday())


def _require_aware(instant: datetime, name: str) -> None:
    if not isinstance(instant, datetime) or instant.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime")


def _open_interval(day: date, calendar: BusinessCalendar) -> tuple[datetime, datetime] | None:
    """The UTC interval during which the desk is open on local date ``day``, if any.

    Wall-clock times are read with ``fold=0``: an ambiguous time (clocks going back) is its first
    occurrence, and a time that does not exist (clocks going forward) lands one gap later.
    """
    hours = calendar.hours_on(day)
    if hours is None:
        return None
    opening, closing = hours
    zone = calendar.zone
    closing_day = day + timedelta(days=1) if closing == time(0, 0) else day
    opens = datetime.combine(day, opening, tzinfo=zone).astimezone(UTC)
    closes = datetime.combine(closing_day, closing, tzinfo=zone).astimezone(UTC)
    # Hours whose edges fall inside a daylight-saving gap can come out inverted; that is empty.
    return (opens, closes) if opens < closes else None


def _open_spans_from(
    instant: datetime, calendar: BusinessCalendar
) -> Iterator[tuple[datetime, datetime]]:
    """Yield the non-empty open spans at or after ``instant`` in order, the first one clipped to
    start at ``instant``. Raise ``ValueError`` after ``MAX_CLOSED_DAYS`` days without one."""
    cursor = instant.astimezone(UTC)
    # Start a day early: a span of the previous local date could in principle still be running.
    day = cursor.astimezone(calendar.zone).date() - timedelta(days=1)
    closed_days = 0
    while True:
        interval = _open_interval(day, calendar)
        if interval is not None and interval[1] > cursor:
            closed_days = 0
            yield (max(interval[0], cursor), interval[1])
        else:
            closed_days += 1
            if closed_days > MAX_CLOSED_DAYS:
                raise ValueError("The calendar has no open hours in the next three years")
        day += timedelta(days=1)


def is_open_at(instant: datetime, calendar: BusinessCalendar) -> bool:
    """Whether the desk is open at ``instant`` (aware; closing instants count as closed)."""
    _require_aware(instant, "instant")
    utc = instant.astimezone(UTC)
    local_day = utc.astimezone(calendar.zone).date()
    for day in (local_day - timedelta(days=1), local_day):
        interval = _open_interval(day, calendar)
        if interval is not None and interval[0] <= utc < interval[1]:
            return True
    return False


def next_opening(instant: datetime, calendar: BusinessCalendar) -> datetime:
    """The first open instant at or after ``instant``, in UTC: ``instant`` itself when open.

    Raises ``ValueError`` for a naive instant or a calendar with no open hours in three years.
    """
    _require_aware(instant, "instant")
    return next(_open_spans_from(instant, calendar))[0]


def add_business_minutes(start: datetime, minutes: int, calendar: BusinessCalendar) -> datetime:
    """The earliest instant by which ``minutes`` of open time have passed since ``start``, in UTC.

    Only time inside the calendar's open hours counts; a ``start`` outside them begins counting at
    the next opening. Because the result is the *earliest* such instant, a target that uses up a
    day exactly lands on that day's closing time, not on the next opening. This makes the
    function additive: adding ``m1`` then ``m2`` gives the same instant as adding ``m1 + m2``.
    Zero minutes return ``start`` itself (in UTC), open or not: a zero-minute target is due at
    once. Raises ``ValueError`` for a naive ``start``, negative or non-integer ``minutes``, or a
    calendar with no open hours for three years in a row. Loops per day, never per minute.
    """
    _require_aware(start, "start")
    if isinstance(minutes, bool) or not isinstance(minutes, int) or minutes < 0:
        raise ValueError(f"minutes must be a non-negative integer, got {minutes!r}")
    if minutes == 0:
        return start.astimezone(UTC)
    remaining = timedelta(minutes=minutes)
    for span_start, span_end in _open_spans_from(start, calendar):
        available = span_end - span_start
        if remaining <= available:
            return span_start + remaining
        remaining -= available
    raise AssertionError("unreachable: _open_spans_from is endless or raises")  # pragma: no cover


def _format_hours(hours: Hours) -> str:
    opening, closing = hours
    closing_text = "24:00" if closing == time(0, 0) else closing.strftime("%H:%M")
    return f"{opening.strftime('%H:%M')}-{closing_text}"


def describe_hours(calendar: BusinessCalendar, at: datetime | None = None) -> str:
    """A short human summary of the weekly hours, e.g. ``"Mon-Fri 09:00-17:00 KST"``.

    Consecutive weekdays with the same hours are grouped. The zone abbreviation is the one in
    force at ``at`` (aware; default: now), so a summer and a winter call may differ (EDT/EST).
    Holidays and date overrides are not described. A calendar with no weekly hours is "Closed".
    """
    if at is None:
        at = datetime.now(UTC)
    _require_aware(at, "at")
    groups: list[tuple[int, int, Hours]] = []
    for weekday in range(7):
        hours = calendar.weekly_hours.get(weekday)
        if hours is None:
            continue
        if groups and groups[-1][1] == weekday - 1 and groups[-1][2] == hours:
            groups[-1] = (groups[-1][0], weekday, hours)
        else:
            groups.append((weekday, weekday, hours))
    if not groups:
        return "Closed"
    parts = []
    for first, last, hours in groups:
        days = WEEKDAY_NAMES[first]
        if last != first:
            days += f"-{WEEKDAY_NAMES[last]}"
        parts.append(f"{days} {_format_hours(hours)}")
    abbreviation = at.astimezone(calendar.zone).tzname()
    return f"{', '.join(parts)} {abbreviation}"
