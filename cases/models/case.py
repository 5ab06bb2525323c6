import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from accounts.models import SupportLanguage, SupportTier

from .choices import (
    OPEN_STATUSES,
    Availability,
    CaseStatus,
    CategoryCode,
    ContactMethod,
    ImpactService,
    ImpactUsers,
    Severity,
)
from .taxonomy import Category, ProblemType, Product

OPEN = Q(status__in=OPEN_STATUSES)


class Case(models.Model):
    """A service request. Changed only through `cases.services`, which keep its history."""

    # Every index of this table is rewritten by each sweep UPDATE (the flags sit in index keys
    # and predicates), so foreign keys get an index only where a page or sweep reads through
    # one: the tenant and the engineer lead composite indexes below; the others would serve
    # nothing but the rare delete of a reference row (docs/performance.md). The number is
    # unique through a constraint, which spares the pattern-ops twin of `unique=True`.
    number = models.CharField(_("number"), max_length=20, editable=False)
    tenant = models.ForeignKey(
        "accounts.Tenant", on_delete=models.PROTECT, related_name="cases", db_index=False
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="opened_cases",
        db_index=False,
    )
    acting_partner = models.ForeignKey(
        "accounts.PartnerOrganization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
        db_index=False,
    )
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="cases", db_index=False
    )
    product = models.ForeignKey(
        Product,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
        db_index=False,
    )
    problem_type = models.ForeignKey(
        ProblemType,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
        db_index=False,
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"))
    severity = models.CharField(_("severity"), max_length=1, choices=Severity.choices)

    impact_service = models.CharField(
        _("service impact"), max_length=16, choices=ImpactService.choices, blank=True
    )
    impact_users = models.CharField(
        _("users affected"), max_length=16, choices=ImpactUsers.choices, blank=True
    )
    impact_workaround = models.BooleanField(_("workaround exists"), null=True, blank=True)

    contact_name = models.CharField(_("contact name"), max_length=150)
    contact_email = models.EmailField(_("contact email"))
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    contact_alternate_email = models.EmailField(_("alternate email"), blank=True)
    contact_method = models.CharField(
        _("preferred contact method"),
        max_length=8,
        choices=ContactMethod.choices,
        default=ContactMethod.EMAIL,
    )
    support_language = models.CharField(
        _("support language"), max_length=8, choices=SupportLanguage.choices, default="en"
    )
    contact_time_zone = models.CharField(_("contact time zone"), max_length=64, default="UTC")
    translator_wanted = models.BooleanField(_("translator wanted on calls"), default=False)
    available_24x7 = models.BooleanField(_("reachable 24x7 while critical"), default=False)

    status = models.CharField(
        _("status"), max_length=24, choices=CaseStatus.choices, default=CaseStatus.NEW
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned engineer"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_cases",
        db_index=False,
    )

    # The response target as committed at the last (re)computation, kept for display and sweeps.
    support_tier = models.CharField(
        _("support tier"), max_length=16, choices=SupportTier.choices, blank=True
    )
    response_availability = models.CharField(
        _("availability"), max_length=16, choices=Availability.choices
    )
    response_label = models.CharField(_("committed response"), max_length=64)
    response_minutes = models.PositiveIntegerField(null=True, blank=True)

    opened_at = models.DateTimeField(_("opened at"))
    initial_response_due_at = models.DateTimeField(_("initial response due"), null=True, blank=True)
    breach_warn_at = models.DateTimeField(null=True, blank=True, editable=False)
    first_responded_at = models.DateTimeField(_("first responded at"), null=True, blank=True)
    breached_at = models.DateTimeField(_("breached at"), null=True, blank=True)
    breach_warned_at = models.DateTimeField(_("breach warned at"), null=True, blank=True)
    last_activity_at = models.DateTimeField(_("last activity"))
    # The queue's order, kept by the services and sweeps so the console can page by index:
    # breached cases still waiting for a first response first, then the pending due time.
    queue_breached = models.BooleanField(default=False, editable=False)
    queue_due_at = models.DateTimeField(null=True, blank=True, editable=False)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    resolution_summary = models.TextField(_("resolution summary"), blank=True)
    reopen_until = models.DateTimeField(_("reopen until"), null=True, blank=True)
    reopen_window_closed_at = models.DateTimeField(null=True, blank=True)
    reopen_count = models.PositiveIntegerField(_("times reopened"), default=0)
    related_case = models.ForeignKey(
        "self",
        verbose_name=_("related case"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="follow_ups",
        db_index=False,
    )

    class Meta:
        ordering = ["-opened_at"]
        indexes = [
            models.Index(
                fields=["related_case"],
                name="case_follow_ups",
                condition=Q(related_case__isnull=False),
            ),
            # Tenant request lists: a tenant's cases by last activity.
            models.Index(
                fields=["tenant", "status", "-last_activity_at"], name="case_tenant_activity"
            ),
            # Engineer queue: breached first, then soonest pending due, then oldest.
            models.Index(
                F("queue_breached").desc(),
                F("queue_due_at").asc(),
                "opened_at",
                "id",
                name="case_queue_order",
                condition=OPEN,
            ),
            models.Index(fields=["assigned_to", "status"], name="case_assignee_status"),
            # Staff API list (newest first, cursor) and the dashboard's period scans.
            models.Index(F("opened_at").desc(), F("id").desc(), name="case_opened_newest"),
            models.Index(
                fields=["breached_at"],
                name="case_breached",
                condition=Q(breached_at__isnull=False),
            ),
            # Sweeps: only cases still waiting for a first response can warn or breach.
            models.Index(
                fields=["breach_warn_at"],
                name="case_sweep_warn",
                condition=OPEN
                & Q(first_responded_at__isnull=True, breach_warned_at__isnull=True)
                & Q(breach_warn_at__isnull=False),
            ),
            models.Index(
                fields=["initial_response_due_at"],
                name="case_sweep_breach",
                condition=OPEN
                & Q(first_responded_at__isnull=True, breached_at__isnull=True)
                & Q(initial_response_due_at__isnull=False),
            ),
            models.Index(
                fields=["reopen_until"],
                name="case_sweep_reopen_window",
                condition=Q(status=CaseStatus.CLOSED, reopen_window_closed_at__isnull=True),
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["number"], name="case_number_unique"),
            models.CheckConstraint(
                condition=Q(status__in=CaseStatus.values), name="case_known_status"
            ),
            models.CheckConstraint(
                condition=Q(severity__in=Severity.values), name="case_known_severity"
            ),
            models.CheckConstraint(
                condition=~Q(severity=Severity.A) | Q(category_id=CategoryCode.TECHNICAL),
                name="case_severity_a_technical_only",
            ),
            models.CheckConstraint(
                condition=~Q(severity=Severity.A) | (~Q(contact_phone="") & Q(available_24x7=True)),
                name="case_severity_a_reachable",
            ),
            models.CheckConstraint(
                condition=(
                    Q(status=CaseStatus.CLOSED)
                    & Q(closed_at__isnull=False)
                    & Q(reopen_until__isnull=False)
                )
                | (~Q(status=CaseStatus.CLOSED) & Q(closed_at__isnull=True)),
                name="case_closed_has_closed_at",
            ),
            models.CheckConstraint(
                condition=Q(reopen_window_closed_at__isnull=True) | Q(status=CaseStatus.CLOSED),
                name="case_window_closed_only_when_closed",
            ),
            models.CheckConstraint(
                condition=~Q(contact_method=ContactMethod.PHONE) | ~Q(contact_phone=""),
                name="case_phone_method_has_number",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_breached(self) -> bool:
        return self.breached_at is not None


class CaseEvent(models.Model):
    """One entry of a case's history and audit trail."""

    class Kind(models.TextChoices):
        OPENED = "opened", _("Opened")
        REPLY = "reply", _("Reply")
        NOTE = "note", _("Internal note")
        CALL = "call", _("Phone call")
        STATUS = "status", _("Status changed")
        SEVERITY = "severity", _("Severity changed")
        ASSIGNED = "assigned", _("Assigned")
        CLOSED = "closed", _("Closed")
        REOPENED = "reopened", _("Reopened")
        SURVEY = "survey", _("Satisfaction survey")
        BREACH_WARNING = "breach_warning", _("Response target nearly due")
        BREACHED = "breached", _("Response target breached")
        WINDOW_CLOSED = "window_closed", _("Reopen window closed")
        FOLLOW_UP = "follow_up", _("Follow-up request opened")
        TARGET = "target", _("Response target recomputed")

    # Indexed only through `case_event_case_at`, whose first column is the case: a history is
    # read case by case, and the sweeps write these rows by the thousand.
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events", db_index=False)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    acting_partner = models.ForeignKey(
        "accounts.PartnerOrganization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    is_public = models.BooleanField(_("visible to the customer"), default=True)
    body = models.TextField(blank=True)
    old_value = models.CharField(max_length=200, blank=True)
    new_value = models.CharField(max_length=200, blank=True)
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["case", "at"], name="case_event_case_at")]

    def __str__(self) -> str:
        return f"{self.case.number}: {self.get_kind_display()}"


def attachment_path(instance: "Attachment", filename: str) -> str:
    """A random name: nothing of the uploader's file name reaches the file system."""
    return f"attachments/{uuid.uuid4().hex}"


class Attachment(models.Model):
    """A file added with an event; stored under a random name through Django storage."""

    event = models.ForeignKey(CaseEvent, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path, max_length=200)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()

    def __str__(self) -> str:
        return self.original_name


class SatisfactionSurvey(models.Model):
    """The filer's rating of one closure (a reopened and closed again case gets another)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="surveys")
    closure = models.PositiveIntegerField(
        help_text=_("Which closure: the reopen count at closing.")
    )
    rating = models.PositiveSmallIntegerField(_("rating"))
    comment = models.TextField(_("comment"), blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField()

    class Meta:
        # The dashboard's satisfaction figure reads the surveys submitted in a period.
        indexes = [models.Index(fields=["submitted_at"], name="survey_submitted")]
        constraints = [
            models.UniqueConstraint(fields=["case", "closure"], name="survey_once_per_closure"),
            models.CheckConstraint(
                condition=Q(rating__gte=1) & Q(rating__lte=5), name="survey_rating_1_to_5"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case.number}: {self.rating}/5"
