"""Service requests over the API: the same rules as the pages, one error shape."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import TenantRole
from cases.models import Case
from cases.services import lifecycle
from tests.payloads import API_FILING as NEW


@pytest.fixture
def case(open_case):
    return open_case()


@pytest.mark.parametrize(
    ("persona", "sees"),
    [
        (TenantRole.GLOBAL_ADMIN, True),
        (TenantRole.HELPDESK_ADMIN, True),
        ("partner_active", True),
        ("engineer", True),
        (TenantRole.GLOBAL_READER, False),
        ("plain_user", False),
        ("outsider", False),
        ("partner_other_tenant", False),
        ("partner_expired", False),
        ("partner_terminated", False),
    ],
)
def test_the_list_holds_only_what_the_caller_may_see(as_persona, case, persona, sees):
    response = as_persona(persona).get("/api/v1/cases/")
    assert response.status_code == 200
    numbers = [row["number"] for row in response.json()["results"]]
    assert (case.number in numbers) is sees


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        (TenantRole.GLOBAL_ADMIN, 200),
        ("partner_active", 200),
        ("engineer", 200),
        (TenantRole.GLOBAL_READER, 403),
        ("outsider", 404),
        ("partner_other_tenant", 404),
    ],
)
def test_a_case_is_read_by_number_or_is_404(as_persona, case, persona, status):
    response = as_persona(persona).get(f"/api/v1/cases/{case.number}/")
    assert response.status_code == status
    if status == 200:
        body = response.json()
        assert body["tenant"] == "contoso.example"
        assert body["response_target"] == {"availability": "24x7", "label": "Next day"}
        assert body["breached"] is False
    else:
        assert response.json()["code"] == ("forbidden" if status == 403 else "not_found")
        assert case.title not in response.content.decode()


def test_anonymous_calls_get_401_with_the_error_shape(api, case):
    response = api.get("/api/v1/cases/")
    assert response.status_code == 401
    assert set(response.json()) == {"code", "message", "fields"}
    assert response.json()["code"] == "not_authenticated"


def test_filters_narrow_the_list(as_persona, world, open_case):
    first, second = open_case(), open_case()
    lifecycle.case_claim(actor=world["engineer"], case=first)
    client = as_persona("engineer")
    mine = client.get("/api/v1/cases/", {"assigned": "me"}).json()["results"]
    assert [row["number"] for row in mine] == [first.number]
    none = client.get("/api/v1/cases/", {"assigned": "none", "tenant": "contoso.example"}).json()
    assert [row["number"] for row in none["results"]] == [second.number]
    assert client.get("/api/v1/cases/", {"breached": "true"}).json()["results"] == []
    bad = client.get("/api/v1/cases/", {"breached": "perhaps"})
    assert bad.status_code == 400 and bad.json()["fields"] == {"breached": "perhaps"}
    assert client.get("/api/v1/cases/", {"status": "lost"}).status_code == 400


def test_a_tenant_admin_files_for_its_own_tenant(as_persona, world, problem_type):
    response = as_persona(TenantRole.GLOBAL_ADMIN).post("/api/v1/cases/", NEW, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["tenant"] == "contoso.example"
    assert body["severity"] == "B"
    case = Case.objects.get(number=body["number"])
    assert case.contact_email == world[TenantRole.GLOBAL_ADMIN].email


def test_a_partner_files_for_a_customer_named_by_domain(as_persona, world, problem_type):
    client = as_persona("partner_active")
    missing = client.post("/api/v1/cases/", NEW, format="json")
    assert missing.status_code == 400 and missing.json()["code"] == "tenant_required"
    response = client.post("/api/v1/cases/", {**NEW, "tenant": "contoso.example"}, format="json")
    assert response.status_code == 201
    assert response.json()["acting_partner"] == "Adatum"
    other = client.post("/api/v1/cases/", {**NEW, "tenant": "fabrikam.example"}, format="json")
    assert other.status_code == 404


@pytest.mark.parametrize(
    ("persona", "status"),
    [(TenantRole.GLOBAL_READER, 403), ("plain_user", 403), ("outsider", 404), ("engineer", 403)],
)
def test_who_may_not_file(as_persona, problem_type, persona, status):
    response = as_persona(persona).post(
        "/api/v1/cases/", {**NEW, "tenant": "contoso.example"}, format="json"
    )
    assert response.status_code == status
    assert not Case.objects.exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"title": ""}, "title"),
        ({"category": "nonsense"}, "category"),
        ({"impact": {"service": "exploded"}}, "impact.service"),
        ({"contact": {"name": "x", "email": "not-an-email"}}, "contact.email"),
        ({"problem_type": "no-such-type"}, "problem_type"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(as_persona, problem_type, change, field):
    response = as_persona(TenantRole.GLOBAL_ADMIN).post(
        "/api/v1/cases/", {**NEW, **change}, format="json"
    )
    assert response.status_code == 400
    assert field in response.json()["fields"]
    assert not Case.objects.exists()


def test_malformed_json_is_a_400(as_persona):
    response = as_persona(TenantRole.GLOBAL_ADMIN).post(
        "/api/v1/cases/", "{not json", content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"


def test_a_retried_filing_with_the_same_idempotency_key_files_once(as_persona, problem_type):
    client = as_persona(TenantRole.GLOBAL_ADMIN)
    first = client.post("/api/v1/cases/", NEW, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    again = client.post("/api/v1/cases/", NEW, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["number"] == again.json()["number"]
    assert again["Idempotent-Replayed"] == "true"
    assert Case.objects.count() == 1
    other = client.post(
        "/api/v1/cases/", {**NEW, "title": "Other"}, format="json", HTTP_IDEMPOTENCY_KEY="k-1"
    )
    assert other.status_code == 409 and other.json()["code"] == "idempotency_key_reused"


def test_internal_notes_are_for_staff_only(as_persona, world, case):
    lifecycle.case_reply(actor=world["engineer"], case=case, body="secret note", internal=True)
    lifecycle.case_reply(actor=world["engineer"], case=case, body="public answer")
    customer = as_persona(TenantRole.GLOBAL_ADMIN).get(f"/api/v1/cases/{case.number}/messages/")
    assert [m["body"] for m in customer.json()] == ["public answer"]
    staff = as_persona("manager").get(f"/api/v1/cases/{case.number}/messages/")
    assert {m["body"] for m in staff.json()} == {"secret note", "public answer"}
    refused = as_persona(TenantRole.GLOBAL_ADMIN).post(
        f"/api/v1/cases/{case.number}/messages/", {"body": "x", "internal": True}, format="json"
    )
    assert refused.status_code == 403
    posted = as_persona(TenantRole.GLOBAL_ADMIN).post(
        f"/api/v1/cases/{case.number}/messages/", {"body": "More details"}, format="json"
    )
    assert posted.status_code == 201 and posted.json()["internal"] is False


def test_close_reopen_and_survey(as_persona, world, case):
    client = as_persona(TenantRole.GLOBAL_ADMIN)
    assert client.post(f"/api/v1/cases/{case.number}/reopen/").status_code == 409
    closed = client.post(f"/api/v1/cases/{case.number}/close/", {}, format="json")
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    assert closed.json()["reopen_until"]
    assert client.post(f"/api/v1/cases/{case.number}/close/", {}, format="json").status_code == 409
    bad = client.post(f"/api/v1/cases/{case.number}/survey/", {"rating": 9}, format="json")
    assert bad.status_code == 400
    rated = client.post(f"/api/v1/cases/{case.number}/survey/", {"rating": 5}, format="json")
    assert rated.status_code == 201
    assert (
        client.post(
            f"/api/v1/cases/{case.number}/survey/", {"rating": 4}, format="json"
        ).status_code
        == 409
    )
    reopened = client.post(f"/api/v1/cases/{case.number}/reopen/")
    assert reopened.status_code == 200 and reopened.json()["status"] == "in_progress"


def test_attachments_upload_list_and_download(as_persona, case):
    client = as_persona(TenantRole.GLOBAL_ADMIN)
    upload = client.post(
        f"/api/v1/cases/{case.number}/attachments/",
        {"file": SimpleUploadedFile("trace.log", b"550 5.7.1")},
        format="multipart",
    )
    assert upload.status_code == 201
    listed = client.get(f"/api/v1/cases/{case.number}/attachments/").json()
    assert [a["name"] for a in listed] == ["trace.log"]
    download = client.get(f"/api/v1/cases/{case.number}/attachments/{listed[0]['id']}/")
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    assert b"".join(download.streaming_content) == b"550 5.7.1"
    refused = client.post(
        f"/api/v1/cases/{case.number}/attachments/",
        {"file": SimpleUploadedFile("tool.exe", b"MZ")},
        format="multipart",
    )
    assert refused.status_code == 400 and refused.json()["code"] == "attachment_type"


@pytest.mark.postgres
def test_two_identical_filings_at_once_with_one_key_file_one_case(now, categories, problem_type):
    import threading

    from django.db import connection
    from rest_framework.test import APIClient

    from tests.personas import build_world

    world = build_world(now)
    barrier = threading.Barrier(2)
    statuses = []

    def file():
        client = APIClient()
        client.force_authenticate(user=world[TenantRole.GLOBAL_ADMIN])
        try:
            barrier.wait()
            response = client.post(
                "/api/v1/cases/", NEW, format="json", HTTP_IDEMPOTENCY_KEY="race"
            )
            statuses.append(response.status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=file) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [200, 201]
    assert Case.objects.count() == 1
