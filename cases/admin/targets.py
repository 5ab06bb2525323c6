from datetime import UTC, datetime

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from cases import business_clock
from cases.models import BusinessCalendar, CalendarOverride, ResponseTargetCell
from cases.targets import parse_weekly_hours


@admin.register(ResponseTargetCell)
class ResponseTargetCellAdmin(admin.ModelAdmin):
    """The matrix of spec section 5. A cell without a row falls back to the spec's value, so
    cells are edited in place rather than deleted; tier and severity are the cell's identity."""

    list_display = ["tier", "severity", "availability", "minutes", "label"]
    list_display_links = ["tier"]
    list_editable = ["availability", "minutes", "label"]
    list_filter = ["tier", "severity", "availability"]

    def get_readonly_fields(self, request, obj=None):
        return ["tier", "severity"] if obj is not None else []

    def has_delete_permission(self, request, obj=None):
        return False


class BusinessCalendarForm(forms.ModelForm):
    class Meta:
        model = BusinessCalendar
        fields = ["country", "weekly_hours", "observe_public_holidays"]

    def clean_weekly_hours(self):
        value = self.cleaned_data["weekly_hours"]
        try:
            parse_weekly_hours(value)
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from None
        return value


class CalendarOverrideInline(admin.TabularInline):
    model = CalendarOverride
    fields = ["date", "opens_at", "closes_at", "note"]
    extra = 1


@admin.register(BusinessCalendar)
class BusinessCalendarAdmin(admin.ModelAdmin):
    form = BusinessCalendarForm
    list_display = ["country", "hours", "observe_public_holidays"]
    list_filter = ["observe_public_holidays"]
    search_fields = ["country"]
    inlines = [CalendarOverrideInline]

    @admin.display(description=_("weekly hours (in each tenant's time zone)"))
    def hours(self, obj: BusinessCalendar) -> str:
        try:
            calendar = business_clock.BusinessCalendar(
                country=obj.country,
                time_zone="UTC",
                weekly_hours=parse_weekly_hours(obj.weekly_hours),
            )
        except ValueError:
            return _("Invalid: open the calendar to correct it")
        # The summary ends with the zone's abbreviation; these hours are local to each tenant.
        return business_clock.describe_hours(calendar, datetime.now(UTC)).removesuffix(" UTC")
