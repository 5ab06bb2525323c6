"""`manage.py bench`: it produces every figure of the issue, its query counts do not grow with
the data, and it leaves the data set as it found it. No timing assertions: the figures are for
docs/performance.md, not for the suite."""

import io
import json

import pytest
from django.core.management import call_command
from django.db import connection

from accounts.models import ApiToken, DelegatedAdminRelationship
from cases.models import Case, CaseEvent, Notification
from helpdesk.bench import dataset, load
from helpdesk.bench.measure import PATHS, SWEEPS

# The issue asks for the smoke run at 10k; it takes about 30 s on SQLite and on PostgreSQL.
SMOKE_CASES = 10_000
ISSUE_PATHS = (
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
)
ISSUE_SWEEPS = ("flag_response_breaches", "close_reopen_windows", "expire_relationships")


def _number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and value >= 0


def bench(tmp_path, cases: int, **options) -> dict:
    report = tmp_path / f"bench-{cases}.json"
    output = io.StringIO()
    call_command("bench", cases=cases, json=str(report), warmup=1, runs=3, stdout=output, **options)
    return {**json.loads(report.read_text()), "output": output.getvalue()}


def _state() -> dict:
    return {
        "cases": Case.objects.count(),
        "events": CaseEvent.objects.count(),
        "notifications": Notification.objects.count(),
        "pending": Notification.objects.filter(status=Notification.Status.PENDING).count(),
        "breached": Case.objects.filter(breached_at__isnull=False).count(),
        "windows_open": Case.objects.filter(
            status="closed", reopen_window_closed_at__isnull=True
        ).count(),
        "relationships": sorted(
            DelegatedAdminRelationship.objects.values_list("pk", "status", "ends_at")
        ),
        "tokens": ApiToken.objects.count(),
    }


@pytest.mark.django_db
def test_bench_reports_every_path_and_sweep_of_the_issue_with_numeric_figures(
    tmp_path, frozen_clock
):
    report = bench(tmp_path, SMOKE_CASES)

    assert report["cases"] == SMOKE_CASES
    assert report["database"] == connection.vendor
    assert set(ISSUE_PATHS) <= set(report["paths"]) == set(PATHS)
    for name, figures in report["paths"].items():
        assert set(figures) == {"p50_ms", "p95_ms", "queries"}, name
        assert all(_number(value) for value in figures.values()), name
        assert figures["p50_ms"] <= figures["p95_ms"], name
        assert isinstance(figures["queries"], int) and figures["queries"] >= 1, name
    assert set(ISSUE_SWEEPS) <= set(report["sweeps"]) == set(SWEEPS)
    for name, figures in report["sweeps"].items():
        assert set(figures) == {"seconds", "statements", "due"}, name
        assert all(_number(value) for value in figures.values()), name
        assert figures["due"] >= 1 and figures["statements"] >= 1, name
    # 1% of the cases are due for each case sweep.
    assert report["sweeps"]["flag_response_breaches"]["due"] == SMOKE_CASES // 100
    assert report["sweeps"]["close_reopen_windows"]["due"] == SMOKE_CASES // 100
    assert "queue_raw_sql" in report["output"]


@pytest.mark.django_db
def test_every_path_takes_as_many_queries_at_1500_cases_as_at_300(tmp_path, frozen_clock):
    small = bench(tmp_path, 300)
    large = bench(tmp_path, 1500)

    assert dataset.existing_size() == (dataset.scale_for(1500).tenants, 1500)
    queries = {
        name: (small["paths"][name]["queries"], large["paths"][name]["queries"]) for name in PATHS
    }
    assert {name: pair for name, pair in queries.items() if pair[0] != pair[1]} == {}


@pytest.mark.django_db
def test_a_second_run_reuses_the_data_set_and_leaves_it_as_it_found_it(tmp_path, frozen_clock):
    bench(tmp_path, 500)
    before = _state()

    report = bench(tmp_path, 500)

    assert "Reusing the bench data set of 500 cases." in report["output"]
    assert _state() == before


@pytest.mark.django_db
def test_the_data_set_is_consistent_with_the_rules_of_the_services(frozen_clock, now):
    dataset.ensure(2000)
    cases = dataset.bench_cases()

    assert cases.count() == 2000
    assert (
        0.08
        <= cases.filter(status__in=["new", "in_progress", "waiting_on_customer"]).count() / 2000
        <= 0.2
    )
    assert cases.filter(severity="A").exclude(category_id="technical").count() == 0
    # The sweeps have nothing to catch up: every passed target and reopen window is flagged.
    assert not cases.filter(
        status__in=["new", "in_progress", "waiting_on_customer"],
        first_responded_at__isnull=True,
        breached_at__isnull=True,
        initial_response_due_at__lte=now,
    ).exists()
    assert not cases.filter(
        status="closed", reopen_window_closed_at__isnull=True, reopen_until__lte=now
    ).exists()
    # The queue order follows the rule of the services.
    assert not cases.filter(first_responded_at__isnull=False, queue_due_at__isnull=False).exists()
    assert not cases.filter(queue_breached=True, breached_at__isnull=True).exists()
    assert 2.5 <= CaseEvent.objects.filter(case__in=cases).count() / 2000 <= 3.5


@pytest.mark.postgres
def test_load_run_serves_a_mixed_workload_from_gunicorn_and_cleans_up(tmp_path):
    report_file = tmp_path / "load.json"
    output = io.StringIO()
    call_command(
        "bench",
        cases=300,
        load=True,
        seconds=2,
        concurrency=2,
        max_requests=200,
        json=str(report_file),
        stdout=output,
    )
    result = json.loads(report_file.read_text())["load"]

    assert 0 < result["requests"] <= 200
    assert result["errors"] == 0, result["error_statuses"]
    assert result["throughput_rps"] > 0
    assert result["p50_ms"] <= result["p99_ms"]
    assert result["worker_rss_mb"] and all(size > 0 for size in result["worker_rss_mb"])
    assert dataset.existing_size() == (dataset.scale_for(300).tenants, 300)
    assert not ApiToken.objects.exists()
    assert "requests/s" in output.getvalue()


def test_an_in_memory_sqlite_database_cannot_be_served_to_gunicorn(monkeypatch):
    monkeypatch.setattr(connection, "vendor", "sqlite")
    monkeypatch.setitem(connection.settings_dict, "NAME", "file:memorydb_default?mode=memory")
    with pytest.raises(load.LoadError):
        load.database_url()
