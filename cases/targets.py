"""Response targets from the database: the editable matrix and the countries' business calendars.

The rules live in the pure modules `cases.business_clock` and `cases.response_targets`; this
module only reads their inputs from the database (`ResponseTargetCell`, `BusinessCalendar`,
`CalendarOverride`) and turns their errors into the domain's `InvalidInput`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from types import MappingProxyType
from typing import Any

from django.utils.translation import gettext_noop

from cases import business_clock, response_targets
from cases.models import BusinessCalendar, ResponseTargetCell
from cases.response_targets import DEFAULT_MATRIX, Availability, TargetCell
from helpdesk.errors import InvalidInput
from helpdesk.scoped_memo import ScopedMemo

# The matrix's customer-facing labels, so the Korean catalogue carries them; pages translate the
# label stored on each case when they show it.
RESPONSE_LABELS = (
    gettext_noop("1 hour"),
    gettext_noop("2 hours"),
    gettext_noop("4 hours"),
    gettext_noop("Next day"),
    gettext_noop("No commitment"),
)

# The share of a target after which the assigned engineer (or the managers) are warned.
WARN_NUMERATOR, WARN_DENOMINATOR = 3, 4


def parse_weekly_hours(data: Any) -> dict[int, business_clock.Hours]:
    """Read a `BusinessCalendar.weekly_hours` value: ``{"0": ["09:00", "17:00"], ...}``.

    Keys are weekdays as strings ("0" = Monday to "6" = Sunday); a missing weekday is closed.
    A closing time of "00:00" means midnight at the end of the day. Raises ``ValueError`` with a
    message fit for a form when the value is not of that shape or the hours are inverted.
    """
    if not isinstance(data, dict):
        raise ValueError('Weekly hours must be an object such as {"0": ["09:00", "17:00"]}.')
    weekly: dict[int, business_clock.Hours] = {}
    for key, hours in data.items():
        if not isinstance(key, str) or key not in {str(day) for day in range(7)}:
            raise ValueError(f"Weekday keys are 0 (Monday) to 6 (Sunday), not {key!r}.")
        if (
            not isinstance(hours, list | tuple)
            or len(hours) != 2
            or not all(isinstance(part, str) for part in hours)
        ):
            raise ValueError(f'Day {key}: give opening and closing as ["HH:MM", "HH:MM"].')
        try:
            opening, closing = (time.fromisoformat(part) for part in hours)
        except ValueError:
            raise ValueError(f"Day {key}: {hours!r} are not HH:MM times.") from None
        weekly[int(key)] = (opening, closing)
    # Let the pure calendar judge the hours themselves (closing after opening, no zone).
    business_clock.BusinessCalendar(country="US", time_zone="UTC", weekly_hours=weekly)
    return weekly


# Inside `read_once()` (a run that computes the targets of many cases: the tier-change sweep)
# the matrix and each country's calendar are read from the database once; everywhere else each
# computation reads them afresh, so an edit in the back office applies at once.
_reads = ScopedMemo("response_target_reads")
read_once = _reads.scope
_remembered = _reads.remembered


def _valid_place(country: str, time_zone: str) -> str:
    """Return the canonical country code, or raise `InvalidInput` for an unknown country or zone."""
    try:
        country = business_clock.validate_country(country)
    except ValueError as exc:
        raise InvalidInput(str(exc), code="unknown_country") from None
    try:
        business_clock.validate_time_zone(time_zone)
    except ValueError as exc:
        raise InvalidInput(str(exc), code="unknown_time_zone") from None
    return country


def calendar_for(*, country: str, time_zone: str) -> business_clock.BusinessCalendar:
    """The business-hours calendar of ``country`` read in ``time_zone`` (the tenant's zone).

    Uses the country's `BusinessCalendar` row and its overrides (an override with neither time is
    a closed day); a country without a row gets Mon-Fri 09:00-17:00 with its public holidays.
    At most two queries. Raises `InvalidInput` with code ``unknown_country`` or
    ``unknown_time_zone``, or ``invalid_calendar`` when the stored row cannot be read.
    """
    country = _valid_place(country, time_zone)
    return _remembered(
        ("calendar", country, time_zone), lambda: _stored_calendar(country, time_zone)
    )


def _stored_calendar(country: str, time_zone: str) -> business_clock.BusinessCalendar:
    row = BusinessCalendar.objects.filter(country=country).prefetch_related("overrides").first()
    if row is None:
        return business_clock.BusinessCalendar(country=country, time_zone=time_zone)
    try:
        overrides = {
            override.date: (
                None
                if override.opens_at is None or override.closes_at is None
                else (override.opens_at, override.closes_at)
            )
            for override in row.overrides.all()
        }
        return business_clock.BusinessCalendar(
            country=country,
            time_zone=time_zone,
            weekly_hours=parse_weekly_hours(row.weekly_hours),
            date_overrides=overrides,
            observe_public_holidays=row.observe_public_holidays,
        )
    except ValueError as exc:
        raise InvalidInput(
            f"The business calendar of {country} is invalid: {exc}", code="invalid_calendar"
        ) from None


def target_matrix() -> Mapping[tuple[str, str], TargetCell]:
    """The response-target matrix keyed by ``(tier, severity)``: the `ResponseTargetCell` rows,
    with the spec's `DEFAULT_MATRIX` filling any cell that has no row. One query.

    Raises `InvalidInput` with code ``invalid_matrix_cell`` if a stored row cannot be read.
    """
    return _remembered(("matrix",), _stored_matrix)


def _stored_matrix() -> Mapping[tuple[str, str], TargetCell]:
    matrix = dict(DEFAULT_MATRIX)
    for row in ResponseTargetCell.objects.all():
        try:
            matrix[(row.tier, row.severity)] = TargetCell(
                Availability(row.availability), row.minutes, row.label
            )
        except (ValueError, response_targets.InvalidTargetInput) as exc:
            raise InvalidInput(
                f"The matrix cell {row.tier} {row.severity} is invalid: {exc}",
                code="invalid_matrix_cell",
            ) from None
    return MappingProxyType(matrix)


@dataclass(frozen=True)
class CaseTarget:
    """A case's initial-response target.

    ``availability`` is ``"24x7"`` or ``"business_hours"``; ``minutes`` is ``None`` for no
    commitment. ``due`` and ``warn_at`` are aware UTC datetimes, both ``None`` without a
    commitment; ``warn_at`` is when three quarters of the target (whole minutes, rounded down)
    have elapsed on the same clock, so it is never after ``due``.
    """

    availability: str
    label: str
    minutes: int | None
    due: datetime | None
    warn_at: datetime | None


def compute_case_target(
    *,
    tier: str | None,
    category: str,
    severity: str,
    opened_at: datetime,
    country: str,
    time_zone: str,
    clock: str | None = None,
    minutes: int | None = None,
) -> CaseTarget:
    """The target of a case opened at ``opened_at`` by a tenant in ``country`` / ``time_zone``.

    Reads the matrix (one query) and, only when the target runs on business hours with a
    commitment, the country's calendar (two more). ``tier`` is ``None`` for a tenant without an
    active subscription (pre-sales only). ``clock`` (``"24x7"`` or ``"business_hours"``) and
    ``minutes`` replace the matrix cell's, to preview a configuration; see
    `response_targets.compute_response_target` for the rules.

    Raises `InvalidInput` whose ``code`` is that of `response_targets.InvalidTargetInput`
    (``unknown_tier``, ``severity_not_allowed``, ...) or of `calendar_for`.
    """
    # A calendar built without the database validates the place; the stored one is read only
    # if the target turns out to count business minutes.
    country, calendar = _remembered(
        ("place", country, time_zone), lambda: _plain_calendar(country, time_zone)
    )
    arguments = {
        "tier": tier,
        "category": category,
        "severity": severity,
        "opened_at": opened_at,
        "matrix": target_matrix(),
        "clock": clock,
        "minutes": minutes,
    }
    try:
        target = response_targets.compute_response_target(calendar=calendar, **arguments)
        on_business_hours = target.availability is Availability.BUSINESS_HOURS
        if on_business_hours and target.minutes is not None:
            calendar = calendar_for(country=country, time_zone=time_zone)
            target = response_targets.compute_response_target(calendar=calendar, **arguments)
        warn_at = _warn_at(target, opened_at, calendar)
    except response_targets.InvalidTargetInput as exc:
        raise InvalidInput(exc.message, code=exc.code) from None
    except ValueError as exc:
        # The calendar has no open hours for years: a configuration error, not the caller's.
        raise InvalidInput(str(exc), code="invalid_calendar") from None
    return CaseTarget(
        availability=target.availability.value,
        label=target.label,
        minutes=target.minutes,
        due=target.due,
        warn_at=warn_at,
    )


def _plain_calendar(country: str, time_zone: str) -> tuple[str, business_clock.BusinessCalendar]:
    country = _valid_place(country, time_zone)
    return country, business_clock.BusinessCalendar(country=country, time_zone=time_zone)


def _warn_at(
    target: response_targets.ResponseTarget,
    opened_at: datetime,
    calendar: business_clock.BusinessCalendar,
) -> datetime | None:
    if target.minutes is None:
        return None
    warn_minutes = target.minutes * WARN_NUMERATOR // WARN_DENOMINATOR
    if target.availability is Availability.TWENTY_FOUR_SEVEN:
        return opened_at.astimezone(UTC) + timedelta(minutes=warn_minutes)
    return business_clock.add_business_minutes(opened_at, warn_minutes, calendar)


def describe_business_hours(*, country: str, time_zone: str, at: datetime | None = None) -> str:
    """The weekly business hours of ``country`` in ``time_zone``, e.g. ``"Mon-Fri 09:00-17:00
    KST"``, with the zone abbreviation in force at ``at`` (default: now). Holidays and date
    overrides are not described. Raises `InvalidInput` as `calendar_for` does."""
    calendar = calendar_for(country=country, time_zone=time_zone)
    try:
        return business_clock.describe_hours(calendar, at)
    except ValueError as exc:
        raise InvalidInput(str(exc), code="naive_datetime") from None


def support_open_now(*, availability: str, country: str, time_zone: str, at: datetime) -> bool:
    """Whether support on ``availability`` is working at ``at``: always on ``"24x7"`` (no query),
    else whether ``at`` falls inside the country's business hours in ``time_zone``.

    Raises `InvalidInput` with code ``unknown_availability``, ``naive_datetime`` or one of
    `calendar_for`'s."""
    try:
        clock = Availability(availability)
    except ValueError:
        raise InvalidInput(
            f"Unknown availability: {availability!r}", code="unknown_availability"
        ) from None
    if clock is Availability.TWENTY_FOUR_SEVEN:
        return True
    calendar = calendar_for(country=country, time_zone=time_zone)
    try:
        return business_clock.is_open_at(at, calendar)
    except ValueError as exc:
        raise InvalidInput(str(exc), code="naive_datetime") from None
