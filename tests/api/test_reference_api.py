"""Taxonomy, committed targets and the caller's identity."""

import pytest

from accounts.models import TenantRole


def test_the_taxonomy_lists_categories_and_out_of_scope_advice(as_persona):
    body = as_persona(TenantRole.GLOBAL_ADMIN).get("/api/v1/taxonomy/").json()
    assert {c["code"] for c in body["categories"]} >= {"pre_sales", "billing", "technical"}
    scripts = [p for p in body["problem_types"] if p["out_of_scope"]]
    assert scripts and all(p["advice"] for p in scripts)


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        (TenantRole.GLOBAL_ADMIN, 200),
        ("partner_active", 200),
        ("engineer", 200),
        ("outsider", 404),
        (TenantRole.GLOBAL_READER, 403),
    ],
)
def test_response_targets_for_a_tenant(as_persona, persona, status):
    response = as_persona(persona).get("/api/v1/response-targets/", {"tenant": "contoso.example"})
    assert response.status_code == status
    if status == 200:
        body = response.json()
        assert body["tier"] == "enterprise"
        cells = {(t["category"], t["severity"]): t["label"] for t in body["targets"]}
        assert cells[("technical", "A")] == "1 hour"
        assert cells[("technical", "B")] == "Next day"
        assert cells[("billing", "B")] == "No commitment"


def test_response_targets_need_a_tenant(as_persona):
    response = as_persona(TenantRole.GLOBAL_ADMIN).get("/api/v1/response-targets/")
    assert response.status_code == 400 and "tenant" in response.json()["fields"]


def test_me_describes_the_caller(as_persona, world):
    admin = as_persona(TenantRole.GLOBAL_ADMIN).get("/api/v1/me/").json()
    assert (admin["kind"], admin["tenant"], admin["can_manage_requests"]) == (
        "tenant",
        "contoso.example",
        True,
    )
    partner = as_persona("partner_active").get("/api/v1/me/").json()
    assert partner["kind"] == "partner"
    assert {"tenant": "contoso.example", "roles": ["service_support_admin"]} in partner[
        "acting_for"
    ]
    manager = as_persona("manager").get("/api/v1/me/").json()
    assert manager["support_staff"] and manager["manager"]
