"""In-process measurements: the heavy pages and API calls through Django's test client (so the
real middleware, views, serializers and templates run), the raw SQL floor of the queue, and one
run of each sweep over a due sample.

Wall time is measured without Django's debug cursor; queries are counted with an execute wrapper,
which costs a function call per statement. A path's query count is the median over the measured
runs, so a once-a-minute write (an API token's `last_used_at`) does not change it.
"""

from __future__ import annotations

import json
import math
import statistics
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from time import perf_counter

from django.conf import settings
from django.core import mail
from django.core.cache import cache
from django.db import connection, transaction
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import ApiToken
from accounts.services import relationships_expire
from accounts.tokens import api_token_create
from cases import queue_rows
from cases.models import Case, Notification
from cases.selectors_queue import QueueFilters, queue_for
from cases.services import notifications, sweeps, tier_changes

from . import dataset, second_factor
from . import urls as bench_urls
from .dataset import Dataset

PATHS = (
    "queue_default",
    "queue_filtered",
    "workspace",
    "tenant_request_list",
    "case_page",
    "file_case",
    "api_cases",
    "api_queue",
    "dashboard",
    "queue_raw_sql",
    # Not in the list: every statement the queue page sends (session, user with staff
    # profile, second factor, the rows; the filter lists come from the cache) on a plain
    # cursor, and the queue selector alone (ORM, no page), to tell the database's share of the
    # page from the rest.
    "queue_page_sql",
    "queue_selector",
    # Also not in the list: the engineer's signed-in request to a page that does nothing (the
    # fixed cost of every page: session, user, second factor, middleware; `bench.urls`).
    "signed_in_empty",
)
# Paths that write (their cases are removed afterwards).
WRITES = ("file_case",)
SWEEPS = (
    "flag_response_breaches",
    "close_reopen_windows",
    "expire_relationships",
    "retarget_tier_changes",
    "deliver_notifications",
)
# The filtered queue: severity B in Korean, a few percent of the open cases at every size.
QUEUE_FILTER = {"severity": "B", "language": "ko"}


class BenchError(RuntimeError):
    """A measured path answered something else than it should (the figures would be wrong)."""


@contextmanager
def counting() -> Iterator[list[int]]:
    """Count the statements run on the default connection inside the block."""
    counter = [0]

    def wrapper(execute, sql, params, many, context):
        counter[0] += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        yield counter


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


@dataclass(frozen=True)
class PathResult:
    p50_ms: float
    p95_ms: float
    queries: int

    def as_dict(self) -> dict:
        return {
            "p50_ms": round(self.p50_ms, 2),
            "p95_ms": round(self.p95_ms, 2),
            "queries": self.queries,
        }


def time_paths(
    runs_by_name: dict[str, Callable[[], object]], *, warmup: int, runs: int
) -> dict[str, PathResult]:
    """Time the paths round-robin, one run of each in turn: a machine whose speed drifts from
    minute to minute then slows every path alike, and ratios between paths (the queue page
    against its floor) hold still."""
    for _ in range(warmup):
        for run in runs_by_name.values():
            run()
    times: dict[str, list[float]] = {name: [] for name in runs_by_name}
    counts: dict[str, list[int]] = {name: [] for name in runs_by_name}
    for _ in range(runs):
        for name, run in runs_by_name.items():
            with counting() as counter:
                started = perf_counter()
                run()
                times[name].append((perf_counter() - started) * 1000)
            counts[name].append(counter[0])
    return {
        name: PathResult(
            p50_ms=statistics.median(times[name]),
            p95_ms=percentile(times[name], 0.95),
            queries=int(statistics.median_low(counts[name])),
        )
        for name in runs_by_name
    }


def _expect(response, status: int, name: str) -> None:
    if response.status_code != status:
        body = response.content[:300].decode(errors="replace")
        raise BenchError(f"{name}: expected {status}, got {response.status_code}: {body}")


class _Clients:
    """Signed-in test clients and API tokens for the personas; removed again by `close`."""

    def __init__(self, data: Dataset):
        self.engineer = Client()
        self.engineer.force_login(data.engineer)
        second_factor.verify_session(self.engineer, data.engineer)
        self.manager = Client()
        self.manager.force_login(data.manager)
        second_factor.verify_session(self.manager, data.manager)
        self.admin = Client()
        self.admin.force_login(data.admin)
        self.api = Client()
        self.tokens: list[ApiToken] = []
        self.engineer_token = self._token(data.engineer)
        self.admin_token = self._token(data.admin)

    def _token(self, user) -> str:
        token, plain = api_token_create(actor=user, name="bench")
        self.tokens.append(token)
        return f"Bearer {plain}"

    def close(self) -> None:
        for client in (self.engineer, self.manager, self.admin):
            client.logout()
        ApiToken.objects.filter(pk__in=[token.pk for token in self.tokens]).delete()


