"""Delegated-admin relationships over the API."""

import pytest

from accounts.models import DelegatedAdminRelationship, TenantRole

REQUEST = {
    "customer": "contoso.example",
    "name": "API managed",
    "roles": ["helpdesk_admin"],
    "duration_days": 60,
}


def test_an_admin_agent_requests_and_the_global_admin_approves(as_persona, world):
    created = as_persona("partner_admin_agent").post(
        "/api/v1/relationships/", REQUEST, format="json"
    )
    assert created.status_code == 201
    pk = created.json()["id"]
    assert (
        as_persona("partner_active").post(f"/api/v1/relationships/{pk}/approve/").status_code == 403
    )
    assert as_persona("outsider").post(f"/api/v1/relationships/{pk}/approve/").status_code == 404
    approved = as_persona(TenantRole.GLOBAL_ADMIN).post(f"/api/v1/relationships/{pk}/approve/")
    assert approved.status_code == 200 and approved.json()["status"] == "active"
    twice = as_persona(TenantRole.GLOBAL_ADMIN).post(f"/api/v1/relationships/{pk}/approve/")
    assert twice.status_code == 409
    assigned = as_persona("partner_admin_agent").post(
        f"/api/v1/relationships/{pk}/assign/",
        {"user": world["partner_pending"].email, "roles": ["helpdesk_admin"]},
        format="json",
    )
    assert assigned.status_code == 200
    ended = as_persona("partner_admin_agent").post(f"/api/v1/relationships/{pk}/terminate/")
    assert ended.json()["status"] == "terminated"


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"duration_days": 0}, "invalid_duration"),
        ({"roles": ["root"]}, "unknown_role"),
        ({"customer": "nowhere.example"}, "invalid"),
    ],
)
def test_bad_relationship_requests_are_400(as_persona, change, code):
    response = as_persona("partner_admin_agent").post(
        "/api/v1/relationships/", {**REQUEST, **change}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == code
    assert not DelegatedAdminRelationship.objects.filter(name="API managed").exists()


def test_only_partner_members_request_and_lists_are_scoped(as_persona, world):
    assert (
        as_persona(TenantRole.GLOBAL_ADMIN)
        .post("/api/v1/relationships/", REQUEST, format="json")
        .status_code
        == 403
    )
    customer = {
        r["name"] for r in as_persona(TenantRole.GLOBAL_ADMIN).get("/api/v1/relationships/").json()
    }
    assert "partner_active" in customer and "partner_other_tenant" not in customer
    outsider = {r["name"] for r in as_persona("outsider").get("/api/v1/relationships/").json()}
    assert outsider == {"partner_other_tenant"}


@pytest.mark.parametrize("persona", [TenantRole.GLOBAL_ADMIN, "partner_active"])
def test_assigning_without_the_right_is_403_before_the_body_is_read(as_persona, world, persona):
    relationship = DelegatedAdminRelationship.objects.get(
        partner=world.partner, name="partner_active"
    )
    for body in ({"user": "nobody@nowhere.example", "roles": ["helpdesk_admin"]}, {}):
        response = as_persona(persona).post(
            f"/api/v1/relationships/{relationship.pk}/assign/", body, format="json"
        )
        assert response.status_code == 403
        assert "No such user" not in response.content.decode()
