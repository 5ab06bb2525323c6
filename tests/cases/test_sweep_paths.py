"""The sweeps' two ways of writing a batch (set-based SQL on PostgreSQL, model instances
elsewhere) write the same events and outbox rows, down to dedupe keys and message contexts."""

from datetime import timedelta

import pytest
from django.db import connection, transaction

from accounts.models import TenantRole
from cases.models import Case, CaseEvent, Notification
from cases.services import lifecycle, sweeps

SWEPT_EVENTS = ["breach_warning", "breached", "window_closed"]


def _written_by_sweeps():
    events = CaseEvent.objects.filter(kind__in=SWEPT_EVENTS)
    notices = Notification.objects.filter(kind__in=["breach_warning", "breached"])
    return (
        sorted(events.values_list("case__number", "kind", "is_public", "at")),
        sorted(
            (n.case.number, n.kind, n.audience, n.to, n.cc, n.language, n.context, n.dedupe_key)
            for n in notices.select_related("case")
        ),
    )


@pytest.mark.skipif(connection.vendor != "postgresql", reason="set-based writes are PostgreSQL")
def test_both_ways_of_writing_produce_the_same_events_and_notices(
    world, open_case, later, monkeypatch
):
    assigned, unassigned = open_case(), open_case(title='Quotes " and <tags> & ünïcode')
    lifecycle.case_claim(actor=world["engineer"], case=assigned, at=later(minutes=1))
    closed = open_case()
    lifecycle.case_close(actor=world[TenantRole.GLOBAL_ADMIN], case=closed, at=later(minutes=5))
    Case.objects.filter(pk=unassigned.pk).update(
        initial_response_due_at=later(hours=5, microseconds=250)
    )

    def run():
        sweeps.flag_response_breaches(now=later(hours=20))
        sweeps.flag_response_breaches(now=later(days=2))
        sweeps.close_reopen_windows(now=later(days=15))
        written = _written_by_sweeps()
        CaseEvent.objects.filter(kind__in=SWEPT_EVENTS).delete()
        Notification.objects.filter(kind__in=["breach_warning", "breached"]).delete()
        Case.objects.update(breach_warned_at=None, breached_at=None, reopen_window_closed_at=None)
        return written

    set_based = run()
    monkeypatch.setattr(sweeps, "set_based", lambda: False)
    portable = run()

    assert set_based == portable
    events, notices = set_based
    assert {kind for _number, kind, _public, _at in events} == {
        "breach_warning",
        "breached",
        "window_closed",
    }
    assert any(notice[6]["due"].endswith(".000250+00:00") for notice in notices)


def _setting(name: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting(%s)", [name])
        return cursor.fetchone()[0]


def _world_with_a_waiting_case(now, categories, problem_type, contact):
    """A world of the test's own (transactional tests cannot use the `world` fixture) with one
    case of Contoso's waiting for a response, and the function that filed it."""
    from tests.personas import build_world, filer

    world = build_world(now)
    file = filer(world, categories, problem_type, contact, at=now)
    file(title="Waiting")
    return world, file


@pytest.mark.postgres
def test_a_sweep_batch_commits_asynchronously_and_nothing_after_it_does(
    now, categories, problem_type, contact
):
    _world, file = _world_with_a_waiting_case(now, categories, problem_type, contact)
    seen = []

    def watch(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if "INSERT INTO cases_caseevent" in sql:
            seen.append(_setting("synchronous_commit"))
        return result

    with connection.execute_wrapper(watch):
        flagged = sweeps.flag_response_breaches(now=now + timedelta(days=2))
    assert flagged.breached == 1
    # Each batch's own transaction (breaches, then warnings) did not wait for the disk...
    assert seen == ["off", "off"]
    # ...and the connection is back to durable commits for whatever it does next.
    assert _setting("synchronous_commit") == "on"
    file(title="Next")
    assert Case.objects.filter(title="Next").exists()


@pytest.mark.postgres
def test_a_retarget_inside_a_callers_transaction_leaves_its_commit_durable(
    now, categories, problem_type, contact
):
    from accounts.models import ElevatedSupportContract

    world, _file = _world_with_a_waiting_case(now, categories, problem_type, contact)
    # As the back office does: the contract's save and the retarget in one transaction.
    with transaction.atomic():
        ElevatedSupportContract.objects.create(
            tenant=world.contoso, starts_at=now, ends_at=now + timedelta(days=30)
        )
        assert lifecycle.tenant_retarget_open_cases(tenant=world.contoso, at=now) == 1
        assert _setting("synchronous_commit") == "on"
