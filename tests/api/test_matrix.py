"""Every API endpoint against every persona of the policy matrix: works / 403 / 404 (401 when
anonymous), from the same personas as tests/accounts/test_policies.py."""

import pytest

from accounts.models import TenantRole
from tests.personas import ALL_PERSONAS, TENANT_ROLE_PERSONAS

STAFF = {"engineer", "manager"}
CUSTOMERS = {
    *(role for role in TENANT_ROLE_PERSONAS if role != TenantRole.GLOBAL_READER),
    "partner_active",
}
# Belong to Contoso or hold a role there, without a role that manages requests.
KNOW_CONTOSO = {TenantRole.GLOBAL_READER, "plain_user", "partner_without_support_role"}


def group(persona: str) -> str:
    if persona == "anonymous":
        return "anonymous"
    if persona in STAFF:
        return "staff"
    if persona in CUSTOMERS:
        return "customer"
    if persona in KNOW_CONTOSO:
        return "insider"
    return "outsider"


NEW = {
    "tenant": "contoso.example",
    "category": "technical",
    "problem_type": "test-mail-flow",
    "title": "Matrix",
    "description": "Filed by the matrix.",
}

# The customer's global admin and the partner's people see the pending relationship.
RELATIONSHIP_SIDES = {
    TenantRole.GLOBAL_ADMIN,
    *(p for p in ALL_PERSONAS if p.startswith("partner_") and p != "partner_former_member"),
}

# name: (method, path, body, expected status per group)
ENDPOINTS = {
    "list cases": ("get", "/api/v1/cases/", None, {"staff": 200, "customer": 200, "insider": 200, "outsider": 200}),
    "file a case": ("post", "/api/v1/cases/", NEW, {"staff": 403, "customer": 201, "insider": 403, "outsider": 404}),
    "read a case": ("get", "/api/v1/cases/{n}/", None, {"staff": 200, "customer": 200, "insider": 403, "outsider": 404}),
    "read messages": ("get", "/api/v1/cases/{n}/messages/", None, {"staff": 200, "customer": 200, "insider": 403, "outsider": 404}),
    "reply": ("post", "/api/v1/cases/{n}/messages/", {"body": "hi"}, {"staff": 201, "customer": 201, "insider": 403, "outsider": 404}),
    "list attachments": ("get", "/api/v1/cases/{n}/attachments/", None, {"staff": 200, "customer": 200, "insider": 403, "outsider": 404}),
    "close": ("post", "/api/v1/cases/{n}/close/", {"summary": "Done"}, {"staff": 200, "customer": 200, "insider": 403, "outsider": 404}),
    "reopen an open case": ("post", "/api/v1/cases/{n}/reopen/", None, {"staff": 409, "customer": 409, "insider": 403, "outsider": 404}),
    "survey an open case": ("post", "/api/v1/cases/{n}/survey/", {"rating": 5}, {"staff": 403, "customer": 403, "insider": 403, "outsider": 404}),
    "upload": ("post", "/api/v1/cases/{n}/attachments/", None, {"staff": 400, "customer": 400, "insider": 403, "outsider": 404}),
    "claim": ("post", "/api/v1/cases/{n}/assign/", {"assignee": "me"}, {"staff": 200, "customer": 403, "insider": 403, "outsider": 404}),
    "severity": ("post", "/api/v1/cases/{n}/severity/", {"severity": "C", "reason": "r"}, {"staff": 200, "customer": 403, "insider": 403, "outsider": 404}),
    "status": ("post", "/api/v1/cases/{n}/status/", {"status": "waiting_on_customer"}, {"staff": 200, "customer": 403, "insider": 403, "outsider": 404}),
    "log a call": ("post", "/api/v1/cases/{n}/calls/", {"summary": "Called"}, {"staff": 201, "customer": 403, "insider": 403, "outsider": 404}),
    "relationships": ("get", "/api/v1/relationships/", None, {"staff": 200, "customer": 200, "insider": 200, "outsider": 200}),
    "read a relationship": ("get", "/api/v1/relationships/{r}/", None, {"staff": 404, "customer": 404, "insider": 404, "outsider": 404}),
    "queue": ("get", "/api/v1/queue/", None, {"staff": 200, "customer": 403, "insider": 403, "outsider": 403}),
    "taxonomy": ("get", "/api/v1/taxonomy/", None, {"staff": 200, "customer": 200, "insider": 200, "outsider": 200}),
    "me": ("get", "/api/v1/me/", None, {"staff": 200, "customer": 200, "insider": 200, "outsider": 200}),
    "targets": ("get", "/api/v1/response-targets/?tenant=contoso.example", None, {"staff": 200, "customer": 200, "insider": 403, "outsider": 404}),
}  # fmt: skip


@pytest.mark.parametrize("persona", ALL_PERSONAS)
@pytest.mark.parametrize("endpoint", list(ENDPOINTS))
def test_endpoint_answers_each_persona_as_the_policy_says(api, world, open_case, endpoint, persona):
    case = open_case()
    method, path, body, expected = ENDPOINTS[endpoint]
    if persona != "anonymous":
        api.force_authenticate(user=world[persona])
    relationship = world.relationships["partner_pending"]
    url = path.format(n=case.number, r=relationship.pk)
    response = getattr(api, method)(url, body, format="json")
    status = 401 if persona == "anonymous" else expected[group(persona)]
    if endpoint == "read a relationship" and persona in RELATIONSHIP_SIDES:
        status = 200
    if endpoint == "survey an open case" and persona == TenantRole.GLOBAL_ADMIN:
        status = 409  # the filer may rate, but only once the case is closed
    assert response.status_code == status, response.content
    if status >= 400:
        assert set(response.json()) == {"code", "message", "fields"}
    if status == 404:
        assert case.title not in response.content.decode()
    if endpoint == "list cases" and status == 200:
        numbers = [row["number"] for row in response.json()["results"]]
        assert (case.number in numbers) is (group(persona) in {"staff", "customer"})
