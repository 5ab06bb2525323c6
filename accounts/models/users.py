from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.validators import validate_time_zone

from .choices import Language, SupportLanguage, SupportRole


def validate_support_languages(value: object) -> None:
    if not isinstance(value, list) or any(code not in SupportLanguage.values for code in value):
        raise ValidationError(
            _("Choose languages from: %(codes)s."),
            params={"codes": ", ".join(SupportLanguage.values)},
        )


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create(self, email: str, password: str | None, **fields) -> "User":
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **fields) -> "User":
        fields.setdefault("is_staff", False)
        fields.setdefault("is_superuser", False)
        return self._create(email, password, **fields)

    def create_superuser(self, email: str, password: str | None = None, **fields) -> "User":
        fields["is_staff"] = True
        fields["is_superuser"] = True
        return self._create(email, password, **fields)

    def get_by_natural_key(self, username: str) -> "User":
        return self.get(email__iexact=username)


class User(AbstractBaseUser, PermissionsMixin):
    """Anyone who signs in: tenant admins, partner users, support staff and back-office staff.

    `tenant` is the organisation the user belongs to (none for partner and support staff); what a
    user may do for a tenant comes from role assignments and partner relationships, see
    `accounts.policies`.
    """

    email = models.EmailField(_("email address"), unique=True)
    display_name = models.CharField(_("display name"), max_length=150)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    preferred_language = models.CharField(
        _("preferred language"), max_length=8, choices=Language.choices, default=Language.ENGLISH
    )
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="UTC", validators=[validate_time_zone]
    )
    tenant = models.ForeignKey(
        "accounts.Tenant",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
    )
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(
        _("back-office access"),
        default=False,
        help_text=_("May sign in to the back-office (Django admin)."),
    )
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["display_name"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_ci_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.display_name} <{self.email}>"

    def clean(self) -> None:
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()

    def get_full_name(self) -> str:
        return self.display_name

    def get_short_name(self) -> str:
        return self.display_name


class SupportProfile(models.Model):
    """Makes a user a member of the support organisation: an engineer, or a manager."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="support_profile")
    role = models.CharField(
        max_length=16, choices=SupportRole.choices, default=SupportRole.ENGINEER
    )
    languages = models.JSONField(
        _("languages spoken"),
        default=list,
        blank=True,
        validators=[validate_support_languages],
        help_text=_('Support language codes, e.g. ["en", "ko"].'),
    )
    products = models.ManyToManyField(
        "cases.Product", blank=True, related_name="engineers", verbose_name=_("products worked")
    )

    class Meta:
        verbose_name = _("support staff profile")
        verbose_name_plural = _("support staff profiles")

    def __str__(self) -> str:
        return f"{self.user.display_name} ({self.get_role_display()})"
