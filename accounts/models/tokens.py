from django.db import models
from django.db.models.functions import Length
from django.db.models.lookups import Exact
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .users import User


class ApiToken(models.Model):
    """A personal API token: the bearer acts as `user` through the REST API.

    The plain token (`hd_<prefix>_<secret>`, see `accounts.tokens`) is shown once and never
    stored. `prefix` is its public part, used to find the row; `key_hash` is the SHA-256 of the
    whole token. A plain, fast hash is right here (unlike for passwords): the secret is 256 random
    bits, so there is nothing for a slow hash to protect against guessing, and every API request
    pays for the check. Revoked tokens are kept, so the owner can still see what existed and when.
    """

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=100)
    # unique=True gives the index the lookup by prefix needs.
    prefix = models.CharField(_("prefix"), max_length=16, unique=True)
    key_hash = models.CharField(_("key hash"), max_length=64)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        indexes = [models.Index(fields=["user", "-created_at"], name="apitoken_user_created")]
        constraints = [
            models.CheckConstraint(condition=~models.Q(name=""), name="apitoken_name_not_blank"),
            models.CheckConstraint(
                condition=Exact(Length("key_hash"), 64), name="apitoken_key_hash_sha256_hex"
            ),
            models.CheckConstraint(
                condition=models.Q(revoked_at__isnull=True)
                | models.Q(revoked_at__gte=models.F("created_at")),
                name="apitoken_revoked_after_created",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} (hd_{self.prefix}_…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
