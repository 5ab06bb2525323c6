from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .case import Case

# A code lives ten minutes and allows five tries; the service enforces both, the database holds
# the count within bounds even if two guesses race.
CODE_LIFETIME_MINUTES = 10
MAX_ATTEMPTS = 5


class IntakeStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for the code")
    VERIFIED = "verified", _("Caller verified")
    EXPIRED = "expired", _("Expired")
    LOCKED = "locked", _("Locked after too many tries")
    USED = "used", _("Request filed")


class IntakeVerification(models.Model):
    """One phone-intake check: an engineer sends a one-time code to a tenant admin's registered
    email and the caller reads it back. Changed only through `cases.services.intake`.

    The code itself is never stored: `code_hash` holds a salted HMAC of it keyed with SECRET_KEY.
    """

    Status = IntakeStatus

    engineer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="intake_verifications",
        verbose_name=_("engineer"),
    )
    tenant = models.ForeignKey(
        "accounts.Tenant",
        on_delete=models.CASCADE,
        related_name="intake_verifications",
        verbose_name=_("organisation"),
    )
    admin = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="intake_verifications_as_caller",
        verbose_name=_("admin being verified"),
    )
    # The address the code went to, as it was then: the admin's email may change later.
    sent_to = models.EmailField(_("code sent to"))
    code_hash = models.CharField(max_length=128, editable=False)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("wrong or right tries"), default=0)
    created_at = models.DateTimeField(_("code sent at"))
    expires_at = models.DateTimeField(_("code expires at"))
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    used_by_case = models.OneToOneField(
        Case,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="intake_verification",
        verbose_name=_("request filed"),
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            # "My pending intakes": the engineer's checks still waiting for a code.
            models.Index(
                fields=["engineer", "-created_at"],
                name="intake_engineer_pending",
                condition=Q(status=IntakeStatus.PENDING),
            ),
            # How many codes an admin was sent lately (a throttle against mail floods).
            models.Index(fields=["admin", "created_at"], name="intake_admin_recent"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=IntakeStatus.values),
                name="intake_known_status",
            ),
            models.CheckConstraint(
                condition=Q(attempts__gte=0) & Q(attempts__lte=MAX_ATTEMPTS),
                name="intake_attempts_in_range",
            ),
            models.CheckConstraint(
                condition=Q(expires_at__gt=models.F("created_at")),
                name="intake_expires_after_creation",
            ),
            models.CheckConstraint(condition=~Q(code_hash=""), name="intake_code_hash_set"),
            models.CheckConstraint(
                condition=~Q(status__in=[IntakeStatus.VERIFIED, IntakeStatus.USED])
                | Q(verified_at__isnull=False),
                name="intake_verified_has_time",
            ),
            models.CheckConstraint(
                condition=~Q(status=IntakeStatus.PENDING) | Q(verified_at__isnull=True),
                name="intake_pending_not_verified",
            ),
            models.CheckConstraint(
                condition=Q(status=IntakeStatus.USED, used_by_case__isnull=False)
                | (~Q(status=IntakeStatus.USED) & Q(used_by_case__isnull=True)),
                name="intake_used_iff_case",
            ),
            models.CheckConstraint(
                condition=~Q(status=IntakeStatus.LOCKED) | Q(attempts=MAX_ATTEMPTS),
                name="intake_locked_after_max_attempts",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.sent_to} ({self.get_status_display()})"

    @property
    def attempts_left(self) -> int:
        return MAX_ATTEMPTS - self.attempts
