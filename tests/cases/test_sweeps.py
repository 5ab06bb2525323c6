"""The breach and reopen-window sweeps: real queries, once per case, safe in parallel."""

import threading
from dataclasses import replace
from datetime import timedelta

import pytest
from django.db import connection
from django.db.models import Count

from accounts.models import TenantRole
from cases.models import Case, CaseEvent, CaseStatus, Notification
from cases.services import lifecycle, sweeps
from cases.tasks import close_reopen_windows, flag_response_breaches
from helpdesk.errors import Conflict


@pytest.fixture(autouse=True, params=["set_based", "portable"])
def sweep_path(request, monkeypatch):
    """Every test here runs with each way the sweeps write: set-based SQL (PostgreSQL only) and
    model instances (every database, also run on PostgreSQL)."""
    if request.param == "set_based" and connection.vendor != "postgresql":
        pytest.skip("the set-based sweep writes are PostgreSQL SQL")
    monkeypatch.setattr(sweeps, "set_based", lambda: request.param == "set_based")
    return request.param


def flags(case):
    case.refresh_from_db()
    return case.breach_warned_at, case.breached_at


def test_a_case_is_warned_at_75_percent_then_flagged_at_100_once_each(world, open_case, later):
    case = open_case()  # enterprise B: next day, warning after 18 hours
    assert sweeps.flag_response_breaches(now=later(hours=17, minutes=59)) == sweeps.BreachSweep(
        0, 0
    )
    assert sweeps.flag_response_breaches(now=later(hours=18)) == sweeps.BreachSweep(1, 0)
    assert flags(case) == (later(hours=18), None)
    assert sweeps.flag_response_breaches(now=later(hours=20)) == sweeps.BreachSweep(0, 0)
    assert sweeps.flag_response_breaches(now=later(hours=24)) == sweeps.BreachSweep(0, 1)
    assert flags(case) == (later(hours=18), later(hours=24))
    assert sweeps.flag_response_breaches(now=later(hours=30)) == sweeps.BreachSweep(0, 0)
    kinds = list(case.events.filter(is_public=False).values_list("kind", flat=True))
    assert kinds == ["breach_warning", "breached"]
    notices = Notification.objects.filter(case=case).exclude(kind="case_created")
    assert sorted(notices.values_list("kind", flat=True)) == ["breach_warning", "breached"]


def test_a_sweep_that_was_down_flags_the_breach_at_its_due_time_without_warning(
    world, open_case, later
):
    case = open_case()
    assert sweeps.flag_response_breaches(now=later(days=3)) == sweeps.BreachSweep(0, 1)
    assert case.__class__.objects.get(pk=case.pk).breached_at == later(days=1)


def test_responded_closed_and_uncommitted_cases_are_never_flagged(
    world, open_case, categories, later
):
    answered = open_case()
    lifecycle.case_reply(actor=world["engineer"], case=answered, body="Hi", at=later(hours=1))
    closed = open_case()
    lifecycle.case_close(actor=world[TenantRole.GLOBAL_ADMIN], case=closed, at=later(hours=1))
    uncommitted = open_case(category=categories["billing"], problem_type=None)
    assert sweeps.flag_response_breaches(now=later(days=5)) == sweeps.BreachSweep(0, 0)
    for case in (answered, closed, uncommitted):
        assert flags(case) == (None, None)


def test_breach_notice_goes_to_the_assigned_engineer_else_the_managers(world, open_case, later):
    assigned, unassigned = open_case(), open_case()
    lifecycle.case_claim(actor=world["engineer"], case=assigned, at=later(minutes=1))
    sweeps.flag_response_breaches(now=later(days=2))
    to_engineer = Notification.objects.get(case=assigned, kind="breached")
    to_managers = Notification.objects.get(case=unassigned, kind="breached")
    assert to_engineer.to == [world["engineer"].email]
    assert to_managers.audience == "managers"


def test_the_task_sweeps_at_the_current_time(world, open_case, frozen_clock):
    case = open_case()
    frozen_clock.shift(timedelta(days=1, seconds=1))
    assert flag_response_breaches.run() == {"warned": 0, "breached": 1}
    assert flags(case)[1] is not None


def test_reopen_windows_close_after_exactly_14_days(world, open_case, later):
    case = open_case()
    lifecycle.case_close(actor=world[TenantRole.GLOBAL_ADMIN], case=case, at=world.now)
    assert sweeps.close_reopen_windows(now=later(days=14, seconds=-1)) == 0
    assert sweeps.close_reopen_windows(now=later(days=14)) == 1
    assert sweeps.close_reopen_windows(now=later(days=15)) == 0
    case.refresh_from_db()
    assert case.reopen_window_closed_at == later(days=14)
    assert case.events.filter(kind="window_closed").count() == 1
    with pytest.raises(Conflict):
        lifecycle.case_reopen(actor=world[TenantRole.GLOBAL_ADMIN], case=case, at=later(days=14))


