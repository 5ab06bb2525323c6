from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import SupportTier
from accounts.validators import validate_country

from .choices import Availability, Severity


class ResponseTargetCell(models.Model):
    """One cell of the initial-response matrix (tier x severity), editable by back-office staff."""

    tier = models.CharField(_("support tier"), max_length=16, choices=SupportTier.choices)
    severity = models.CharField(_("severity"), max_length=1, choices=Severity.choices)
    availability = models.CharField(_("availability"), max_length=16, choices=Availability.choices)
    minutes = models.PositiveIntegerField(
        _("target in minutes"), null=True, blank=True, help_text=_("Empty: no commitment.")
    )
    label = models.CharField(_("label shown to customers"), max_length=64)

    class Meta:
        ordering = ["tier", "severity"]
        constraints = [
            models.UniqueConstraint(fields=["tier", "severity"], name="target_cell_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.get_tier_display()} {self.severity}: {self.label}"


class BusinessCalendar(models.Model):
    """Business hours of a country (in each tenant's own zone); public holidays come from the
    `holidays` package unless switched off. Countries without a row get Mon-Fri 09:00-17:00."""

    country = models.CharField(
        _("country"), max_length=2, unique=True, validators=[validate_country]
    )
    weekly_hours = models.JSONField(
        _("weekly hours"),
        default=dict,
        help_text=_('Weekday (0 = Monday) to opening and closing, e.g. {"0": ["09:00", "17:00"]}.'),
    )
    observe_public_holidays = models.BooleanField(_("closed on public holidays"), default=True)

    class Meta:
        ordering = ["country"]

    def __str__(self) -> str:
        return self.country


class CalendarOverride(models.Model):
    """A date with other hours, or closed (both times empty)."""

    calendar = models.ForeignKey(
        BusinessCalendar, on_delete=models.CASCADE, related_name="overrides"
    )
    date = models.DateField(_("date"))
    opens_at = models.TimeField(_("opens at"), null=True, blank=True)
    closes_at = models.TimeField(_("closes at"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["calendar", "date"], name="calendar_override_unique"),
            models.CheckConstraint(
                condition=(Q(opens_at__isnull=True) & Q(closes_at__isnull=True))
                | (
                    Q(opens_at__isnull=False)
                    & Q(closes_at__isnull=False)
                    & Q(closes_at__gt=models.F("opens_at"))
                ),
                name="calendar_override_hours",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.calendar.country} {self.date}"
