"""Date fields of the filter forms (dashboard period, audit log): ISO dates in a bounded range."""

from datetime import date

from django import forms
from django.utils.translation import gettext as _

ISO_DATE = "%Y-%m-%d"
EARLIEST = date(2000, 1, 1)
LATEST = date(2100, 12, 31)


def _in_range(value: date | None) -> None:
    # Far-off dates would overflow the period arithmetic; no support data lives there.
    if value is not None and not EARLIEST <= value <= LATEST:
        raise forms.ValidationError(
            _("Choose a date between %(first)s and %(last)s.")
            % {"first": EARLIEST.isoformat(), "last": LATEST.isoformat()}
        )


def optional_date(label) -> forms.DateField:
    """A date that may be left out, typed as YYYY-MM-DD (a date picker in browsers)."""
    return forms.DateField(
        label=label,
        required=False,
        input_formats=[ISO_DATE],
        validators=[_in_range],
        widget=forms.DateInput(attrs={"type": "date"}, format=ISO_DATE),
    )
