"""Where a form may send the browser next: only a path on this site."""

from django.utils.http import url_has_allowed_host_and_scheme


def local_next(request, candidate: str | None) -> str | None:
    """`candidate` if it is a path on this site ("/console/?view=mine"), else None.

    A bare word is refused too: `redirect()` would take "0" or "home" for a URL name.
    """
    candidate = candidate or ""
    if not candidate.startswith("/") or candidate.startswith(("//", "/\\")):
        return None
    if not url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return None
    return candidate
