from django.contrib import admin

from cases.models import Attachment, Case, CaseEvent, Notification, SatisfactionSurvey


class CaseEventInline(admin.TabularInline):
    model = CaseEvent
    extra = 0
    can_delete = False
    fields = [
        "at",
        "kind",
        "actor",
        "acting_partner",
        "is_public",
        "old_value",
        "new_value",
        "body",
    ]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    """Read-only: cases change through the services, which keep history and notifications."""

    list_display = [
        "number",
        "tenant",
        "title",
        "severity",
        "status",
        "support_tier",
        "assigned_to",
        "opened_at",
        "breached_at",
    ]
    list_filter = ["status", "severity", "support_tier", "category", "product", "support_language"]
    search_fields = ["number", "title", "tenant__name", "tenant__primary_domain", "contact_email"]
    list_select_related = ["tenant", "assigned_to"]
    date_hierarchy = "opened_at"
    inlines = [CaseEventInline]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(CaseEvent)
class CaseEventAdmin(admin.ModelAdmin):
    list_display = ["case", "kind", "actor", "acting_partner", "is_public", "at"]
    list_filter = ["kind", "is_public"]
    search_fields = ["case__number", "actor__email", "body"]
    list_select_related = ["case", "actor", "acting_partner"]

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Attachment)
class AttachmentAdmin(admin.ModelAdmin):
    list_display = ["original_name", "event", "content_type", "size"]
    search_fields = ["original_name", "event__case__number"]


@admin.register(SatisfactionSurvey)
class SatisfactionSurveyAdmin(admin.ModelAdmin):
    list_display = ["case", "closure", "rating", "submitted_by", "submitted_at"]
    list_filter = ["rating"]
    search_fields = ["case__number", "comment"]


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["kind", "status", "audience", "case", "attempts", "next_attempt_at", "sent_at"]
    list_filter = ["status", "kind", "audience"]
    search_fields = ["case__number", "dedupe_key", "last_error"]
    readonly_fields = ["created_at", "sent_at", "last_error", "attempts"]
