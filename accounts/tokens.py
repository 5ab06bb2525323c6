"""Personal API tokens: create, revoke, list, and find the user a presented token stands for.

A token reads `hd_<prefix>_<secret>`: `hd_` says what it is (and lets secret scanners spot a
leaked one), the prefix (16 hex digits) finds the row, the secret (43 URL-safe characters, 256
random bits) proves possession. Only the SHA-256 of the whole token is stored; the plain token
exists once, in `api_token_create`'s return value.
"""

import hashlib
import hmac
import re
import secrets
from datetime import timedelta

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from helpdesk.errors import Conflict, InvalidInput, NotFound

from .models import ApiToken, User

TOKEN_NAME_MAX_LENGTH = 100
MAX_ACTIVE_TOKENS_PER_USER = 20
# Recording every use would turn each API read into a write; a minute is precise enough to tell
# a token in use from a forgotten one.
LAST_USED_RESOLUTION = timedelta(minutes=1)

_PREFIX_BYTES = 8
_SECRET_BYTES = 32
_TOKEN_SHAPE = re.compile(r"hd_(?P<prefix>[0-9a-f]{16})_(?P<secret>[A-Za-z0-9_-]{43})")


def _hash(plain: str) -> str:
    return hashlib.sha256(plain.encode()).hexdigest()


@transaction.atomic
def api_token_create(*, actor: User, name: str) -> tuple[ApiToken, str]:
    """Give `actor` a new token named `name`; return the row and the plain token.

    The plain token is returned only here and never stored: the caller shows it once. Raises
    InvalidInput `name_required` or `name_too_long` (fields: name), or `too_many_tokens` when the
    actor already has MAX_ACTIVE_TOKENS_PER_USER unrevoked tokens.
    """
    name = (name or "").strip()
    if not name:
        raise InvalidInput(
            _("Give the token a name."), code="name_required", fields={"name": "required"}
        )
    if len(name) > TOKEN_NAME_MAX_LENGTH:
        raise InvalidInput(
            _("A token name has at most %(max)d characters.") % {"max": TOKEN_NAME_MAX_LENGTH},
            code="name_too_long",
            fields={"name": "too_long"},
        )
    # Lock the owner so two concurrent requests cannot both take the twentieth place.
    User.objects.select_for_update().filter(pk=actor.pk).first()
    if (
        ApiToken.objects.filter(user=actor, revoked_at__isnull=True).count()
        >= MAX_ACTIVE_TOKENS_PER_USER
    ):
        raise InvalidInput(
            _("You already have %(max)d active tokens; revoke one you no longer use.")
            % {"max": MAX_ACTIVE_TOKENS_PER_USER},
            code="too_many_tokens",
        )
    # 64 random bits: a clash between two prefixes is too unlikely to retry for; the unique
    # constraint still refuses one.
    prefix = secrets.token_hex(_PREFIX_BYTES)
    plain = f"hd_{prefix}_{secrets.token_urlsafe(_SECRET_BYTES)}"
    token = ApiToken.objects.create(user=actor, name=name, prefix=prefix, key_hash=_hash(plain))
    return token, plain


@transaction.atomic
def api_token_revoke(*, actor: User, token_id: int) -> ApiToken:
    """Revoke one of `actor`'s own tokens; it stops working at once.

    Raises NotFound for a token that is not the actor's (or does not exist), Conflict
    `already_revoked` when it was revoked before. A token is personal: nobody else, staff
    included, may revoke it.
    """
    token = ApiToken.objects.filter(user=actor, pk=token_id).first()
    if token is None:
        raise NotFound(_("No such token."))
    now = timezone.now()
    revoked = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=now)
    if not revoked:
        raise Conflict(_("That token was already revoked."), code="already_revoked")
    token.revoked_at = now
    return token


def tokens_for(user: User) -> QuerySet[ApiToken]:
    """The user's own tokens, active and revoked, newest first."""
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-pk")


def user_for_token(plain: str) -> tuple[User, ApiToken] | None:
    """The active user and the token that `plain` stands for, or None.

    None for anything malformed, unknown, revoked, or belonging to an inactive user; callers
    cannot tell these apart. The secret is checked in constant time. Side effect: records the use
    in `last_used_at`, at most once per LAST_USED_RESOLUTION, with a conditional UPDATE so
    concurrent requests do not all write.
    """
    if not isinstance(plain, str):
        return None
    match = _TOKEN_SHAPE.fullmatch(plain)
    if match is None:
        return None
    token = (
        ApiToken.objects.select_related("user__tenant", "user__support_profile")
        .filter(prefix=match["prefix"])
        .first()
    )
    if token is None or not hmac.compare_digest(token.key_hash, _hash(plain)):
        return None
    if token.revoked_at is not None or not token.user.is_active:
        return None
    now = timezone.now()
    stale_before = now - LAST_USED_RESOLUTION
    if token.last_used_at is None or token.last_used_at <= stale_before:
        touched = (
            ApiToken.objects.filter(pk=token.pk)
            .filter(Q(last_used_at__isnull=True) | Q(last_used_at__lte=stale_before))
            .update(last_used_at=now)
        )
        if touched:
            token.last_used_at = now
    return token.user, token
