"""Redis down while requests are filed: the request is saved, the admin sees success, and the
notification waits in the outbox until a worker on the restored broker sends it, once."""

import socket
import threading
import uuid

import pytest
import redis
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import TenantRole
from cases.models import Case, Notification
from helpdesk import shared_cache
from helpdesk.celery import app
from tests.payloads import API_FILING
from tests.personas import build_world

from .conftest import celery_broker, celery_worker, wait_until

DOMAIN = "contoso.example"


def _step(step: str) -> str:
    return reverse("request_new_step", args=[DOMAIN, step])


def _file_through_the_pages(client, problem_type) -> str:
    client.get(reverse("request_new", args=[DOMAIN]))
    client.post(_step("describe"), {"summary": "Mail is not arriving"})
    client.post(_step("suggestions"))
    client.post(_step("classify"), {"category": "technical", "problem_type": problem_type.pk})
    client.post(
        _step("details"),
        {"title": "Filed on the pages while Redis is down", "description": "Nothing arrives."},
    )
    client.post(_step("impact"), {"service": "impaired", "users": "several", "workaround": "no"})
    client.post(
        _step("contact"),
        {
            "name": "Dana",
            "email": "dana@contoso.example",
            "method": "email",
            "language": "en",
            "time_zone": "America/New_York",
        },
    )
    response = client.post(_step("review"), follow=True)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.postgres
def test_requests_filed_while_redis_is_down_are_saved_and_mailed_once_it_is_back(
    private_redis, problem_type, client, tmp_path
):
    world = build_world(timezone.now())
    admin = world[TenantRole.GLOBAL_ADMIN]
    Notification.objects.all().delete()  # the relationship notices of building the world
    with celery_broker(private_redis.url):
        private_redis.stop()

        client.force_login(admin)
        page = _file_through_the_pages(client, problem_type)
        on_pages = Case.objects.get(title="Filed on the pages while Redis is down")
        assert f"Request {on_pages.number} is filed." in page

        api = APIClient()
        api.force_authenticate(user=admin)
        response = api.post(
            "/api/v1/cases/",
            API_FILING,
            format="json",
            HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()),
        )
        assert response.status_code == 201, response.content
        over_api = Case.objects.get(number=response.json()["number"])

        waiting = Notification.objects.all()
        assert sorted(waiting.values_list("kind", "case_id", "status")) == sorted(
            [
                ("case_created", on_pages.pk, Notification.Status.PENDING),
                ("case_created", over_api.pk, Notification.Status.PENDING),
            ]
        )
        assert mail.outbox == []

        private_redis.start()
        mail_dir = tmp_path / "mail"
        mail_dir.mkdir()
        with celery_worker(private_redis.url, mail_dir) as worker:
            # What beat sends every minute; the kicks sent at filing time were lost with Redis.
            app.send_task("cases.tasks.deliver_notifications")
            wait_until(
                lambda: (
                    worker.poll() is not None
                    or not waiting.exclude(status=Notification.Status.SENT).exists()
                ),
                timeout=60,
                what="the worker to deliver the waiting notifications",
            )
            assert worker.poll() is None, "the worker died"
            # Later sweeps find nothing left to send.
            app.send_task("cases.tasks.deliver_notifications")
            app.send_task("cases.tasks.deliver_notifications")
            broker = redis.Redis.from_url(private_redis.url)
            wait_until(
                lambda: broker.llen("celery") == 0 and broker.hlen("unacked") == 0,
                timeout=60,
                what="the worker to finish the later sweeps",
            )
            assert worker.poll() is None, "the worker died"

    assert set(waiting.values_list("status", "attempts")) == {(Notification.Status.SENT, 1)}
    # Django's file backend appends every message sent within the same second (and through an
    # object at the same address) to one file, each followed by a line of 79 dashes.
    sent = [
        message
        for path in mail_dir.iterdir()
        for message in path.read_text().split("-" * 79 + "\n")
        if message.strip()
    ]
    assert len(sent) == 2
    for case in (on_pages, over_api):
        assert sum(case.number in message for message in sent) == 1


@pytest.mark.postgres
@pytest.mark.parametrize(
    "channel",
    ["pages", "api"],
)
def test_filing_works_when_the_redis_behind_both_cache_and_broker_is_down(
    private_redis, problem_type, client, settings, channel
):
    world = build_world(timezone.now())
    admin = world[TenantRole.GLOBAL_ADMIN]
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": private_redis.url,
        }
    }
    with celery_broker(private_redis.url):
        private_redis.stop()
        if channel == "pages":
            client.force_login(admin)
            assert "is filed." in _file_through_the_pages(client, problem_type)
        else:
            api = APIClient(raise_request_exception=False)
            api.force_authenticate(user=admin)
            response = api.post(
                "/api/v1/cases/",
                API_FILING,
                format="json",
                HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()),
            )
            assert response.status_code == 201, response.content
    assert Case.objects.count() == 1
    assert Notification.objects.filter(
        kind=Notification.Kind.CASE_CREATED, status=Notification.Status.PENDING
    ).exists()


def test_a_redis_that_hangs_costs_a_cache_call_its_timeout_not_the_page(settings):
    # A server that accepts connections and never answers: the cache client must give up.
    with socket.create_server(("127.0.0.1", 0)) as silent:
        port = silent.getsockname()[1]
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": f"redis://127.0.0.1:{port}/0",
                "OPTIONS": settings.REDIS_CACHE_OPTIONS,
            }
        }
        answers = []
        call = threading.Thread(target=lambda: answers.append(shared_cache.get("anything")))
        call.start()
        call.join(timeout=30)  # only reached when the client hangs

        assert not call.is_alive()
        assert answers == [None]
