from django.contrib import admin

from cases.models import SupportContact


@admin.register(SupportContact)
class SupportContactAdmin(admin.ModelAdmin):
    """The phone directory on the contact page, kept by back office: one row per country."""

    list_display = ["country", "phone", "technical_hours", "billing_hours", "languages"]
    list_filter = ["country"]
    search_fields = ["country", "phone", "languages", "notes"]
    ordering = ["country"]
