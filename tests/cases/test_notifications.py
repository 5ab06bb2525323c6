"""The outbox: messages exist exactly when their change does, are sent once, and survive outages."""

import zoneinfo
from datetime import UTC, timedelta

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend

from accounts.models import TenantRole
from cases.models import Notification
from cases.services import lifecycle, notifications, sweeps


class RefusingBackend(BaseEmailBackend):
    """Stands in for an SMTP server that is down (outside the project, so replaced in tests)."""

    def send_messages(self, messages):
        raise ConnectionRefusedError("SMTP server unreachable")


@pytest.fixture(autouse=True)
def empty_outbox(request):
    """Start from an empty outbox: the personas' world already announced an expired relationship."""
    if "world" in request.fixturenames:
        request.getfixturevalue("world")
        Notification.objects.all().delete()


def test_delivery_sends_each_pending_message_once(world, open_case):
    case = open_case()
    assert notifications.deliver_due(now=world.now) == {"sent": 1, "retried": 0, "failed": 0}
    assert notifications.deliver_due(now=world.now + timedelta(hours=1))["sent"] == 0
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert case.number in message.subject
    assert message.to == ["dana@contoso.example"]
    assert message.cc == ["it@contoso.example"]
    assert f"/requests/{case.number}/" in message.body
    assert Notification.objects.get(case=case).status == "sent"


def test_plain_text_mail_is_not_html_escaped(world, open_case):
    open_case(title="R&D mail <urgent>")
    notifications.deliver_due(now=world.now)
    assert "R&D mail <urgent>" in mail.outbox[0].subject


def test_a_mail_outage_loses_nothing_and_retries_with_back_off(world, open_case, settings):
    case = open_case()
    settings.EMAIL_BACKEND = "tests.cases.test_notifications.RefusingBackend"
    assert notifications.deliver_due(now=world.now)["retried"] == 1
    notice = Notification.objects.get(case=case)
    assert notice.status == "pending"
    assert notice.attempts == 1
    assert "unreachable" in notice.last_error
    assert notice.next_attempt_at == world.now + timedelta(minutes=2)
    assert notifications.deliver_due(now=world.now + timedelta(minutes=1))["retried"] == 0
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert notifications.deliver_due(now=world.now + timedelta(minutes=2))["sent"] == 1
    assert len(mail.outbox) == 1


def test_a_message_that_keeps_failing_is_given_up_after_the_last_attempt(
    world, open_case, settings
):
    case = open_case()
    settings.EMAIL_BACKEND = "tests.cases.test_notifications.RefusingBackend"
    moment = world.now
    for _ in range(notifications.MAX_ATTEMPTS):
        notifications.deliver_due(now=moment)
        moment += timedelta(days=1)
    assert Notification.objects.get(case=case).status == "failed"


def test_manager_notices_go_to_every_active_manager(world, open_case, later):
    case = open_case()
    lifecycle.case_close(actor=world[TenantRole.GLOBAL_ADMIN], case=case, at=later(minutes=1))
    notifications.deliver_due(now=later(minutes=1))
    mail.outbox.clear()
    lifecycle.case_reopen(actor=world[TenantRole.GLOBAL_ADMIN], case=case, at=later(minutes=2))
    notifications.deliver_due(now=later(minutes=2))
    assert [m.to for m in mail.outbox] == [[world["manager"].email]]


def test_a_duplicate_dedupe_key_queues_nothing_more(world):
    message = notifications.Message(
        kind="breached", to=["a@example.com"], dedupe_key="breached:1:x"
    )
    notifications.queue([message], at=world.now)
    notifications.queue([message], at=world.now)
    assert Notification.objects.filter(dedupe_key="breached:1:x").count() == 1


def test_messages_are_written_in_the_requests_language(world, open_case, contact):
    from dataclasses import replace

    open_case(contact=replace(contact, language="ko"))
    notice = Notification.objects.get()
    assert notice.language == "ko"


@pytest.mark.parametrize("kind", [kind for kind, _label in Notification.Kind.choices])
def test_every_kind_of_notification_renders(kind):
    notice = Notification(
        kind=kind,
        context={
            "number": "SR1",
            "title": "T",
            "tenant": "Contoso",
            "path": "/x/",
            "name": "N",
            "partner": "Adatum",
            "days": 7,
            "ends_at": "2026-01-01",
            "due": "2026-01-01",
            "label": "1 hour",
            "severity": "A",
        },
    )
    subject, body = notifications.render(notice)
    assert subject and "\n" not in subject
    assert body.strip()


@pytest.mark.postgres
def test_two_deliveries_at_once_send_each_message_once(now):
    import threading

    from django.db import connection

    notifications.queue(
        [
            notifications.Message(
                kind="case_created", to=[f"user{i}@example.com"], context={"number": f"N{i}"}
            )
            for i in range(30)
        ],
        at=now,
    )
    barrier = threading.Barrier(2)
    results = []

    def deliver():
        try:
            barrier.wait()
            results.append(notifications.deliver_due(now=now, limit=100))
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(r["sent"] for r in results) == 30
    assert sorted(to for m in mail.outbox for to in m.to) == sorted(
        f"user{i}@example.com" for i in range(30)
    )


def test_a_breach_mail_shows_the_due_time_in_the_engineers_zone_beside_utc(world, open_case, later):
    engineer = world["engineer"]
    engineer.time_zone = "Asia/Seoul"
    engineer.save()
    case = open_case()
    lifecycle.case_claim(actor=engineer, case=case, at=later(minutes=1))
    Notification.objects.all().delete()
    sweeps.flag_response_breaches(now=later(days=2))

    notifications.deliver_due(now=later(days=2))

    due = case.__class__.objects.get(pk=case.pk).initial_response_due_at
    seoul = due.astimezone(zoneinfo.ZoneInfo("Asia/Seoul")).strftime("%Y-%m-%d %H:%M KST")
    utc = due.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    (message,) = mail.outbox
    assert message.to == [engineer.email]
    assert f"It was due: {seoul} ({utc})" in message.body


def test_a_breach_mail_to_every_manager_shows_utc(world, open_case, later):
    case = open_case()
    Notification.objects.all().delete()
    sweeps.flag_response_breaches(now=later(days=2))

    notifications.deliver_due(now=later(days=2))

    due = case.__class__.objects.get(pk=case.pk).initial_response_due_at
    (message,) = mail.outbox
    assert message.to == [world["manager"].email]
    assert f"It was due: {due.astimezone(UTC).strftime('%Y-%m-%d %H:%M UTC')}\n" in message.body


@pytest.mark.parametrize(
    ("zone", "shown"),
    [
        ("Asia/Seoul", "2026-06-16 03:00 KST (2026-06-15 18:00 UTC)"),
        ("America/New_York", "2026-06-15 14:00 EDT (2026-06-15 18:00 UTC)"),
        ("UTC", "2026-06-15 18:00 UTC"),
        ("Not/AZone", "2026-06-15 18:00 UTC"),
    ],
)
def test_instants_in_mail_read_in_the_recipients_zone(zone, shown):
    notice = Notification(
        kind="breach_warning", context={"number": "SR1", "due": "2026-06-15T18:00:00+00:00"}
    )

    _subject, body = notifications.render(notice, time_zone=zone)

    assert f"Due: {shown}\n" in body
