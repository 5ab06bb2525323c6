from django.db import models
from django.utils.translation import gettext_lazy as _


class Product(models.Model):
    """A product of the suite that requests are filed about and engineers specialise in."""

    code = models.SlugField(_("code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=200)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
