from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db import models
from django.utils.translation import gettext_lazy as _

from .models import (
    ApiToken,
    DelegatedAdminRelationship,
    ElevatedSupportContract,
    PartnerMembership,
    PartnerOrganization,
    Plan,
    RelationshipAssignment,
    RelationshipEvent,
    RoleAssignment,
    Subscription,
    SupportProfile,
    Tenant,
    User,
)


class RoleAssignmentInline(admin.TabularInline):
    model = RoleAssignment
    extra = 0
    autocomplete_fields = ["user", "tenant"]


class SupportProfileInline(admin.StackedInline):
    model = SupportProfile
    extra = 0
    filter_horizontal = ["products"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["email"]
    list_display = [
        "email",
        "display_name",
        "tenant",
        "preferred_language",
        "is_active",
        "is_staff",
    ]
    list_filter = ["is_active", "is_staff", "is_superuser", "preferred_language"]
    search_fields = ["email", "display_name", "tenant__name"]
    autocomplete_fields = ["tenant"]
    inlines = [SupportProfileInline, RoleAssignmentInline]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (
            _("Profile"),
            {"fields": ["display_name", "phone", "preferred_language", "time_zone", "tenant"]},
        ),
        (
            _("Permissions"),
            {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]},
        ),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": ["email", "display_name", "tenant", "password1", "password2"],
            },
        ),
    ]


class SubscriptionInline(admin.TabularInline):
    model = Subscription
    extra = 0
    autocomplete_fields = ["plan", "reseller"]


class ElevatedSupportContractInline(admin.TabularInline):
    model = ElevatedSupportContract
    extra = 0


class RetargetOnTierChange:
    """Subscriptions and contracts decide the tier; after an edit, open cases get new targets."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not isinstance(obj, Tenant):
            self._retarget(obj.tenant)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if isinstance(form.instance, Tenant):
            self._retarget(form.instance)

    def _retarget(self, tenant):
        from cases.services.lifecycle import tenant_retarget_open_cases

        tenant_retarget_open_cases(tenant=tenant)


@admin.register(Tenant)
class TenantAdmin(RetargetOnTierChange, admin.ModelAdmin):
    list_display = ["name", "primary_domain", "country", "time_zone", "preferred_language"]
    list_filter = ["country", "preferred_language"]
    search_fields = ["name", "primary_domain"]
    inlines = [SubscriptionInline, ElevatedSupportContractInline, RoleAssignmentInline]


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "support_tier", "is_standalone"]
    list_filter = ["support_tier", "is_standalone"]
    search_fields = ["name", "code"]


@admin.register(Subscription)
class SubscriptionAdmin(RetargetOnTierChange, admin.ModelAdmin):
    list_display = ["tenant", "plan", "kind", "starts_at", "ends_at", "reseller"]
    list_filter = ["kind", "plan__support_tier", "plan"]
    search_fields = ["tenant__name", "tenant__primary_domain", "plan__name"]
    autocomplete_fields = ["tenant", "plan", "reseller"]


@admin.register(ElevatedSupportContract)
class ElevatedSupportContractAdmin(RetargetOnTierChange, admin.ModelAdmin):
    list_display = ["tenant", "reference", "starts_at", "ends_at"]
    search_fields = ["tenant__name", "reference"]
    autocomplete_fields = ["tenant"]


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(admin.ModelAdmin):
    list_display = ["user", "tenant", "role", "created_at"]
    list_filter = ["role"]
    search_fields = ["user__email", "tenant__name"]
    autocomplete_fields = ["user", "tenant"]


class PartnerMembershipInline(admin.TabularInline):
    model = PartnerMembership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(PartnerOrganization)
class PartnerOrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "domain", "support_email", "support_phone"]
    search_fields = ["name", "domain"]
    inlines = [PartnerMembershipInline]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(PartnerMembership)
class PartnerMembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "partner", "is_admin_agent"]
    list_filter = ["is_admin_agent", "partner"]
    search_fields = ["user__email", "partner__name"]
    autocomplete_fields = ["user", "partner"]


class RelationshipAssignmentInline(admin.TabularInline):
    model = RelationshipAssignment
    extra = 0
    autocomplete_fields = ["user", "assigned_by"]


class RelationshipEventInline(admin.TabularInline):
    model = RelationshipEvent
    extra = 0
    can_delete = False
    readonly_fields = ["kind", "actor", "at", "detail"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(DelegatedAdminRelationship)
class DelegatedAdminRelationshipAdmin(admin.ModelAdmin):
    """Read-mostly: the lifecycle is changed through the services, which keep the audit trail."""

    list_display = ["name", "partner", "tenant", "status", "ends_at", "auto_extend"]
    list_filter = ["status", "auto_extend", "partner"]
    search_fields = ["name", "partner__name", "tenant__name", "tenant__primary_domain"]
    readonly_fields = [
        "status",
        "requested_at",
        "requested_by",
        "approved_at",
        "approved_by",
        "rejected_at",
        "rejected_by",
        "ends_at",
        "expired_at",
        "terminated_at",
        "terminated_by",
        "last_reminder_days",
    ]
    autocomplete_fields = ["partner", "tenant"]
    inlines = [RelationshipAssignmentInline, RelationshipEventInline]


@admin.register(RelationshipAssignment)
class RelationshipAssignmentAdmin(admin.ModelAdmin):
    list_display = ["user", "relationship", "assigned_at"]
    search_fields = ["user__email", "relationship__name", "relationship__tenant__name"]
    autocomplete_fields = ["user", "relationship", "assigned_by"]


@admin.register(RelationshipEvent)
class RelationshipEventAdmin(admin.ModelAdmin):
    list_display = ["relationship", "kind", "actor", "at"]
    list_filter = ["kind"]
    search_fields = ["relationship__name", "relationship__tenant__name", "actor__email"]
    readonly_fields = ["relationship", "kind", "actor", "at", "detail"]


@admin.register(SupportProfile)
class SupportProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "role"]
    list_filter = ["role", "products"]
    search_fields = ["user__email", "user__display_name"]
    autocomplete_fields = ["user"]
    filter_horizontal = ["products"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are created by their owners; the back office can only see and revoke them."""

    list_display = ["name", "user", "prefix", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["revoked_at"]
    search_fields = ["name", "user__email", "prefix"]
    readonly_fields = ["user", "name", "prefix", "key_hash", "created_at", "last_used_at"]

    def has_add_permission(self, request) -> bool:
        return False
