from django.db import models
from django.utils.translation import gettext_lazy as _


class Language(models.TextChoices):
    """Languages of the interface."""

    ENGLISH = "en", _("English")
    KOREAN = "ko", _("Korean")


class SupportLanguage(models.TextChoices):
    """Languages a request can be worked in; engineers list the ones they speak."""

    ENGLISH = "en", _("English")
    KOREAN = "ko", _("Korean")
    JAPANESE = "ja", _("Japanese")
    CHINESE = "zh", _("Chinese")
    GERMAN = "de", _("German")
    FRENCH = "fr", _("French")
    SPANISH = "es", _("Spanish")


class SupportTier(models.TextChoices):
    BUSINESS = "business", _("Business")
    ENTERPRISE = "enterprise", _("Enterprise")
    FRONTLINE = "frontline", _("Frontline")
    ELEVATED = "elevated", _("Elevated")


class TenantRole(models.TextChoices):
    GLOBAL_ADMIN = "global_admin", _("Global admin")
    SERVICE_SUPPORT_ADMIN = "service_support_admin", _("Service support admin")
    HELPDESK_ADMIN = "helpdesk_admin", _("Helpdesk admin")
    BILLING_ADMIN = "billing_admin", _("Billing admin")
    USER_ADMIN = "user_admin", _("User admin")
    MAIL_ADMIN = "mail_admin", _("Mail admin")
    SITES_ADMIN = "sites_admin", _("Sites admin")
    CHAT_ADMIN = "chat_admin", _("Chat admin")
    APPS_ADMIN = "apps_admin", _("Apps admin")
    GLOBAL_READER = "global_reader", _("Global reader")


class SubscriptionKind(models.TextChoices):
    TRIAL = "trial", _("Trial")
    PAID = "paid", _("Paid")


class RelationshipStatus(models.TextChoices):
    APPROVAL_PENDING = "approval_pending", _("Approval pending")
    ACTIVE = "active", _("Active")
    REJECTED = "rejected", _("Rejected")
    EXPIRED = "expired", _("Expired")
    TERMINATED = "terminated", _("Terminated")


class SupportRole(models.TextChoices):
    ENGINEER = "engineer", _("Support engineer")
    MANAGER = "manager", _("Support manager")
