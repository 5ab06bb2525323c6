from django.conf import settings
from django.db import models


class IdempotencyKey(models.Model):
    """A client's `Idempotency-Key` for filing a request: a retried POST returns the case the
    first one filed instead of filing a second. Unique per user; kept with a fingerprint of the
    request body so a key reused for a different request is refused."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_unique"),
        ]

    def __str__(self) -> str:
        return self.key