def filing_payload(data: Dataset, serial: int) -> dict:
    return {
        "category": "technical",
        "problem_type": data.problem_type,
        "title": f"Bench filing {serial}",
        "description": "Mail to one external domain bounces since this morning.",
        "impact": {"service": "impaired", "users": "several", "workaround": False},
    }


def raw_queue_sql(data: Dataset) -> str:
    """The SQL the queue page runs for its rows in the default view (the columns it shows),
    exactly as it was sent."""
    with CaptureQueriesContext(connection) as captured:
        queue_for(data.engineer, QueueFilters(), columns=queue_rows.COLUMNS)
    statements = [query["sql"] for query in captured.captured_queries]
    return next(sql for sql in reversed(statements) if Case._meta.db_table in sql)


def page_statements(client: Client, url: str) -> list[str]:
    """Every statement a page view sends, as sent (parameters in place): all of them reads.
    Taken from a second view, as the measured runs see the page (with what it caches)."""
    _expect(client.get(url), 200, url)
    with CaptureQueriesContext(connection) as captured:
        _expect(client.get(url), 200, url)
    statements = [query["sql"] for query in captured.captured_queries]
    writes = [sql for sql in statements if not sql.lstrip().upper().startswith("SELECT")]
    if writes:
        raise BenchError(f"{url} writes ({writes[0][:80]}...); its floor would not be a read.")
    return statements


def _replay(statements: list[str]) -> Callable[[], object]:
    def run():
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
                cursor.fetchall()

    return run


def _paths(data: Dataset, clients: _Clients) -> dict[str, Callable[[], object]]:
    filter_query = "&".join(f"{key}={value}" for key, value in QUEUE_FILTER.items())
    domain = data.tenant.primary_domain
    serial = iter(range(1, 10**9))
    queue_sql = raw_queue_sql(data)
    queue_page_sql = page_statements(clients.engineer, "/console/")

    def get(client, url, name, **headers):
        def run():
            _expect(client.get(url, **headers), 200, name)

        return run

    def file_case():
        response = clients.api.post(
            "/api/v1/cases/",
            data=json.dumps(filing_payload(data, next(serial))),
            content_type="application/json",
            HTTP_AUTHORIZATION=clients.admin_token,
        )
        _expect(response, 201, "file_case")

    engineer_api = {"HTTP_AUTHORIZATION": clients.engineer_token}
    return {
        "queue_default": get(clients.engineer, "/console/", "queue_default"),
        "queue_filtered": get(clients.engineer, f"/console/?{filter_query}", "queue_filtered"),
        "workspace": get(clients.engineer, f"/console/cases/{data.workspace_case}/", "workspace"),
        "tenant_request_list": get(clients.admin, f"/t/{domain}/requests/", "tenant_request_list"),
        "case_page": get(clients.admin, f"/requests/{data.tenant_case}/", "case_page"),
        "file_case": file_case,
        "api_cases": get(clients.api, "/api/v1/cases/", "api_cases", **engineer_api),
        "api_queue": get(clients.api, "/api/v1/queue/", "api_queue", **engineer_api),
        "dashboard": get(clients.manager, "/console/dashboard/", "dashboard"),
        "queue_raw_sql": _replay([queue_sql]),
        "queue_page_sql": _replay(queue_page_sql),
        "queue_selector": lambda: (
            queue_for(data.engineer, QueueFilters(), columns=queue_rows.COLUMNS).rows
        ),
        "signed_in_empty": get(clients.engineer, bench_urls.EMPTY_PATH, "signed_in_empty"),
    }


@contextmanager
def in_process_settings() -> Iterator[None]:
    """Measure as production runs: DEBUG off. The test client's host is allowed; mail stays in
    memory (the notification sweep sends some); the URLs add the bench's empty page."""
    with override_settings(
        DEBUG=False,
        ROOT_URLCONF=bench_urls.__name__,
        ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"],
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
    ):
        try:
            yield
        finally:
            mail.outbox = []


