"""A worker killed in the middle of the breach sweep: the next run finishes the work, and every
case is flagged, recorded and mailed exactly once."""

import os
import signal
import subprocess
import sys
import uuid
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

# Runs the sweep in batches of BATCH and, once the first batch has committed, holds the second
# batch's transaction open (rows flagged, events and outbox rows written, nothing committed)
# until the test kills the process.
VICTIM = f"""
import sys
from datetime import datetime

import django

django.setup()

from cases.services import notifications, sweeps

sweeps.BATCH = {BATCH}
original_queue = notifications.queue
batches = []


def queue(messages, *, at=None):
    batches.append(1)
    written = original_queue(messages, at=at)
    if len(batches) == 2:
        sys.stdin.read()
    return written


notifications.queue = queue
sweeps.flag_response_breaches(now=datetime.fromisoformat(sys.argv[1]))
"""


def _backends(application_name: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT state FROM pg_stat_activity WHERE application_name = %s", [application_name]
        )
        return [row[0] for row in cursor.fetchall()]


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
        name = f"sweep-victim-{uuid.uuid4().hex[:12]}"
        victim = subprocess.Popen(  # noqa: S603
            [sys.executable, "-c", VICTIM, NOW.isoformat()],
            cwd=ROOT,
            env={
                **os.environ,
                "DJANGO_SETTINGS_MODULE": "helpdesk.settings.test",
                "DATABASE_URL": f"{database_url()}?application_name={name}",
                "CELERY_BROKER_URL": "memory://",
            },
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_until(
                lambda: (
                    victim.poll() is not None
                    or (flagged.count() == BATCH and _backends(name) == ["idle in transaction"])
                ),
                timeout=60,
                what="the first batch to commit and the second to be under way",
            )
            assert victim.poll() is None, victim.communicate()[0].decode(errors="replace")
            assert CaseEvent.objects.filter(kind=CaseEvent.Kind.BREACHED).count() == BATCH
            victim.send_signal(signal.SIGKILL)
            victim.wait(timeout=30)
        finally:
            if victim.poll() is None:
                victim.kill()
                victim.wait(timeout=30)
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
