"""The request list and request page: works / 403 / 404, and the customer's actions."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import TenantRole
from cases.models import CaseStatus
from cases.services import lifecycle

DOMAIN = "contoso.example"


def detail(case):
    return reverse("request_detail", args=[case.number])


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        (TenantRole.GLOBAL_ADMIN, 200),
        (TenantRole.HELPDESK_ADMIN, 200),
        ("partner_active", 200),
        ("engineer", 200),
        (TenantRole.GLOBAL_READER, 403),
        ("plain_user", 403),
        ("partner_without_support_role", 403),
        ("outsider", 404),
        ("partner_other_tenant", 404),
        ("partner_terminated", 404),
        ("partner_former_member", 404),
    ],
)
def test_the_request_list_triad(client, world, open_case, persona, status):
    case = open_case()
    client.force_login(world[persona])
    response = client.get(reverse("request_list", args=[DOMAIN]))
    assert response.status_code == status
    body = response.content.decode()
    assert (case.number in body) is (status == 200)
    if status == 403:
        assert "You need an admin role" in body


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        (TenantRole.GLOBAL_ADMIN, 200),
        ("partner_active", 200),
        (TenantRole.GLOBAL_READER, 403),
        ("outsider", 404),
        ("partner_expired", 404),
    ],
)
def test_the_request_page_triad(client, world, open_case, persona, status):
    case = open_case()
    client.force_login(world[persona])
    response = client.get(detail(case))
    assert response.status_code == status
    assert (case.title in response.content.decode()) is (status == 200)


def test_anonymous_visitors_are_sent_to_sign_in(client, world, open_case):
    case = open_case()
    assert client.get(detail(case))["Location"].startswith(reverse("login"))


def test_the_list_has_open_and_recently_closed_tabs_search_and_filters(
    client, world, open_case, later
):
    admin = world[TenantRole.GLOBAL_ADMIN]
    open_one = open_case(title="Printer queue stuck")
    closed_recent = open_case(title="Recently fixed")
    closed_old = open_case(title="Long ago")
    lifecycle.case_close(actor=admin, case=closed_recent, at=world.now - timedelta(days=3))
    lifecycle.case_close(actor=admin, case=closed_old, at=world.now - timedelta(days=31))
    client.force_login(admin)
    list_url = reverse("request_list", args=[DOMAIN])
    opened = client.get(list_url).content.decode()
    assert open_one.number in opened and closed_recent.number not in opened
    closed = client.get(list_url, {"tab": "closed"}).content.decode()
    assert closed_recent.number in closed and closed_old.number not in closed
    searched = client.get(list_url, {"q": "printer"}).content.decode()
    assert open_one.number in searched
    by_number = client.get(list_url, {"q": open_one.number}).content.decode()
    assert open_one.number in by_number
    assert open_one.number not in client.get(list_url, {"severity": "A"}).content.decode()
    assert client.get(list_url, {"status": "nonsense", "page": "x"}).status_code == 200


def test_the_list_is_paginated_with_a_constant_number_of_queries(
    client, world, open_case, django_assert_max_num_queries
):
    for index in range(30):
        open_case(title=f"Case {index}")
    client.force_login(world[TenantRole.GLOBAL_ADMIN])
    with django_assert_max_num_queries(20):
        response = client.get(reverse("request_list", args=[DOMAIN]))
    assert "Page 1 of 2" in response.content.decode()


def test_the_customer_never_sees_internal_notes(client, world, open_case):
    case = open_case()
    lifecycle.case_reply(
        actor=world["engineer"], case=case, body="INTERNAL-ONLY note", internal=True
    )
    lifecycle.case_reply(actor=world["engineer"], case=case, body="Public answer")
    client.force_login(world[TenantRole.GLOBAL_ADMIN])
    body = client.get(detail(case)).content.decode()
    assert "Public answer" in body
    assert "INTERNAL-ONLY" not in body


def test_a_customer_replies_with_an_attachment(client, world, open_case):
    case = open_case()
    client.force_login(world[TenantRole.GLOBAL_ADMIN])
    response = client.post(
        reverse("request_reply", args=[case.number]),
        {
            "body": "Here is the log",
            "attachments": [SimpleUploadedFile("mail.log", b"550 rejected")],
        },
    )
    assert response.status_code == 302
    page = client.get(detail(case)).content.decode()
    assert "Here is the log" in page
    attachment = case.events.get(kind="reply").attachments.get()
    download = client.get(reverse("attachment_download", args=[case.number, attachment.pk]))
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    assert download["X-Content-Type-Options"] == "nosniff"
    assert b"".join(download.streaming_content) == b"550 rejected"


def test_attachments_of_another_tenant_or_internal_notes_are_not_downloadable(
    client, world, open_case
):
    case = open_case()
    note = lifecycle.case_reply(
        actor=world["engineer"],
        case=case,
        body="internal",
        internal=True,
        attachments=[SimpleUploadedFile("secret.txt", b"s")],
    )
    attachment = note.attachments.get()
    url = reverse("attachment_download", args=[case.number, attachment.pk])
    client.force_login(world[TenantRole.GLOBAL_ADMIN])
    assert client.get(url).status_code == 404
    client.force_login(world["outsider"])
    assert client.get(url).status_code == 404
    client.force_login(world["engineer"])
    assert client.get(url).status_code == 200


def test_an_empty_reply_is_a_form_error(client, world, open_case):
    case = open_case()
    client.force_login(world[TenantRole.GLOBAL_ADMIN])
    response = client.post(reverse("request_reply", args=[case.number]), {"body": ""})
    assert response.status_code == 400
    assert case.events.count() == 1


def test_close_reopen_and_rate(client, world, open_case, frozen_clock):
    case = open_case()
    client.force_login(world[TenantRole.GLOBAL_ADMIN])
    assert client.get(reverse("request_close", args=[case.number])).status_code == 405
    client.post(reverse("request_close", args=[case.number]))
    page = client.get(detail(case)).content.decode()
    assert "You can reopen this request until" in page
    assert "Rate the support you received" in page
    client.post(reverse("request_survey", args=[case.number]), {"rating": "5", "comment": "Great"})
    assert case.surveys.get().rating == 5
    assert "Thank you for your rating" in client.get(detail(case)).content.decode()
    client.post(reverse("request_reopen", args=[case.number]))
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_PROGRESS


def test_after_the_window_a_related_request_is_offered(client, world, open_case, frozen_clock):
    case = open_case()
    lifecycle.case_close(actor=world[TenantRole.GLOBAL_ADMIN], case=case)
    frozen_clock.shift(timedelta(days=15))
    client.force_login(world[TenantRole.GLOBAL_ADMIN])
    page = client.get(detail(case)).content.decode()
    assert "Open a related request" in page
    response = client.post(reverse("request_reopen", args=[case.number]))
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED


def test_a_bad_survey_is_a_form_error(client, world, open_case):
    case = open_case()
    lifecycle.case_close(actor=world[TenantRole.GLOBAL_ADMIN], case=case)
    client.force_login(world[TenantRole.GLOBAL_ADMIN])
    assert (
        client.post(reverse("request_survey", args=[case.number]), {"rating": "9"}).status_code
        == 400
    )
    assert not case.surveys.exists()


def test_the_home_page_shows_open_requests_at_a_glance(client, world, open_case):
    case = open_case()
    client.force_login(world[TenantRole.GLOBAL_ADMIN])
    body = client.get(reverse("home")).content.decode()
    assert case.number in body
    assert "New service request" in body
    assert "left" in body


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        (TenantRole.GLOBAL_ADMIN, 200),
        ("partner_active", 200),
        (TenantRole.GLOBAL_READER, 403),
        ("outsider", 404),
        ("partner_terminated", 404),
    ],
)
def test_the_tenant_dashboard_triad(client, world, open_case, persona, status):
    case = open_case()
    client.force_login(world[persona])
    response = client.get(reverse("tenant_dashboard", args=[DOMAIN]))
    assert response.status_code == status
    assert (case.number in response.content.decode()) is (status == 200)


@pytest.mark.parametrize(
    "action", ["request_reply", "request_close", "request_reopen", "request_survey"]
)
@pytest.mark.parametrize(
    ("persona", "status"), [(TenantRole.GLOBAL_READER, 403), ("outsider", 404)]
)
def test_customer_actions_refuse_readers_and_outsiders(
    client, world, open_case, action, persona, status
):
    case = open_case()
    client.force_login(world[persona])
    response = client.post(reverse(action, args=[case.number]), {"body": "x", "rating": "5"})
    assert response.status_code == status
    assert case.events.count() == 1


def test_the_workspace_shows_the_customers_own_local_time(client, world, open_case):
    case = open_case()  # Contoso is in America/New_York; the frozen clock is 14:30 UTC
    client.force_login(world["engineer"])
    body = client.get(reverse("console_case", args=[case.number])).content.decode()
    assert "local time Mon 10:30 EDT" in body
