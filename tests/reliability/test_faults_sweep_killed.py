"""A worker killed in the middle of the breach sweep: the next run finishes the work, and every
case is flagged, recorded and mailed exactly once."""

import os
import signal
import subprocess
import sys
import uuid
from contextlib import contextmanager
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.db.models import Count

from accounts.models import TenantRole
from cases.models import Case, CaseEvent, Notification
from cases.services import lifecycle, notifications, sweeps
from tests.conftest import NOW
from tests.personas import build_world

from .conftest import ROOT, celery_broker, database_url, wait_until

CASES = 23
BATCH = 5

# The sweep in batches of BATCH, in a process of its own.
VICTIM = f"""
import sys
from datetime import datetime

import django

django.setup()

from cases.services import sweeps

sweeps.BATCH = {BATCH}
sweeps.flag_response_breaches(now=datetime.fromisoformat(sys.argv[1]))
"""

# Once the victim's first batch has committed, its second batch's insert of history events waits
# on an advisory lock the test holds: rows flagged, events and outbox rows written, nothing
# committed. A statement trigger, so it holds whatever way the sweep writes its events.
HOLD_FUNCTION = """
CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('application_name') = '{name}'
       AND (SELECT count(*) FROM {events} WHERE kind = 'breached') > {batch} THEN
        PERFORM pg_advisory_xact_lock({key});
    END IF;
    RETURN NULL;
END $$
"""
HOLD_TRIGGER = (
    "CREATE TRIGGER {name} AFTER INSERT ON {events} FOR EACH STATEMENT EXECUTE FUNCTION {name}()"
)


@contextmanager
def second_batch_held(name: str, key: int):
    events = CaseEvent._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(HOLD_FUNCTION.format(name=name, events=events, batch=BATCH, key=key))
        cursor.execute(HOLD_TRIGGER.format(name=name, events=events))
        cursor.execute("SELECT pg_advisory_lock(%s)", [key])
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [key])
            cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON {events}")
            cursor.execute(f"DROP FUNCTION IF EXISTS {name}()")


def _backends(application_name: str) -> list[tuple[str, str | None]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT state, wait_event FROM pg_stat_activity WHERE application_name = %s",
            [application_name],
        )
        return cursor.fetchall()


@pytest.mark.postgres
def test_a_sweep_killed_between_batches_is_finished_by_the_next_run_without_duplicates(
    categories, problem_type, contact
):
    world = build_world(NOW)
    admin = world[TenantRole.GLOBAL_ADMIN]
    with celery_broker("memory://"):
        for index in range(CASES):
            lifecycle.case_open(
                actor=admin,
                tenant=world.contoso,
                category=categories["technical"],
                problem_type=problem_type,
                title=f"Overdue {index}",
                description="No answer for two days.",
                contact=contact,
                at=NOW - timedelta(days=2),
            )
        Notification.objects.all().delete()
        flagged = Case.objects.filter(breached_at__isnull=False)
        name = f"sweep_victim_{uuid.uuid4().hex[:12]}"
        with second_batch_held(name, key=uuid.uuid4().int % 2**62):
            victim = _kill_in_the_second_batch(name, flagged)
        assert victim.returncode == -signal.SIGKILL
        # The server rolls back the dead worker's open batch and releases its row locks.
        wait_until(lambda: _backends(name) == [], what="the killed worker's session to end")
        assert flagged.count() == BATCH

        result = sweeps.flag_response_breaches(now=NOW)
        assert result.breached == CASES - BATCH
        assert sweeps.flag_response_breaches(now=NOW).breached == 0

        assert flagged.count() == CASES
        per_case = CaseEvent.objects.filter(kind=CaseEvent.Kind.BREACHED).values("case")
        assert sorted(row["n"] for row in per_case.annotate(n=Count("pk"))) == [1] * CASES
        per_case = Notification.objects.filter(kind=Notification.Kind.BREACHED).values("case")
        assert sorted(row["n"] for row in per_case.annotate(n=Count("pk"))) == [1] * CASES
        assert Notification.objects.count() == CASES

        assert notifications.deliver_due(now=NOW + timedelta(minutes=1))["sent"] == CASES
        assert notifications.deliver_due(now=NOW + timedelta(hours=1))["sent"] == 0
    numbers = Case.objects.values_list("number", flat=True)
    assert len(mail.outbox) == CASES
    for number in numbers:
        assert sum(number in message.subject + message.body for message in mail.outbox) == 1


def _kill_in_the_second_batch(name: str, flagged) -> subprocess.Popen:
    """Start the victim, wait until its first batch is committed and its second is held open,
    and SIGKILL it there."""
    victim = subprocess.Popen(  # noqa: S603
        [sys.executable, "-c", VICTIM, NOW.isoformat()],
        cwd=ROOT,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "helpdesk.settings.test",
            "DATABASE_URL": f"{database_url()}?application_name={name}",
            "CELERY_BROKER_URL": "memory://",
        },
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_until(
            lambda: (
                victim.poll() is not None
                or (flagged.count() == BATCH and _backends(name) == [("active", "advisory")])
            ),
            timeout=60,
            what="the first batch to commit and the second to be held",
        )
        assert victim.poll() is None, victim.communicate()[0].decode(errors="replace")
        assert CaseEvent.objects.filter(kind=CaseEvent.Kind.BREACHED).count() == BATCH
        victim.send_signal(signal.SIGKILL)
        victim.wait(timeout=30)
    finally:
        if victim.poll() is None:
            victim.kill()
            victim.wait(timeout=30)
    return victim
