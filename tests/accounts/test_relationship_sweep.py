"""The expiry sweep: set-based, idempotent, and safe when two run at once."""

import threading
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.db.models import Count

from accounts import services
from accounts.models import DelegatedAdminRelationship, RelationshipEvent, RelationshipStatus
from accounts.tasks import expire_relationships
from tests.personas import build_world


def status(relationship):
    relationship.refresh_from_db()
    return relationship.status


def test_sweep_expires_ended_relationships_and_stale_requests_only(world):
    result = services.relationships_expire(now=world.now)
    assert status(world.relationships["partner_ended_unswept"]) == RelationshipStatus.EXPIRED
    assert status(world.relationships["partner_active"]) == RelationshipStatus.ACTIVE
    assert status(world.relationships["partner_pending"]) == RelationshipStatus.APPROVAL_PENDING
    assert status(world.relationships["partner_terminated"]) == RelationshipStatus.TERMINATED
    assert (result.expired, result.extended, result.pending_expired) == (1, 0, 0)


def test_sweep_run_twice_changes_nothing_the_second_time(world):
    services.relationships_expire(now=world.now)
    events = RelationshipEvent.objects.count()
    again = services.relationships_expire(now=world.now)
    assert (again.expired, again.extended, again.pending_expired) == (0, 0, 0)
    assert RelationshipEvent.objects.count() == events


def test_pending_request_expires_after_90_days(world):
    pending = world.relationships["partner_pending"]
    services.relationships_expire(now=pending.requested_at + timedelta(days=90, seconds=-1))
    assert status(pending) == RelationshipStatus.APPROVAL_PENDING
    result = services.relationships_expire(now=pending.requested_at + timedelta(days=90))
    assert status(pending) == RelationshipStatus.EXPIRED
    assert result.pending_expired == 1


def test_auto_extending_relationship_moves_its_end_180_days_on_each_time(world):
    relationship = world.relationships["partner_active"]
    DelegatedAdminRelationship.objects.filter(pk=relationship.pk).update(auto_extend=True)
    original_end = relationship.ends_at
    # The sweep was down for a while: two extensions are due at once.
    result = services.relationships_expire(now=original_end + timedelta(days=200))
    relationship.refresh_from_db()
    assert relationship.status == RelationshipStatus.ACTIVE
    assert relationship.ends_at == original_end + timedelta(days=360)
    assert result.extended == 2
    assert relationship.events.filter(kind="extended").count() == 2


def test_the_celery_task_runs_the_sweep_at_the_current_time(world, now):
    relationship = world.relationships["partner_ended_unswept"]
    with time_machine.travel(now, tick=False):
        result = expire_relationships.run()
    assert {key: result[key] for key in ("extended", "expired", "pending_expired")} == {
        "extended": 0,
        "expired": 1,
        "pending_expired": 0,
    }
    assert status(relationship) == RelationshipStatus.EXPIRED


@pytest.mark.parametrize("copies", [1, 30])
@pytest.mark.parametrize("days_on", [60, 400])
def test_the_sweep_runs_a_bounded_number_of_queries_for_few_or_many_due(
    world, copies, days_on, django_assert_max_num_queries
):
    """60 days on, reminders are due; 400 days on, expiries. Either way, no query per row."""
    for relationship in DelegatedAdminRelationship.objects.filter(status="active"):
        for _ in range(copies):
            relationship.pk = None
            relationship.save()
    with django_assert_max_num_queries(25):
        result = services.relationships_expire(now=world.now + timedelta(days=days_on))
    assert result.expired + result.reminded >= copies * 3


@pytest.mark.postgres
def test_two_sweeps_at_once_expire_each_relationship_exactly_once(now):
    world = build_world(now)
    for relationship in DelegatedAdminRelationship.objects.filter(status="active"):
        for _ in range(20):
            relationship.pk = None
            relationship.save()
    due = DelegatedAdminRelationship.objects.filter(
        status="active", ends_at__lte=world.now + timedelta(days=400)
    ).count()
    barrier = threading.Barrier(2)
    results = []

    def sweep():
        try:
            barrier.wait()
            results.append(services.relationships_expire(now=world.now + timedelta(days=400)))
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(result.expired for result in results) == due
    assert sum(result.pending_expired for result in results) == 1
    twice = (
        RelationshipEvent.objects.filter(kind="expired")
        .values("relationship")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
    )
    assert not twice.exists()


def test_both_sides_are_reminded_30_7_and_1_days_before_the_end_and_on_expiry(world):
    from cases.models import Notification

    relationship = world.relationships["partner_active"]
    end = relationship.ends_at
    for days in (31, 30, 29, 7, 1):
        services.relationships_expire(now=end - timedelta(days=days))
    services.relationships_expire(now=end)
    services.relationships_expire(now=end + timedelta(hours=1))
    notices = Notification.objects.filter(relationship=relationship).order_by("pk")
    assert [(n.kind, n.context["days"]) for n in notices] == [
        ("relationship_reminder", 30),
        ("relationship_reminder", 7),
        ("relationship_reminder", 1),
        ("relationship_expired", 0),
    ]
    recipients = set(notices[0].to)
    assert world["global_admin"].email in recipients
    assert world["partner_admin_agent"].email in recipients
    assert world["partner_active"].email not in recipients


def test_a_relationship_already_inside_one_day_gets_only_the_one_day_reminder(world):
    from cases.models import Notification

    relationship = world.relationships["partner_active"]
    services.relationships_expire(now=relationship.ends_at - timedelta(hours=12))
    notices = Notification.objects.filter(relationship=relationship)
    assert [(n.kind, n.context["days"]) for n in notices] == [("relationship_reminder", 1)]
    services.relationships_expire(now=relationship.ends_at - timedelta(hours=6))
    assert notices.count() == 1
