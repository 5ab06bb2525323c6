from django.db import models
from django.utils.translation import gettext_lazy as _


class Severity(models.TextChoices):
    A = "A", _("A - critical")
    B = "B", _("B - high")
    C = "C", _("C - non-critical")


class CategoryCode(models.TextChoices):
    PRE_SALES = "pre_sales", _("Pre-sales")
    BILLING = "billing", _("Billing and subscription")
    TECHNICAL = "technical", _("Technical")


class CaseStatus(models.TextChoices):
    NEW = "new", _("New")
    IN_PROGRESS = "in_progress", _("In progress")
    WAITING_ON_CUSTOMER = "waiting_on_customer", _("Waiting on customer")
    CLOSED = "closed", _("Closed")


OPEN_STATUSES = (CaseStatus.NEW, CaseStatus.IN_PROGRESS, CaseStatus.WAITING_ON_CUSTOMER)


class Availability(models.TextChoices):
    TWENTY_FOUR_SEVEN = "24x7", _("24x7")
    BUSINESS_HOURS = "business_hours", _("Business hours")


class ImpactService(models.TextChoices):
    UNUSABLE = "unusable", _("A service is unusable")
    IMPAIRED = "impaired", _("A service is impaired")
    WORKING = "working", _("The service works (a question or how-to)")


class ImpactUsers(models.TextChoices):
    ONE = "one", _("One user")
    SEVERAL = "several", _("Several users")
    ORGANISATION = "organisation", _("The whole organisation")


class ContactMethod(models.TextChoices):
    EMAIL = "email", _("Email")
    PHONE = "phone", _("Phone")
