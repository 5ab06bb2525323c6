from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .choices import RelationshipStatus

MIN_RELATIONSHIP_DAYS = 1
MAX_RELATIONSHIP_DAYS = 730


class PartnerOrganization(models.Model):
    """A partner (reseller, managed-service provider) that may act for customers it is delegated by."""

    name = models.CharField(_("name"), max_length=200)
    domain = models.CharField(_("domain"), max_length=253, unique=True)
    support_email = models.EmailField(_("support email"), blank=True)
    support_phone = models.CharField(_("support phone"), max_length=40, blank=True)
    support_url = models.URLField(_("support web site"), blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class PartnerMembership(models.Model):
    """A user working for a partner; admin agents request relationships and assign users to them."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="partner_memberships"
    )
    partner = models.ForeignKey(
        PartnerOrganization, on_delete=models.CASCADE, related_name="memberships"
    )
    is_admin_agent = models.BooleanField(_("admin agent"), default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "partner"], name="partner_membership_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user.email} @ {self.partner.name}"


class DelegatedAdminRelationship(models.Model):
    """A customer's grant of tenant roles to a partner for a limited time (spec section 8).

    Changed only through the `relationship_*` services, which keep the lifecycle and its audit trail.
    """

    partner = models.ForeignKey(
        PartnerOrganization, on_delete=models.CASCADE, related_name="relationships"
    )
    tenant = models.ForeignKey(
        "accounts.Tenant", on_delete=models.CASCADE, related_name="partner_relationships"
    )
    name = models.CharField(_("name"), max_length=100)
    roles = models.JSONField(_("roles"), default=list)
    duration_days = models.PositiveSmallIntegerField(_("duration in days"))
    auto_extend = models.BooleanField(_("extend automatically by 180 days"), default=False)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=RelationshipStatus.choices,
        default=RelationshipStatus.APPROVAL_PENDING,
    )
    requested_at = models.DateTimeField(_("requested at"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    rejected_at = models.DateTimeField(_("rejected at"), null=True, blank=True)
    rejected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    ends_at = models.DateTimeField(_("ends at"), null=True, blank=True)
    expired_at = models.DateTimeField(_("expired at"), null=True, blank=True)
    terminated_at = models.DateTimeField(_("terminated at"), null=True, blank=True)
    terminated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Smallest "days before the end" reminder already sent (30, 7, 1, 0 = on expiry); reset on extension.
    last_reminder_days = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at"]
        indexes = [
            models.Index(fields=["tenant", "status"], name="relationship_tenant_status"),
            models.Index(fields=["partner", "status"], name="relationship_partner_status"),
            models.Index(
                fields=["ends_at"],
                name="relationship_active_end",
                condition=Q(status=RelationshipStatus.ACTIVE),
            ),
            models.Index(
                fields=["requested_at"],
                name="relationship_pending_request",
                condition=Q(status=RelationshipStatus.APPROVAL_PENDING),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(duration_days__gte=MIN_RELATIONSHIP_DAYS)
                & Q(duration_days__lte=MAX_RELATIONSHIP_DAYS),
                name="relationship_duration_range",
            ),
            models.CheckConstraint(
                condition=Q(status__in=RelationshipStatus.values), name="relationship_known_status"
            ),
            models.CheckConstraint(
                condition=~Q(status=RelationshipStatus.ACTIVE)
                | (Q(approved_at__isnull=False) & Q(ends_at__isnull=False)),
                name="relationship_active_has_end",
            ),
            models.CheckConstraint(
                condition=~Q(status=RelationshipStatus.TERMINATED) | Q(terminated_at__isnull=False),
                name="relationship_terminated_has_time",
            ),
            models.CheckConstraint(
                condition=~Q(status=RelationshipStatus.REJECTED) | Q(rejected_at__isnull=False),
                name="relationship_rejected_has_time",
            ),
            models.CheckConstraint(
                condition=~Q(status=RelationshipStatus.EXPIRED) | Q(expired_at__isnull=False),
                name="relationship_expired_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.partner.name} -> {self.tenant.name}: {self.name}"


class RelationshipAssignment(models.Model):
    """A partner user allowed to act under a relationship, with a subset of its roles."""

    relationship = models.ForeignKey(
        DelegatedAdminRelationship, on_delete=models.CASCADE, related_name="assignments"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="relationship_assignments"
    )
    roles = models.JSONField(_("roles"), default=list)
    assigned_at = models.DateTimeField(_("assigned at"))
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["relationship", "user"], name="relationship_assignment_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user.email} under {self.relationship}"


class RelationshipEvent(models.Model):
    """Audit trail of a relationship: who requested, approved, assigned, terminated, and when."""

    class Kind(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        TERMINATED = "terminated", _("Terminated")
        EXPIRED = "expired", _("Expired")
        EXTENDED = "extended", _("Extended")
        USER_ASSIGNED = "user_assigned", _("User assigned")

    relationship = models.ForeignKey(
        DelegatedAdminRelationship, on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField()
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["relationship", "at"], name="relationship_event_at")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} at {self.at:%Y-%m-%d %H:%M}"
