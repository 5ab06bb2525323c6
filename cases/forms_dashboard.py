"""The period form of the manager dashboard: two UTC dates, both included."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django import forms
from django.utils.translation import gettext_lazy as _

from .forms_dates import optional_date

DEFAULT_DAYS = 30
MAX_DAYS = 366


@dataclass(frozen=True)
class Period:
    """The days `first` to `last`, both included, as UTC dates."""

    first: date
    last: date

    @property
    def start(self) -> datetime:
        """The first instant of the period (inclusive), in UTC."""
        return datetime.combine(self.first, time.min, tzinfo=UTC)

    @property
    def end(self) -> datetime:
        """The first instant after the period (exclusive), in UTC."""
        return datetime.combine(self.last + timedelta(days=1), time.min, tzinfo=UTC)

    @classmethod
    def default(cls, today: date) -> "Period":
        """The last 30 days, today included."""
        return cls(first=today - timedelta(days=DEFAULT_DAYS - 1), last=today)


class DashboardPeriodForm(forms.Form):
    """Read `start` and `end` from the query string; either may be left out.

    A missing end is today, a missing start 30 days before the end. An end before the start or
    a period longer than 366 days is an error; `period()` then falls back to the default period
    (the page shows the errors beside the fields and still renders).
    """

    start = optional_date(_("From"))
    end = optional_date(_("To (included)"))

    def __init__(self, data=None, *, today: date):
        self.today = today
        default = Period.default(today)
        super().__init__(data, initial={"start": default.first, "end": default.last})

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        last = cleaned.get("end") or self.today
        first = cleaned.get("start") or last - timedelta(days=DEFAULT_DAYS - 1)
        if last < first:
            self.add_error("end", _("The end date must be on or after the start date."))
        elif (last - first).days + 1 > MAX_DAYS:
            self.add_error(
                "end", _("Choose a period of at most %(days)d days.") % {"days": MAX_DAYS}
            )
        else:
            cleaned["period"] = Period(first=first, last=last)
        return cleaned

    def period(self) -> Period:
        """The chosen period when the form is valid, otherwise the default one."""
        if self.is_bound and self.is_valid():
            return self.cleaned_data["period"]
        return Period.default(self.today)
