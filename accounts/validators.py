"""Model validators for values that come from outside: IANA time zones and ISO country codes.

The rules themselves live with the business calendar, which needs both to be right.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from cases import business_clock


def validate_time_zone(value: str) -> None:
    try:
        business_clock.validate_time_zone(value)
    except ValueError:
        raise ValidationError(
            _("%(value)s is not an IANA time zone."), params={"value": value}
        ) from None


def validate_country(value: str) -> None:
    try:
        business_clock.validate_country(value)
    except ValueError:
        raise ValidationError(
            _("%(value)s is not a supported ISO 3166-1 alpha-2 country code."),
            params={"value": value},
        ) from None
    if value != value.upper():
        raise ValidationError(_("Write the country code in capitals, e.g. KR."))
