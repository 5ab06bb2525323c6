"""The shared cache for things that are only ever a saving: when the cache server cannot be
reached, reads miss and writes are dropped (with a warning), and callers compute afresh.

Redis being down must not take pages down with it (issue 8's fault tests stop it on purpose).
"""

import logging
from typing import Any

from django.core.cache import cache

logger = logging.getLogger(__name__)


def get(key: str) -> Any | None:
    try:
        return cache.get(key)
    except Exception:  # noqa: BLE001 - any cache backend error (connection refused, timeout)
        logger.warning("The cache is unreachable; %s is computed afresh.", key)
        return None


def set(key: str, value: Any, timeout: int) -> None:
    try:
        cache.set(key, value, timeout=timeout)
    except Exception:  # noqa: BLE001 - as above; the value is right, only not shared
        logger.warning("The cache is unreachable; %s is not shared.", key)


def bump(key: str) -> None:
    """Advance the generation counter `key` (kept until evicted), atomically across processes."""
    try:
        try:
            cache.incr(key)
        except ValueError:  # not there yet: start it, unless another process just did
            if not cache.add(key, 1, timeout=None):
                cache.incr(key)
    except Exception:  # noqa: BLE001 - as above; entries under the old generation expire
        logger.warning("The cache is unreachable; %s is not advanced.", key)
