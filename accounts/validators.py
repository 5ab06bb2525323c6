"""Validators for values that come from outside: IANA time zones and ISO country codes."""

from functools import cache
from zoneinfo import available_timezones

import holidays
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


@cache
def _time_zones() -> frozenset[str]:
    return frozenset(available_timezones())


@cache
def _countries() -> frozenset[str]:
    # The business calendar takes public holidays from this package, so a country it does not know
    # could never have correct business hours.
    return frozenset(holidays.list_supported_countries())


def validate_time_zone(value: str) -> None:
    if value not in _time_zones():
        raise ValidationError(_("%(value)s is not an IANA time zone."), params={"value": value})


def validate_country(value: str) -> None:
    if value not in _countries():
        raise ValidationError(
            _("%(value)s is not a supported ISO 3166-1 alpha-2 country code."),
            params={"value": value},
        )
