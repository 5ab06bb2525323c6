"""How django-axes identifies a sign-in attempt: which email, from which client address.

Failures are counted per (email, address) pair (settings `AXES_*`), so one attacker cannot lock
everybody out by guessing at many accounts, and a mistyped password on one account does not lock
out the office that shares an address.
"""

from django.conf import settings
from django.http import HttpRequest


def attempted_email(request: HttpRequest, credentials: dict | None) -> str:
    """The email as typed, folded the way sign-in matches it (case and surrounding spaces do not
    count), so that "Admin@X" and "admin@x " are one account's failures, not two."""
    if credentials and credentials.get("username") is not None:
        value = credentials.get("username")
    else:
        value = getattr(request, "POST", {}).get("username")
    return str(value or "").strip().lower()


def client_address(request: HttpRequest) -> str:
    """The client's address: REMOTE_ADDR, or behind our own TLS proxy (BEHIND_TLS_PROXY) the last
    X-Forwarded-For entry, the one the proxy added. Earlier entries come from the client and can
    be forged, so they are never used."""
    if settings.BEHIND_TLS_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if hops:
            return hops[-1]
    return request.META.get("REMOTE_ADDR", "")
