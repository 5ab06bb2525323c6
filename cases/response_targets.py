"""Initial-response targets (spec sections 3 to 5), as a pure calculation.

No Django and no database: the caller passes the tenant's tier, the request's category and
severity, the submission time and the tenant's business calendar, and gets back the clock, the
customer-facing label and the due time. ``DEFAULT_MATRIX`` is the spec's table; it also seeds
the editable matrix in the database, whose rows the caller may pass as ``matrix``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from types import MappingProxyType

from cases.business_clock import BusinessCalendar, add_business_minutes


class Availability(StrEnum):
    """Which clock a target runs on."""

    TWENTY_FOUR_SEVEN = "24x7"
    BUSINESS_HOURS = "business_hours"


TIERS = ("business", "enterprise", "frontline", "elevated")
SEVERITIES = ("A", "B", "C")
CATEGORIES = ("pre_sales", "billing", "technical")

# Categories that are always answered in business hours without a committed response time.
UNCOMMITTED_CATEGORIES = frozenset({"pre_sales", "billing"})
# What a tenant with no active subscription may still ask about.
CATEGORIES_WITHOUT_SUBSCRIPTION = frozenset({"pre_sales"})

NEXT_DAY_MINUTES = 24 * 60
NO_COMMITMENT = "No commitment"
NEXT_DAY = "Next day"


class InvalidTargetInput(ValueError):
    """The inputs do not describe a request a target can be computed for.

    ``code`` is stable and meant for API responses and form errors.
    """

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class TargetCell:
    """One cell of the matrix: the clock, the minutes (``None`` = no commitment), the label."""

    availability: Availability
    minutes: int | None
    label: str

    def __post_init__(self) -> None:
        # Accept plain strings (database rows, TextChoices) but store the enum.
        object.__setattr__(self, "availability", Availability(self.availability))
        _check_minutes(self.minutes)


@dataclass(frozen=True)
class ResponseTarget:
    """The computed target. ``due`` is an aware UTC datetime, or ``None`` for no commitment."""

    availability: Availability
    label: str
    minutes: int | None
    due: datetime | None


def _check_minutes(minutes: int | None) -> None:
    # bool is an int subclass; True minutes is a bug, not one minute.
    if minutes is not None and (
        isinstance(minutes, bool) or not isinstance(minutes, int) or minutes < 0
    ):
        raise InvalidTargetInput(
            "invalid_minutes", f"Minutes must be a non-negative integer or None, got {minutes!r}"
        )


_ALWAYS = Availability.TWENTY_FOUR_SEVEN
_BUSINESS = Availability.BUSINESS_HOURS

# Spec section 5, cell by cell, with the labels customers see.
DEFAULT_MATRIX: Mapping[tuple[str, str], TargetCell] = MappingProxyType(
    {
        ("business", "A"): TargetCell(_ALWAYS, 60, "1 hour"),
        ("business", "B"): TargetCell(_BUSINESS, None, NO_COMMITMENT),
        ("business", "C"): TargetCell(_BUSINESS, None, NO_COMMITMENT),
        ("enterprise", "A"): TargetCell(_ALWAYS, 60, "1 hour"),
        ("enterprise", "B"): TargetCell(_ALWAYS, NEXT_DAY_MINUTES, NEXT_DAY),
        ("enterprise", "C"): TargetCell(_ALWAYS, None, NO_COMMITMENT),
        ("frontline", "A"): TargetCell(_ALWAYS, 60, "1 hour"),
        ("frontline", "B"): TargetCell(_ALWAYS, NEXT_DAY_MINUTES, NEXT_DAY),
        ("frontline", "C"): TargetCell(_ALWAYS, None, NO_COMMITMENT),
        ("elevated", "A"): TargetCell(_ALWAYS, 60, "1 hour"),
        ("elevated", "B"): TargetCell(_ALWAYS, 120, "2 hours"),
        ("elevated", "C"): TargetCell(_ALWAYS, 240, "4 hours"),
    }
)


def _plural(count: int, unit: str) -> str:
    return f"{count} {unit}" if count == 1 else f"{count} {unit}s"


def label_for_minutes(
    minutes: int | None, *, availability: Availability | str = Availability.TWENTY_FOUR_SEVEN
) -> str:
    """The customer-facing label for a target of ``minutes``.

    ``None`` is "No commitment", 0 is "Immediately", 1,440 on a 24x7 clock is "Next day" (on a
    business-hours clock 1,440 minutes is three working days, so it is "24 hours" there). Under a
    day: whole hours in hours ("2 hours"), anything else in minutes ("90 minutes"). From a day
    on: days, hours and minutes, omitting zeros ("1 day 2 hours").
    """
    _check_minutes(minutes)
    if minutes is None:
        return NO_COMMITMENT
    if minutes == 0:
        return "Immediately"
    if minutes == NEXT_DAY_MINUTES and Availability(availability) is Availability.TWENTY_FOUR_SEVEN:
        return NEXT_DAY
    if minutes <= NEXT_DAY_MINUTES:
        hours, rest = divmod(minutes, 60)
        return _plural(minutes, "minute") if rest else _plural(hours, "hour")
    days, rest = divmod(minutes, NEXT_DAY_MINUTES)
    hours, rest = divmod(rest, 60)
    parts = [_plural(days, "day")]
    if hours:
        parts.append(_plural(hours, "hour"))
    if rest:
        parts.append(_plural(rest, "minute"))
    return " ".join(parts)


def _validate(tier: str | None, category: str, severity: str, opened_at: datetime) -> None:
    if category not in CATEGORIES:
        raise InvalidTargetInput("unknown_category", f"Unknown category: {category!r}")
    if severity not in SEVERITIES:
        raise InvalidTargetInput("unknown_severity", f"Unknown severity: {severity!r}")
    if tier is not None and tier not in TIERS:
        raise InvalidTargetInput("unknown_tier", f"Unknown support tier: {tier!r}")
    if not isinstance(opened_at, datetime) or opened_at.utcoffset() is None:
        raise InvalidTargetInput("naive_datetime", "opened_at must be a timezone-aware datetime")
    if tier is None and category not in CATEGORIES_WITHOUT_SUBSCRIPTION:
        raise InvalidTargetInput(
            "no_active_subscription",
            "A tenant without an active subscription may file pre-sales requests only",
        )
    if severity == "A" and category in UNCOMMITTED_CATEGORIES:
        raise InvalidTargetInput(
            "severity_not_allowed", "Severity A is for technical requests only"
        )


def compute_response_target(
    *,
    tier: str | None,
    category: str,
    severity: str,
    opened_at: datetime,
    calendar: BusinessCalendar,
    matrix: Mapping[tuple[str, str], TargetCell] = DEFAULT_MATRIX,
    clock: Availability | str | None = None,
    minutes: int | None = None,
) -> ResponseTarget:
    """The initial-response target of a request submitted at ``opened_at``.

    Pre-sales and billing requests run on business hours with no commitment, whatever the
    matrix; ``clock`` and ``minutes`` are ignored for them, since they have no matrix cell to
    preview. Technical requests take the ``(tier, severity)`` cell of ``matrix``. ``clock`` and
    ``minutes``, when given, replace the cell's clock or minutes (to preview a configuration);
    the label is then generated by :func:`label_for_minutes`. ``minutes=None`` means "keep the
    cell's minutes", so a preview of "no commitment" needs a matrix with such a cell.

    ``due`` is ``None`` without a commitment, ``opened_at`` plus the minutes on a 24x7 clock,
    and the minutes counted in ``calendar``'s open hours on a business-hours clock; always UTC.

    Raises :class:`InvalidTargetInput` with code ``unknown_tier``, ``unknown_severity``,
    ``unknown_category``, ``unknown_availability``, ``naive_datetime``, ``invalid_minutes``,
    ``no_active_subscription`` (tier ``None`` outside pre-sales), ``severity_not_allowed``
    (severity A outside technical) or ``missing_matrix_cell``.
    """
    _validate(tier, category, severity, opened_at)
    _check_minutes(minutes)
    if clock is not None:
        try:
            clock = Availability(clock)
        except ValueError:
            raise InvalidTargetInput("unknown_availability", f"Unknown clock: {clock!r}") from None

    if category in UNCOMMITTED_CATEGORIES:
        return ResponseTarget(Availability.BUSINESS_HOURS, NO_COMMITMENT, None, None)

    cell = matrix.get((tier, severity))
    if cell is None:
        raise InvalidTargetInput(
            "missing_matrix_cell", f"The matrix has no target for {tier} severity {severity}"
        )
    # Coerce: a caller may pass database rows whose availability is a plain string.
    availability = Availability(cell.availability if clock is None else clock)
    target_minutes = cell.minutes if minutes is None else minutes
    if clock is None and minutes is None:
        label = cell.label
    else:
        label = label_for_minutes(target_minutes, availability=availability)

    if target_minutes is None:
        due = None
    elif availability is Availability.TWENTY_FOUR_SEVEN:
        # Plain UTC arithmetic: 24x7 minutes are real minutes, whatever the clocks do locally.
        due = opened_at.astimezone(UTC) + timedelta(minutes=target_minutes)
    else:
        due = add_business_minutes(opened_at, target_minutes, calendar)
    return ResponseTarget(availability, label, target_minutes, due)