def measure_paths(
    data: Dataset, *, warmup: int, runs: int, log: Callable[[str], None] = lambda _line: None
) -> dict[str, dict]:
    """Median and p95 wall time and the query count of every path; the cases filed on the way
    are removed again, so the data set keeps its size."""
    cache.clear()  # a fresh throttle budget for the bench's tokens
    last_case = Case.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    clients = _Clients(data)
    results = {}
    try:
        paths = _paths(data, clients)
        # The reads round-robin; filing on its own afterwards, so that the reads see the same
        # data set on every run (its cases would join the queue and the tenant's list).
        writes = {name: paths.pop(name) for name in WRITES}
        timed = time_paths(paths, warmup=warmup, runs=runs)
        timed |= time_paths(writes, warmup=warmup, runs=runs)
        for name in PATHS:
            results[name] = timed[name].as_dict()
            log(f"  {name}: {results[name]['p50_ms']:.1f} ms, {results[name]['queries']} queries")
    finally:
        clients.close()
        remove_filed_cases(after=last_case)
    return results


def remove_filed_cases(*, after: int) -> int:
    """Delete the cases filed by the bench (ids above `after`, on bench tenants) with their
    events and outbox rows."""
    filed = dataset.bench_cases().filter(pk__gt=after)
    count = filed.count()
    if count:
        Case.objects.filter(pk__in=list(filed.values_list("pk", flat=True))).delete()
    return count


# Sweeps -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SweepResult:
    seconds: float
    statements: int
    due: int

    def as_dict(self) -> dict:
        return {"seconds": round(self.seconds, 4), "statements": self.statements, "due": self.due}


def _timed(run: Callable[[], object]) -> tuple[object, float, int]:
    with counting() as counter:
        started = perf_counter()
        result = run()
        seconds = perf_counter() - started
    return result, seconds, counter[0]


def _catch_up() -> None:
    """Run every sweep once, unmeasured, as beat would have: on a reused data set, rows that
    became due since it was built are flagged first, so only the sample is due when measuring."""
    sweeps.flag_response_breaches()
    sweeps.close_reopen_windows()
    relationships_expire()


def _breaches(data: Dataset) -> SweepResult:
    ids = dataset.make_breaches_due(dataset.due_count(data.scale))
    now = timezone.now()
    try:
        result, seconds, statements = _timed(lambda: sweeps.flag_response_breaches(now=now))
        if result.breached + result.warned < len(ids):
            raise BenchError(f"flag_response_breaches flagged {result.breached} of {len(ids)}")
    finally:
        dataset.forget_sweep_rows(now, ids)
    return SweepResult(seconds, statements, len(ids))


def _reopen_windows(data: Dataset) -> SweepResult:
    ids = dataset.make_reopen_windows_due(dataset.due_count(data.scale))
    now = timezone.now()
    try:
        closed, seconds, statements = _timed(lambda: sweeps.close_reopen_windows(now=now))
        if closed < len(ids):
            raise BenchError(f"close_reopen_windows closed {closed} of {len(ids)}")
    finally:
        dataset.restore_reopen_windows(ids)
        dataset.forget_sweep_rows(now, ids)
    return SweepResult(seconds, statements, len(ids))


def _relationships(data: Dataset) -> SweepResult:
    sample = dataset.make_relationships_due(timezone.now())
    now = timezone.now()
    try:
        _result, seconds, statements = _timed(lambda: relationships_expire(now=now))
    finally:
        dataset.restore_relationships(sample, now)
    return SweepResult(seconds, statements, len(sample.ids))


def _tier_changes(data: Dataset) -> SweepResult:
    now = timezone.now()
    sample = dataset.make_tier_changes_due(dataset.due_count(data.scale), now)
    try:
        changed, seconds, statements = _timed(lambda: tier_changes.retarget_tier_changes(now=now))
        if changed < len(sample.case_ids):
            raise BenchError(
                f"retarget_tier_changes retargeted {changed} of {len(sample.case_ids)}"
            )
    finally:
        dataset.restore_tier_changes(sample, now)
    return SweepResult(seconds, statements, len(sample.case_ids))


def _notifications(data: Dataset) -> SweepResult:
    """Queue one delivery batch of "request created" mails for bench cases and deliver them."""
    now = timezone.now()
    cases = dataset.bench_cases().order_by("-pk").values("pk", "number", "title", "contact_email")
    rows = [
        Notification(
            kind=Notification.Kind.CASE_CREATED,
            to=[case["contact_email"]],
            case_id=case["pk"],
            context={
                "number": case["number"],
                "title": case["title"],
                "tenant": data.tenant.name,
                "path": f"/requests/{case['number']}/",
                "label": "Next day",
            },
            next_attempt_at=now - timedelta(minutes=1),
            created_at=now,
        )
        for case in cases[: notifications.BATCH]
    ]
    created = Notification.objects.bulk_create(rows)
    due = Notification.objects.filter(
        status=Notification.Status.PENDING, next_attempt_at__lte=now
    ).count()
    try:
        _result, seconds, statements = _timed(lambda: notifications.deliver_due(now=now))
    finally:
        Notification.objects.filter(pk__in=[row.pk for row in created]).delete()
    return SweepResult(seconds, statements, due)