def test_close_reopen_windows_task_runs_at_the_current_time(world, open_case, frozen_clock):
    case = open_case()
    lifecycle.case_close(actor=world[TenantRole.GLOBAL_ADMIN], case=case)
    frozen_clock.shift(timedelta(days=14))
    assert close_reopen_windows.run() == 1


def _many_cases(open_case, count):
    first = open_case()
    rows = []
    for index in range(count - 1):
        first.pk = None
        first.number = f"SRTEST-{index:06d}"
        rows.append(
            Case(**{f.attname: getattr(first, f.attname) for f in Case._meta.concrete_fields})
        )
    Case.objects.bulk_create(rows)


@pytest.mark.parametrize("count", [5, 60])
def test_the_breach_sweep_runs_a_bounded_number_of_queries(
    world, open_case, later, count, django_assert_max_num_queries
):
    _many_cases(open_case, count)
    with django_assert_max_num_queries(14):
        result = sweeps.flag_response_breaches(now=later(days=2))
    assert result.breached == count


@pytest.mark.parametrize("count", [5, 60])
def test_the_window_sweep_runs_a_bounded_number_of_queries(
    world, open_case, later, count, django_assert_max_num_queries
):
    _many_cases(open_case, count)
    Case.objects.update(status=CaseStatus.CLOSED, closed_at=world.now, reopen_until=later(days=14))
    with django_assert_max_num_queries(8):
        assert sweeps.close_reopen_windows(now=later(days=20)) == count


@pytest.mark.postgres
def test_two_breach_sweeps_at_once_flag_and_notify_each_case_once(
    now, categories, problem_type, contact
):
    from tests.personas import build_world

    world = build_world(now)
    admin = world[TenantRole.GLOBAL_ADMIN]
    for index in range(40):
        lifecycle.case_open(
            actor=admin,
            tenant=world.contoso,
            category=categories["technical"],
            problem_type=problem_type,
            title=f"Case {index}",
            description="d",
            contact=contact,
            at=now,
        )
    barrier = threading.Barrier(2)
    results = []

    def sweep():
        try:
            barrier.wait()
            results.append(sweeps.flag_response_breaches(now=now + timedelta(days=2)))
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(r.breached for r in results) == 40
    assert Notification.objects.filter(kind="breached").count() == 40
    doubled = (
        CaseEvent.objects.filter(kind="breached")
        .values("case")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
    )
    assert not doubled.exists()


@pytest.mark.postgres
def test_a_reopen_at_the_window_edge_racing_the_sweep_has_one_winner(
    now, categories, problem_type, contact
):
    from tests.personas import build_world

    world = build_world(now)
    admin = world[TenantRole.GLOBAL_ADMIN]
    outcomes = []
    for index in range(10):
        case = lifecycle.case_open(
            actor=admin,
            tenant=world.contoso,
            category=categories["technical"],
            problem_type=problem_type,
            title=f"Edge {index}",
            description="d",
            contact=replace(contact),
            at=now,
        )
        lifecycle.case_close(actor=admin, case=case, at=now)
        edge = case.reopen_until
        barrier = threading.Barrier(2)

        def reopen(case=case, edge=edge, barrier=barrier):
            try:
                barrier.wait()
                lifecycle.case_reopen(actor=admin, case=case, at=edge - timedelta(microseconds=1))
                outcomes.append("reopened")
            except Conflict:
                outcomes.append("refused")
            finally:
                connection.close()

        def sweep(edge=edge, barrier=barrier):
            try:
                barrier.wait()
                sweeps.close_reopen_windows(now=edge)
            finally:
                connection.close()

        threads = [threading.Thread(target=reopen), threading.Thread(target=sweep)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        case.refresh_from_db()
        reopened = case.status == CaseStatus.IN_PROGRESS
        window_closed = case.reopen_window_closed_at is not None
        assert reopened != window_closed
        assert (outcomes[-1] == "reopened") == reopened


def test_a_sweep_with_more_due_than_one_batch_takes_them_all(world, open_case, later, monkeypatch):
    monkeypatch.setattr(sweeps, "BATCH", 7)
    _many_cases(open_case, 20)
    assert sweeps.flag_response_breaches(now=later(days=2)).breached == 20
    Case.objects.update(status=CaseStatus.CLOSED, closed_at=world.now, reopen_until=later(days=14))
    assert sweeps.close_reopen_windows(now=later(days=20)) == 20
