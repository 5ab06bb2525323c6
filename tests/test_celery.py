"""Celery: the schedule names every periodic job, and a real worker on Redis runs them."""

import os
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from cases.models import Case, Category, ProblemType
from cases.services import lifecycle
from cases.services.lifecycle import Contact
from helpdesk.celery import app
from tests.factories import RoleAssignmentFactory, SubscriptionFactory, TenantFactory

ROOT = Path(__file__).resolve().parent.parent


def test_beat_schedules_every_periodic_job_from_one_place():
    scheduled = {
        entry["task"]: entry["schedule"] for entry in settings.CELERY_BEAT_SCHEDULE.values()
    }
    assert scheduled == {
        "cases.tasks.flag_response_breaches": 60.0,
        "cases.tasks.close_reopen_windows": 3600.0,
        "cases.tasks.deliver_notifications": 60.0,
        "accounts.tasks.expire_relationships": 3600.0,
        "cases.tasks.retarget_tier_changes": 900.0,
    }
    app.loader.import_default_modules()
    for task in scheduled:
        assert task in app.tasks


def _database_url() -> str:
    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.mark.postgres
@pytest.mark.skipif(
    not os.environ.get("REDIS_URL"), reason="needs Redis (set REDIS_URL); CI runs it"
)
def test_a_real_worker_on_redis_flags_a_breached_case():
    tenant = TenantFactory()
    SubscriptionFactory(tenant=tenant)
    admin = RoleAssignmentFactory(tenant=tenant).user
    problem_type = ProblemType.objects.create(
        category=Category.objects.get_or_create(code="technical", defaults={"name": "Technical"})[
            0
        ],
        code="worker-test",
        name="Worker test",
        default_severity="B",
    )
    case = lifecycle.case_open(
        actor=admin,
        tenant=tenant,
        category=problem_type.category,
        problem_type=problem_type,
        title="Overdue",
        description="No answer for two days",
        contact=Contact(name="A", email="a@example.com"),
        at=timezone.now() - timedelta(days=2),
    )
    queue = f"test-{uuid.uuid4().hex}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "helpdesk.settings.test",
        "DATABASE_URL": _database_url(),
    }
    worker = subprocess.Popen(  # noqa: S603
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "helpdesk",
            "worker",
            "--pool=solo",
            "-Q",
            queue,
            "--loglevel=WARNING",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        app.send_task("cases.tasks.flag_response_breaches", queue=queue)
        deadline = time.monotonic() + 60
        # Waiting for another process to act, bounded: this is the effect under test, not a delay.
        while time.monotonic() < deadline and worker.poll() is None:
            if Case.objects.filter(pk=case.pk, breached_at__isnull=False).exists():
                break
            time.sleep(0.2)
        case.refresh_from_db()
        assert case.breached_at == case.initial_response_due_at
    finally:
        worker.terminate()
        output = worker.communicate(timeout=30)[0].decode(errors="replace")
    assert worker.returncode is not None, output
