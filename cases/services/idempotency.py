"""Filing a request at most once per client key (the API's `Idempotency-Key` header)."""

import hashlib
import json
from collections.abc import Callable

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from accounts.models import User
from helpdesk.errors import Conflict, InvalidInput

from ..models import Case, IdempotencyKey

MAX_KEY_LENGTH = 255


def fingerprint(payload: object) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


@transaction.atomic
def open_once(
    *, actor: User, key: str, payload_fingerprint: str, open_case: Callable[[], Case]
) -> tuple[Case, bool]:
    """Run `open_case` unless this actor already used `key`; returns (case, replayed).

    Two requests racing with the same key: the second waits on the unique key until the first
    commits, then gets the first one's case. The same key with a different body is a Conflict;
    a key whose first request failed may be used again.
    """
    key = (key or "").strip()
    if not key or len(key) > MAX_KEY_LENGTH:
        raise InvalidInput(
            _("An Idempotency-Key is 1 to 255 characters."), code="invalid_idempotency_key"
        )
    try:
        with transaction.atomic():
            record = IdempotencyKey.objects.create(
                user=actor, key=key, fingerprint=payload_fingerprint
            )
    except IntegrityError:
        record = (
            IdempotencyKey.objects.select_for_update(of=("self",))
            .select_related("case")
            .get(user=actor, key=key)
        )
        if record.fingerprint != payload_fingerprint:
            raise Conflict(
                _("This Idempotency-Key was used for a different request."),
                code="idempotency_key_reused",
            ) from None
        return record.case, True
    case = open_case()
    record.case = case
    record.save(update_fields=["case"])
    return case, False
