"""Races on PostgreSQL, with real threads each on its own connection, lined up on a barrier.

Already covered elsewhere, and not repeated here: two breach sweeps at once and a reopen racing
the window sweep (status only) in tests/cases/test_sweeps.py, two identical filings with one
Idempotency-Key in tests/api/test_cases_api.py.
"""

import threading
import uuid
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.db import connection, transaction
from rest_framework.test import APIClient

from accounts.models import TenantRole
from cases.models import Case, CaseEvent, CaseStatus, IdempotencyKey, Notification
from cases.services import lifecycle, sweeps
from helpdesk.errors import Conflict
from tests.conftest import NOW
from tests.factories import SupportProfileFactory
from tests.personas import build_world, filer

from .conftest import celery_broker, wait_until

ROUNDS = 8


def race(*contenders: Callable[[], object]) -> list[object]:
    """Run the callables at once, one thread and one database connection each; return each
    one's result or the exception it raised, in the order given."""
    barrier = threading.Barrier(len(contenders))
    outcomes: list[object] = [None] * len(contenders)

    def run(index: int, contender: Callable[[], object]) -> None:
        try:
            barrier.wait(timeout=30)
            outcomes[index] = contender()
        except Exception as error:  # noqa: BLE001 - the outcome under test
            outcomes[index] = error
        finally:
            connection.close()

    threads = [
        threading.Thread(target=run, args=(index, contender))
        for index, contender in enumerate(contenders)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
        assert not thread.is_alive(), "a contender hung"
    return outcomes


def _waits_for_a_lock(pid: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", [pid])
        row = cursor.fetchone()
    return row is not None and row[0] == "Lock"


def interleave(
    holder: Callable[[], object], contender: Callable[[], object]
) -> tuple[object, object, bool]:
    """Force one order of a race: `holder` runs in a transaction it keeps open; `contender`
    runs meanwhile; the holder commits once the contender is blocked on its row locks (or has
    finished without waiting). Returns both outcomes and whether the contender was blocked."""
    held, release, finished = threading.Event(), threading.Event(), threading.Event()
    pids: list[int] = []
    outcomes: list[object] = [None, None]

    def hold() -> None:
        try:
            with transaction.atomic():
                outcomes[0] = holder()
                held.set()
                assert release.wait(timeout=60), "never released"
        except Exception as error:  # noqa: BLE001 - the outcome under test
            outcomes[0] = error
        finally:
            held.set()
            connection.close()

    def contend() -> None:
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                pids.append(cursor.fetchone()[0])
            outcomes[1] = contender()
        except Exception as error:  # noqa: BLE001 - the outcome under test
            outcomes[1] = error
        finally:
            finished.set()
            connection.close()

    first = threading.Thread(target=hold)
    first.start()
    assert held.wait(timeout=60)
    second = threading.Thread(target=contend)
    second.start()
    blocked = False

    def settled() -> bool:
        nonlocal blocked
        if finished.is_set():
            return True
        blocked = bool(pids) and _waits_for_a_lock(pids[0])
        return blocked

    try:
        wait_until(settled, timeout=60, what="the contender to block or finish")
    finally:
        release.set()
        first.join(timeout=60)
        second.join(timeout=60)
    assert not first.is_alive() and not second.is_alive(), "a contender hung"
    return outcomes[0], outcomes[1], blocked


@pytest.fixture
def racing_world(categories, problem_type, contact):
    """The personas, with the broker kept in memory so after-commit kicks stay in this process."""
    with celery_broker("memory://"):
        world = build_world(NOW)
        world.users["second_engineer"] = SupportProfileFactory(role="engineer").user
        world.file = filer(world, categories, problem_type, contact, at=NOW)
        yield world


@pytest.mark.postgres
def test_two_engineers_claiming_one_case_at_once_one_wins_and_the_other_gets_a_conflict(
    racing_world,
):
    first, second = racing_world["engineer"], racing_world["second_engineer"]
    for round_ in range(ROUNDS):
        case = racing_world.file(title=f"Claim race {round_}")
        outcomes = race(
            lambda case=case: lifecycle.case_claim(actor=first, case=Case.objects.get(pk=case.pk)),
            lambda case=case: lifecycle.case_claim(actor=second, case=Case.objects.get(pk=case.pk)),
        )
        won = [outcome for outcome in outcomes if isinstance(outcome, Case)]
        lost = [outcome for outcome in outcomes if isinstance(outcome, Conflict)]
        assert len(won) == 1 and len(lost) == 1, outcomes
        assert lost[0].code == "already_claimed"
        winner = won[0].assigned_to
        assert winner.display_name in lost[0].message
        case.refresh_from_db()
        assert case.assigned_to == winner
        assigned = CaseEvent.objects.filter(case=case, kind=CaseEvent.Kind.ASSIGNED)
        assert list(assigned.values_list("actor", flat=True)) == [winner.pk]


@pytest.mark.postgres
def test_a_claim_waiting_on_another_engineers_open_claim_gets_a_conflict_once_it_commits(
    racing_world,
):
    case = racing_world.file()
    first, second = racing_world["engineer"], racing_world["second_engineer"]
    won, lost, blocked = interleave(
        lambda: lifecycle.case_claim(actor=first, case=Case.objects.get(pk=case.pk)),
        lambda: lifecycle.case_claim(actor=second, case=Case.objects.get(pk=case.pk)),
    )
    assert blocked
    assert isinstance(won, Case) and won.assigned_to == first
    assert isinstance(lost, Conflict) and lost.code == "already_claimed"
    assert first.display_name in lost.message
    case.refresh_from_db()
    assert case.assigned_to == first
    assert CaseEvent.objects.filter(case=case, kind=CaseEvent.Kind.ASSIGNED).count() == 1


@pytest.mark.postgres
def test_two_engineers_claiming_over_the_api_at_once_get_one_200_and_one_409(racing_world):
    case = racing_world.file()

    def claim(persona: str):
        client = APIClient()
        client.force_authenticate(user=racing_world[persona])
        return client.post(
            f"/api/v1/cases/{case.number}/assign/", {"assignee": "me"}, format="json"
        )

    outcomes = race(lambda: claim("engineer"), lambda: claim("second_engineer"))
    statuses = sorted(response.status_code for response in outcomes)
    assert statuses == [200, 409], outcomes
    refused = next(response for response in outcomes if response.status_code == 409)
    assert refused.json()["code"] == "already_claimed"
    assert CaseEvent.objects.filter(case=case, kind=CaseEvent.Kind.ASSIGNED).count() == 1


def _closed_at_the_window_edge(world, title: str) -> Case:
    admin = world[TenantRole.GLOBAL_ADMIN]
    case = world.file(title=title)
    lifecycle.case_claim(actor=world["engineer"], case=case)
    return lifecycle.case_close(actor=admin, case=case, at=NOW)


def _reopen_just_before_the_edge(world, case: Case):
    return lambda: lifecycle.case_reopen(
        actor=world[TenantRole.GLOBAL_ADMIN],
        case=Case.objects.get(pk=case.pk),
        at=case.reopen_until - timedelta(microseconds=1),
    )


def _sweep_at_the_edge(case: Case):
    return lambda: sweeps.close_reopen_windows(now=case.reopen_until)


def _assert_one_outcome(world, case: Case, reopen: object, swept: object) -> str:
    """Exactly one of reopened / window closed, with the history and mail of that one only."""
    assert not isinstance(swept, Exception), swept
    edge = case.reopen_until
    case.refresh_from_db()
    events = list(
        CaseEvent.objects.filter(
            case=case, kind__in=[CaseEvent.Kind.REOPENED, CaseEvent.Kind.WINDOW_CLOSED]
        ).values_list("kind", flat=True)
    )
    notices = Notification.objects.filter(case=case, kind=Notification.Kind.CASE_REOPENED)
    if isinstance(reopen, Case):
        assert swept == 0
        assert case.status == CaseStatus.IN_PROGRESS
        assert case.reopen_window_closed_at is None and case.reopen_count == 1
        assert events == [CaseEvent.Kind.REOPENED]
        assert list(notices.values_list("to", flat=True)) == [[world["engineer"].email]]
        return "reopened"
    assert isinstance(reopen, Conflict), reopen
    assert reopen.code == "reopen_window_closed"
    assert swept == 1
    assert case.status == CaseStatus.CLOSED
    assert case.reopen_window_closed_at == edge and case.reopen_count == 0
    assert events == [CaseEvent.Kind.WINDOW_CLOSED]
    assert not notices.exists()
    return "window closed"


@pytest.mark.postgres
def test_a_reopen_racing_the_window_sweep_leaves_one_outcome_and_matching_history(
    racing_world,
):
    for round_ in range(ROUNDS):
        case = _closed_at_the_window_edge(racing_world, f"Edge {round_}")
        reopen, swept = race(
            _reopen_just_before_the_edge(racing_world, case), _sweep_at_the_edge(case)
        )
        _assert_one_outcome(racing_world, case, reopen, swept)


@pytest.mark.postgres
def test_a_sweep_meeting_a_reopen_in_progress_skips_the_case_and_the_reopen_stands(
    racing_world,
):
    case = _closed_at_the_window_edge(racing_world, "Reopen first")
    edge = case.reopen_until
    reopen, swept, blocked = interleave(
        _reopen_just_before_the_edge(racing_world, case), _sweep_at_the_edge(case)
    )
    assert not blocked  # SKIP LOCKED: the sweep does not wait for the reopen
    assert _assert_one_outcome(racing_world, case, reopen, swept) == "reopened"
    assert sweeps.close_reopen_windows(now=edge + timedelta(days=1)) == 0


@pytest.mark.postgres
def test_a_reopen_waiting_on_the_sweep_is_refused_once_the_window_closes(racing_world):
    case = _closed_at_the_window_edge(racing_world, "Sweep first")
    swept, reopen, blocked = interleave(
        _sweep_at_the_edge(case), _reopen_just_before_the_edge(racing_world, case)
    )
    assert blocked  # the reopen's conditional UPDATE waited for the sweep's row lock
    assert _assert_one_outcome(racing_world, case, reopen, swept) == "window closed"


@pytest.mark.postgres
def test_one_idempotency_key_racing_with_two_different_bodies_files_one_case(racing_world):
    key = str(uuid.uuid4())
    body = {
        "category": "technical",
        "problem_type": "test-mail-flow",
        "description": "Since 9:00 outgoing mail stays in the outbox.",
        "impact": {"service": "impaired", "users": "several", "workaround": False},
    }

    def file(title: str):
        client = APIClient()
        client.force_authenticate(user=racing_world[TenantRole.GLOBAL_ADMIN])
        return client.post(
            "/api/v1/cases/", {**body, "title": title}, format="json", HTTP_IDEMPOTENCY_KEY=key
        )

    outcomes = race(lambda: file("First title"), lambda: file("Second title"))
    assert sorted(response.status_code for response in outcomes) == [201, 409], outcomes
    refused = next(response for response in outcomes if response.status_code == 409)
    assert refused.json()["code"] == "idempotency_key_reused"
    filed = next(response for response in outcomes if response.status_code == 201).json()
    assert list(Case.objects.values_list("number", flat=True)) == [filed["number"]]
    assert IdempotencyKey.objects.filter(key=key).count() == 1
    assert Notification.objects.filter(kind=Notification.Kind.CASE_CREATED).count() == 1
