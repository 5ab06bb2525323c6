"""Engineer operations and the queue over the API."""

from dataclasses import replace

import pytest

from accounts.models import TenantRole
from cases.services import sweeps
from cases.services.lifecycle import Impact


@pytest.fixture
def case(open_case):
    return open_case()


@pytest.mark.parametrize(
    ("persona", "status"),
    [("engineer", 200), (TenantRole.GLOBAL_ADMIN, 403), ("partner_active", 403), ("outsider", 404)],
)
def test_claiming_through_the_api(as_persona, case, persona, status):
    response = as_persona(persona).post(
        f"/api/v1/cases/{case.number}/assign/", {"assignee": "me"}, format="json"
    )
    assert response.status_code == status


def test_a_second_claim_is_a_409_and_transfer_by_email_works(as_persona, world, case):
    assert (
        as_persona("engineer")
        .post(f"/api/v1/cases/{case.number}/assign/", {"assignee": "me"}, format="json")
        .status_code
        == 200
    )
    second = as_persona("manager").post(
        f"/api/v1/cases/{case.number}/assign/", {"assignee": "me"}, format="json"
    )
    assert second.status_code == 409 and second.json()["code"] == "already_claimed"
    transfer = as_persona("manager").post(
        f"/api/v1/cases/{case.number}/assign/", {"assignee": world["manager"].email}, format="json"
    )
    assert transfer.json()["assigned_to"] == world["manager"].email
    customer = as_persona("manager").post(
        f"/api/v1/cases/{case.number}/assign/",
        {"assignee": world["global_admin"].email},
        format="json",
    )
    assert customer.status_code == 400


def test_severity_status_and_calls(as_persona, open_case, contact):
    case = open_case(contact=replace(contact, available_24x7=True))
    client = as_persona("engineer")
    no_reason = client.post(
        f"/api/v1/cases/{case.number}/severity/", {"severity": "A"}, format="json"
    )
    assert no_reason.status_code == 400
    raised = client.post(
        f"/api/v1/cases/{case.number}/severity/",
        {"severity": "A", "reason": "Outage"},
        format="json",
    )
    assert raised.json()["response_target"]["label"] == "1 hour"
    call = client.post(f"/api/v1/cases/{case.number}/calls/", {"summary": "Called"}, format="json")
    assert call.status_code == 201 and call.json()["kind"] == "call"
    waiting = client.post(
        f"/api/v1/cases/{case.number}/status/", {"status": "waiting_on_customer"}, format="json"
    )
    assert waiting.json()["status"] == "waiting_on_customer"
    wrong = client.post(f"/api/v1/cases/{case.number}/status/", {"status": "closed"}, format="json")
    assert wrong.status_code == 400


def test_the_queue_api_has_the_consoles_order_and_filters(
    as_persona, world, open_case, later, contact
):
    critical = open_case(
        title="critical",
        impact=Impact(service="unusable", users="organisation", workaround=False),
        contact=replace(contact, available_24x7=True),
        at=later(hours=-2),
    )
    normal = open_case(title="normal")
    sweeps.flag_response_breaches(now=world.now)
    rows = as_persona("engineer").get("/api/v1/queue/").json()["results"]
    assert [row["number"] for row in rows] == [critical.number, normal.number]
    assert rows[0]["breached"] is True
    only_a = as_persona("engineer").get("/api/v1/queue/", {"severity": "A"}).json()["results"]
    assert [row["number"] for row in only_a] == [critical.number]
    assert as_persona("engineer").get("/api/v1/queue/", {"view": "everything"}).status_code == 400
    assert as_persona(TenantRole.GLOBAL_ADMIN).get("/api/v1/queue/").status_code == 403
