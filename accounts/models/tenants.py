from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from accounts.validators import validate_country, validate_time_zone

from .choices import Language, SubscriptionKind, SupportTier, TenantRole


class Tenant(models.Model):
    """A customer organisation."""

    name = models.CharField(_("name"), max_length=200)
    primary_domain = models.CharField(_("primary domain"), max_length=253, unique=True)
    country = models.CharField(
        _("country"), max_length=2, validators=[validate_country], help_text=_("ISO 3166-1 alpha-2")
    )
    time_zone = models.CharField(_("time zone"), max_length=64, validators=[validate_time_zone])
    preferred_language = models.CharField(
        _("preferred language"), max_length=8, choices=Language.choices, default=Language.ENGLISH
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(primary_domain=models.functions.Lower("primary_domain")),
                name="tenant_domain_lowercase",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.primary_domain})"


class Plan(models.Model):
    """A product plan in the catalogue; its support tier decides the response targets."""

    code = models.SlugField(_("code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=200)
    support_tier = models.CharField(_("support tier"), max_length=16, choices=SupportTier.choices)
    is_standalone = models.BooleanField(_("standalone plan"), default=False)

    class Meta:
        ordering = ["support_tier", "name"]
        constraints = [
            # Elevated support comes from a contract, never from a plan.
            models.CheckConstraint(
                condition=~Q(support_tier=SupportTier.ELEVATED), name="plan_tier_not_elevated"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Subscription(models.Model):
    """A tenant's paid or trial subscription to a plan, active from `starts_at` until `ends_at`."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="subscriptions")
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="subscriptions")
    kind = models.CharField(
        _("kind"), max_length=8, choices=SubscriptionKind.choices, default=SubscriptionKind.PAID
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"), null=True, blank=True)
    reseller = models.ForeignKey(
        "accounts.PartnerOrganization",
        verbose_name=_("partner of record"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="sold_subscriptions",
    )

    class Meta:
        indexes = [models.Index(fields=["tenant", "starts_at"], name="subscription_tenant_start")]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True) | Q(ends_at__gt=F("starts_at")),
                name="subscription_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.tenant.name}: {self.plan.name} ({self.get_kind_display()})"


class ElevatedSupportContract(models.Model):
    """A premier/unified-style contract that lifts a tenant to the elevated tier while it runs."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="elevated_contracts")
    reference = models.CharField(_("contract reference"), max_length=64, blank=True)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))

    class Meta:
        indexes = [models.Index(fields=["tenant", "starts_at"], name="elevated_tenant_start")]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="elevated_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.tenant.name}: elevated {self.starts_at:%Y-%m-%d}..{self.ends_at:%Y-%m-%d}"


class RoleAssignment(models.Model):
    """A tenant role held directly by a user (partners get theirs through relationships)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="role_assignments"
    )
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField(_("role"), max_length=32, choices=TenantRole.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "tenant", "role"], name="role_assignment_unique"
            ),
            models.CheckConstraint(
                condition=Q(role__in=TenantRole.values), name="role_assignment_known_role"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user.email}: {self.get_role_display()} of {self.tenant.name}"
