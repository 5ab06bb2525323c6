"""Role lookups remembered for the length of one request.

Filing a request asks "which roles does this user hold for this tenant?" from the view, the
selector and the service: the same two queries three times. Inside a request (see
`accounts.middleware.PolicyMemoMiddleware`) the answer is kept; outside one (tasks, shell,
tests calling policies directly) every call asks the database, as before. A write to roles,
memberships or relationships forgets what was kept (`accounts.signals`).
"""

from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TypeVar

T = TypeVar("T")

_memo: ContextVar[dict | None] = ContextVar("policy_memo", default=None)


@contextmanager
def request_scope() -> Iterator[None]:
    token = _memo.set({})
    try:
        yield
    finally:
        _memo.reset(token)


def remembered(key: Hashable, compute: Callable[[], T]) -> T:
    memo = _memo.get()
    if memo is None:
        return compute()
    if key not in memo:
        memo[key] = compute()
    return memo[key]


def forget() -> None:
    memo = _memo.get()
    if memo is not None:
        memo.clear()
