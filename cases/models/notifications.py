from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    """An outbox row: written in the same transaction as the change it reports, delivered later
    by `cases.tasks.deliver_notifications`, so a broker or mail outage loses nothing."""

    class Kind(models.TextChoices):
        CASE_CREATED = "case_created", _("Request created")
        ENGINEER_REPLIED = "engineer_replied", _("Engineer replied")
        WAITING_ON_YOU = "waiting_on_you", _("Waiting on you")
        CASE_CLOSED = "case_closed", _("Request closed")
        CASE_REOPENED = "case_reopened", _("Request reopened")
        BREACH_WARNING = "breach_warning", _("Response target nearly due")
        BREACHED = "breached", _("Response target breached")
        RELATIONSHIP_REMINDER = "relationship_reminder", _("Relationship ends soon")
        RELATIONSHIP_EXPIRED = "relationship_expired", _("Relationship expired")

    class Audience(models.TextChoices):
        ADDRESS = "address", _("The given addresses")
        MANAGERS = "managers", _("Every support manager")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed for good")

    kind = models.CharField(max_length=32, choices=Kind.choices)
    audience = models.CharField(max_length=16, choices=Audience.choices, default=Audience.ADDRESS)
    to = models.JSONField(default=list, blank=True)
    cc = models.JSONField(default=list, blank=True)
    case = models.ForeignKey(
        "cases.Case", on_delete=models.CASCADE, null=True, blank=True, related_name="notifications"
    )
    relationship = models.ForeignKey(
        "accounts.DelegatedAdminRelationship",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
        db_index=False,  # partial index below: most rows are about cases
    )
    language = models.CharField(max_length=8, default=settings.LANGUAGE_CODE)
    context = models.JSONField(default=dict, blank=True)
    # Makes "once" a database fact: the same event can never queue two messages (the unique
    # constraint below; `unique=True` would add a second, pattern-ops index nothing uses).
    # NULL, not "", for rows without a key: NULLs never collide in a unique constraint.
    dedupe_key = models.CharField(max_length=120, null=True, blank=True)  # noqa: DJ001
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                name="notification_due",
                condition=Q(status="pending"),
            ),
            models.Index(
                fields=["relationship"],
                name="notification_relationship",
                condition=Q(relationship__isnull=False),
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["dedupe_key"], name="notification_dedupe_key_unique")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.get_status_display()})"
