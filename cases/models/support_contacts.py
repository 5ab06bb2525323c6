from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.validators import validate_country


class SupportContact(models.Model):
    """How to reach support by phone in a country, shown on the contact page; kept by back office."""

    country = models.CharField(
        _("country"), max_length=2, unique=True, validators=[validate_country]
    )
    phone = models.CharField(_("phone number"), max_length=40)
    technical_hours = models.CharField(_("technical support hours"), max_length=120)
    billing_hours = models.CharField(_("billing and pre-sales hours"), max_length=120)
    languages = models.CharField(_("languages"), max_length=200)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["country"]

    def __str__(self) -> str:
        return f"{self.country}: {self.phone}"
