"""Case numbers: readable, unique, and revealing nothing about other tenants' volume.

A date plus random characters from Crockford's base-32 alphabet (no I, L, O or U to misread on the
phone): "SR261126-7QK2MA". About a billion numbers a day, so a collision is rare; the caller retries
on the unique constraint.
"""

import secrets
from datetime import datetime

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
RANDOM_LENGTH = 6


def new_case_number(at: datetime) -> str:
    suffix = "".join(secrets.choice(ALPHABET) for _ in range(RANDOM_LENGTH))
    return f"SR{at:%y%m%d}-{suffix}"