def measure_sweeps(data: Dataset, *, log: Callable[[str], None] = lambda _line: None) -> dict:
    """One run of each sweep with its due sample; the data set is put back afterwards."""
    _catch_up()
    results = {}
    for name, run in (
        ("flag_response_breaches", _breaches),
        ("close_reopen_windows", _reopen_windows),
        ("expire_relationships", _relationships),
        ("retarget_tier_changes", _tier_changes),
        ("deliver_notifications", _notifications),
    ):
        results[name] = run(data).as_dict()
        log(f"  {name}: {results[name]['seconds']:.3f} s, {results[name]['due']} due")
    return results


# EXPLAIN ------------------------------------------------------------------------------------------


class _Rollback(Exception):
    pass


def _captured(run: Callable[[], object]) -> list[str]:
    """The statements `run` sends, with its writes rolled back."""
    with CaptureQueriesContext(connection) as captured:
        try:
            with transaction.atomic():
                run()
                raise _Rollback
        except _Rollback:
            pass
    return [query["sql"] for query in captured.captured_queries]


def _first(statements: list[str], *needles: str) -> str:
    return next(sql for sql in statements if all(needle in sql for needle in needles))


def _plan(sql: str) -> str:
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
            lines = [row[0] for row in cursor.fetchall()]
        transaction.set_rollback(True)
    return "\n".join(lines)


def _main_query(statements: list[str]) -> str:
    """The statement that reads the page's cases (the longest one on the cases table)."""
    table = connection.ops.quote_name(Case._meta.db_table)
    return max((sql for sql in statements if f"FROM {table}" in sql), key=len)


def explain(data: Dataset) -> dict[str, tuple[str, str]]:
    """EXPLAIN (ANALYZE, BUFFERS) of the hot queries, PostgreSQL only: {name: (sql, plan)}.

    The statements are the ones the pages and sweeps send (captured, not rewritten). The sweeps'
    selections are captured and explained with their due samples in place; every write is rolled
    back and the samples are put back afterwards.
    """
    if connection.vendor != "postgresql":
        raise BenchError("EXPLAIN plans need PostgreSQL.")
    clients = _Clients(data)
    paths = _paths(data, clients)
    found: dict[str, str] = {"queue_default": raw_queue_sql(data)}
    try:
        for name in ("queue_filtered", "tenant_request_list", "api_cases", "api_queue"):
            found[name] = _main_query(_captured(paths[name]))
        table = connection.ops.quote_name(Case._meta.db_table)
        dashboard = [
            sql
            for sql in _captured(paths["dashboard"])
            if f"FROM {table}" in sql and "GROUP BY" in sql
        ]
        for name, sql in zip(
            ("dashboard_attainment", "dashboard_backlog", "dashboard_breaches"),
            dashboard,
            strict=False,
        ):
            found[name] = sql
    finally:
        clients.close()
    plans = {name: (sql, _plan(sql)) for name, sql in found.items()}

    now = timezone.now()
    ids = dataset.make_breaches_due(dataset.due_count(data.scale))
    try:
        selections = [
            sql
            for sql in _captured(lambda: sweeps.flag_response_breaches(now=now))
            if "FOR UPDATE" in sql
        ]
        plans["sweep_breaches"] = (selections[0], _plan(selections[0]))
        plans["sweep_warnings"] = (selections[-1], _plan(selections[-1]))
    finally:
        dataset.restore_breaches(ids)
    windows = dataset.make_reopen_windows_due(dataset.due_count(data.scale))
    try:
        sql = _first(_captured(lambda: sweeps.close_reopen_windows(now=now)), "FOR UPDATE")
        plans["sweep_reopen_windows"] = (sql, _plan(sql))
    finally:
        dataset.restore_reopen_windows(windows)
    sample = dataset.make_relationships_due(now - timedelta(seconds=1))
    try:
        sql = _first(_captured(lambda: relationships_expire(now=now)), "FOR UPDATE")
        plans["sweep_relationships"] = (sql, _plan(sql))
    finally:
        dataset.restore_relationships(sample, now)
    return plans
