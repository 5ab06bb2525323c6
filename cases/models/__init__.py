from .case import Attachment, Case, CaseEvent, SatisfactionSurvey
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
from .idempotency import IdempotencyKey
from .intake import IntakeStatus, IntakeVerification
from .notifications import Notification
from .support_contacts import SupportContact
from .targets import BusinessCalendar, CalendarOverride, ResponseTargetCell
from .taxonomy import Category, HelpArticle, ProblemType, Product

__all__ = [
    "OPEN_STATUSES",
    "Attachment",
    "Availability",
    "BusinessCalendar",
    "CalendarOverride",
    "Case",
    "CaseEvent",
    "CaseStatus",
    "Category",
    "CategoryCode",
    "ContactMethod",
    "HelpArticle",
    "IdempotencyKey",
    "ImpactService",
    "ImpactUsers",
    "IntakeStatus",
    "IntakeVerification",
    "Notification",
    "ProblemType",
    "Product",
    "ResponseTargetCell",
    "SatisfactionSurvey",
    "Severity",
    "SupportContact",
]
