"""Tier changes on their dates: a contract or subscription that starts or ends retargets the
tenant's waiting cases at the next sweep, without anyone editing it."""

from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import ElevatedSupportContract
from cases.models import Case, CaseEvent, Notification
from cases.services import lifecycle, notifications, sweeps, tier_changes
from cases.tasks import retarget_tier_changes


@pytest.fixture(autouse=True, params=["set_based", "portable"])
def write_path(request, monkeypatch):
    """Every test here runs with each way a batch of retargeted cases is written: one UPDATE from
    arrays (PostgreSQL only), and Django's bulk_update (every database, also run on PostgreSQL)."""
    if request.param == "set_based" and connection.vendor != "postgresql":
        pytest.skip("the set-based write is PostgreSQL SQL")
    monkeypatch.setattr(sweeps, "set_based", lambda: request.param == "set_based")
    return request.param


def tier_and_due(case):
    case = Case.objects.get(pk=case.pk)
    return case.support_tier, case.initial_response_due_at


def test_an_elevated_contract_retargets_waiting_cases_when_it_starts_and_ends(
    world, open_case, later
):
    waiting, answered = open_case(), open_case()
    lifecycle.case_reply(actor=world["engineer"], case=answered, body="On it", at=later(minutes=5))
    enterprise = tier_and_due(waiting)
    # Signed in advance: elevated support from ten minutes from now, for an hour.
    ElevatedSupportContract.objects.create(
        tenant=world.contoso, starts_at=later(minutes=10), ends_at=later(hours=1, minutes=10)
    )

    assert tier_changes.retarget_tier_changes(now=later(minutes=9)) == 0
    assert tier_changes.retarget_tier_changes(now=later(minutes=11)) == 1
    assert tier_and_due(waiting) == ("elevated", world.now + timedelta(hours=2))
    assert tier_and_due(answered)[0] == "enterprise"
    assert CaseEvent.objects.filter(case=waiting, kind="target").count() == 1

    # Overlapping runs change nothing more; the end brings the enterprise target back.
    assert tier_changes.retarget_tier_changes(now=later(minutes=12)) == 0
    assert tier_changes.retarget_tier_changes(now=later(hours=1, minutes=11)) == 1
    assert tier_and_due(waiting) == enterprise


def test_a_subscription_that_lapses_keeps_the_last_commitment(world, open_case, later):
    case = open_case()
    before = tier_and_due(case)
    world.contoso.subscriptions.update(ends_at=later(minutes=1))

    assert tier_changes.retarget_tier_changes(now=later(minutes=2)) == 0
    assert tier_and_due(case) == before


def test_only_dates_in_the_lookback_are_swept(world, open_case, later):
    ElevatedSupportContract.objects.create(
        tenant=world.contoso, starts_at=later(days=-3), ends_at=later(days=30)
    )
    now = world.now

    assert tier_changes.tenants_with_tier_dates(since=now - tier_changes.LOOKBACK, until=now) == (
        set()
    )
    assert world.contoso.pk in tier_changes.tenants_with_tier_dates(
        since=now - timedelta(days=4), until=now
    )


def test_the_task_sweeps_at_the_current_time(world, open_case, frozen_clock):
    case = open_case()
    ElevatedSupportContract.objects.create(
        tenant=world.contoso,
        starts_at=world.now + timedelta(minutes=1),
        ends_at=world.now + timedelta(days=30),
    )
    assert retarget_tier_changes.run() == 0

    frozen_clock.shift(timedelta(minutes=2))

    assert retarget_tier_changes.run() == 1
    assert tier_and_due(case)[0] == "elevated"


def test_a_target_that_a_new_tier_puts_in_the_past_is_a_breach_mailed_with_its_due_time(
    world, open_case, later
):
    case = open_case()
    ElevatedSupportContract.objects.create(
        tenant=world.contoso, starts_at=later(hours=2, minutes=50), ends_at=later(days=30)
    )
    Notification.objects.all().delete()

    assert tier_changes.retarget_tier_changes(now=later(hours=3)) == 1
    notifications.deliver_due(now=later(hours=3))

    due = world.now + timedelta(hours=2)  # elevated: 2 hours from the opening
    assert Case.objects.get(pk=case.pk).breached_at == due
    (message,) = mail.outbox
    assert f"It was due: {due:%Y-%m-%d %H:%M} UTC" in message.body
    assert f"/console/cases/{case.number}/" in message.body


def _copies(case, count: int, tenant) -> None:
    """`count` more waiting cases like `case`, for `tenant`."""
    rows = []
    for index in range(count):
        fields = {f.attname: getattr(case, f.attname) for f in Case._meta.concrete_fields}
        fields.update(id=None, number=f"SRTIER-{tenant.pk}-{index:04d}", tenant_id=tenant.pk)
        rows.append(Case(**fields))
    Case.objects.bulk_create(rows)


@pytest.mark.parametrize("per_tenant", [2, 150])
def test_the_sweep_writes_in_a_few_statements_however_many_cases_change(
    world, open_case, later, per_tenant
):
    first = open_case()
    _copies(first, per_tenant - 1, world.contoso)
    _copies(first, per_tenant, world.fabrikam)
    for tenant in (world.contoso, world.fabrikam):
        ElevatedSupportContract.objects.create(
            tenant=tenant, starts_at=later(minutes=10), ends_at=later(days=30)
        )

    with CaptureQueriesContext(connection) as captured:
        changed = tier_changes.retarget_tier_changes(now=later(minutes=11))

    assert changed == 2 * per_tenant
    assert set(Case.objects.values_list("support_tier", flat=True)) == {"elevated"}
    events = CaseEvent.objects.filter(kind="target")
    assert set(events.values_list("old_value", "new_value", "is_public", "actor", "at")) == {
        ("enterprise", "elevated", False, None, later(minutes=11))
    }
    assert events.count() == 2 * per_tenant
    # Dates, tenants and tiers, the matrix, the cases, the locked batch, its writes and
    # savepoints: never a statement per case. (PostgreSQL writes a batch in one statement;
    # bulk_update and bulk_create split theirs, on SQLite by its limit of 999 parameters.)
    assert len(captured.captured_queries) <= 12 + (2 * per_tenant) // 25


def test_the_sweep_gives_a_case_the_target_fields_its_own_retarget_would(world, open_case, later):
    """The sweep reads cases as rows and the services retarget one case at a time: both apply the
    one rule (`lifecycle.common.target_fields`), warning flags and queue order included."""
    from cases.services.lifecycle.common import TARGET_FIELDS, _apply_target

    case = open_case()
    at = later(hours=1, minutes=40)  # past three quarters of elevated's two hours: warned
    ElevatedSupportContract.objects.create(
        tenant=world.contoso, starts_at=later(hours=1, minutes=30), ends_at=later(days=30)
    )
    expected = Case.objects.select_related("tenant").get(pk=case.pk)
    _apply_target(expected, tier="elevated", at=at)
    expected.last_activity_at = at

    assert tier_changes.retarget_tier_changes(now=at) == 1

    swept = Case.objects.get(pk=case.pk)
    assert {name: getattr(swept, name) for name in TARGET_FIELDS} == {
        name: getattr(expected, name) for name in TARGET_FIELDS
    }
    assert swept.breach_warned_at == at and swept.breached_at is None
    assert swept.queue_due_at == world.now + timedelta(hours=2)
