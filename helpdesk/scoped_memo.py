"""Answers remembered for the length of a block (a request, a sweep run), and asked afresh
everywhere else.

A `ScopedMemo` lives in a context variable, so threads and async tasks each see their own, and
code outside any `scope()` always computes: a back-office edit applies to the next call at once.
"""

from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TypeVar

T = TypeVar("T")


class ScopedMemo:
    def __init__(self, name: str):
        self._memo: ContextVar[dict | None] = ContextVar(name, default=None)

    @contextmanager
    def scope(self) -> Iterator[None]:
        token = self._memo.set({})
        try:
            yield
        finally:
            self._memo.reset(token)

    def remembered(self, key: Hashable, compute: Callable[[], T]) -> T:
        memo = self._memo.get()
        if memo is None:
            return compute()
        if key not in memo:
            memo[key] = compute()
        return memo[key]

    def forget(self) -> None:
        memo = self._memo.get()
        if memo is not None:
            memo.clear()
