"""Role lookups are remembered for one request only: a request asks the database once, and every
role change is seen by the next question outside a request, or after a write within one."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from accounts import policies, policy_memo
from accounts.models import RoleAssignment, TenantRole
from tests.factories import UserFactory
from tests.payloads import API_FILING as FILING


def role_reads(statements: list[str]) -> int:
    return sum('FROM "accounts_roleassignment"' in sql for sql in statements)


def test_filing_a_request_reads_the_filers_roles_once(world, problem_type):
    api = APIClient()
    api.force_authenticate(user=world[TenantRole.GLOBAL_ADMIN])

    with CaptureQueriesContext(connection) as captured:
        response = api.post("/api/v1/cases/", FILING, format="json")

    assert response.status_code == 201
    assert role_reads([query["sql"] for query in captured.captured_queries]) == 1


def test_outside_a_request_every_question_asks_the_database(world):
    newcomer = UserFactory(tenant=world.contoso)
    assert not policies.can_manage_requests(newcomer, world.contoso)

    RoleAssignment.objects.create(user=newcomer, tenant=world.contoso, role="global_admin")

    assert policies.can_manage_requests(newcomer, world.contoso)


def test_within_a_request_a_role_change_is_seen_by_the_next_question(world):
    newcomer = UserFactory(tenant=world.contoso)
    with policy_memo.request_scope():
        assert not policies.can_manage_requests(newcomer, world.contoso)
        grant = RoleAssignment.objects.create(
            user=newcomer, tenant=world.contoso, role="global_admin"
        )
        assert policies.can_manage_requests(newcomer, world.contoso)
        grant.delete()
        assert not policies.can_manage_requests(newcomer, world.contoso)


def test_a_request_remembers_only_its_own_answers(world):
    admin = world[TenantRole.GLOBAL_ADMIN]
    with policy_memo.request_scope():
        assert policies.can_manage_requests(admin, world.contoso)
    # The role is removed after that request ended: the next request reads afresh.
    RoleAssignment.objects.filter(user=admin, tenant=world.contoso).delete()

    with policy_memo.request_scope():
        assert not policies.can_manage_requests(admin, world.contoso)
