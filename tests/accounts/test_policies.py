"""The authorization matrix: every persona against every question `accounts.policies` answers."""

from datetime import timedelta

import pytest

from accounts import policies, services
from accounts.models import TenantRole
from tests.personas import ALL_PERSONAS, TENANT_ROLE_PERSONAS

REQUEST_MANAGERS = {
    *(role for role in TENANT_ROLE_PERSONAS if role != TenantRole.GLOBAL_READER),
    "partner_active",
    "engineer",
    "manager",
}

# persona -> may manage Contoso's requests, may manage Contoso's partner relationships,
#            may manage Fabrikam's requests
MATRIX = {
    persona: (
        persona in REQUEST_MANAGERS,
        persona == TenantRole.GLOBAL_ADMIN,
        persona in {"engineer", "manager", "outsider", "partner_other_tenant"},
    )
    for persona in ALL_PERSONAS
}


@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_persona_may_manage_contoso_requests_only_with_a_request_role(world, persona):
    expected = MATRIX[persona][0]
    assert policies.can_manage_requests(world[persona], world.contoso, at=world.now) is expected


@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_only_contosos_own_global_admin_manages_its_partner_relationships(world, persona):
    expected = MATRIX[persona][1]
    assert policies.can_manage_partner_relationships(world[persona], world.contoso) is expected


@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_persona_rights_on_another_tenant(world, persona):
    expected = MATRIX[persona][2]
    assert policies.can_manage_requests(world[persona], world.fabrikam, at=world.now) is expected


@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_request_tenant_ids_agree_with_can_manage_requests(world, persona):
    user = world[persona]
    ids = policies.request_tenant_ids(user, at=world.now)
    for tenant in (world.contoso, world.fabrikam):
        allowed = policies.can_manage_requests(user, tenant, at=world.now)
        assert (ids is None or tenant.pk in ids) is allowed


def test_support_staff_see_every_tenant(world):
    assert policies.request_tenant_ids(world["engineer"]) is None
    assert policies.is_support_manager(world["manager"])
    assert not policies.is_support_manager(world["engineer"])


def test_partner_access_ends_the_instant_the_relationship_ends(world):
    relationship = world.relationships["partner_active"]
    user = world["partner_active"]
    assert policies.can_manage_requests(
        user, world.contoso, at=relationship.ends_at - timedelta(seconds=1)
    )
    assert not policies.can_manage_requests(user, world.contoso, at=relationship.ends_at)


def test_termination_ends_partner_access_at_once(world):
    relationship = world.relationships["partner_active"]
    user = world["partner_active"]
    services.relationship_terminate(
        actor=world[TenantRole.GLOBAL_ADMIN], relationship=relationship, at=world.now
    )
    assert not policies.can_manage_requests(user, world.contoso, at=world.now)
    assert policies.delegated_roles(user, world.contoso, at=world.now) == frozenset()


def test_auto_extending_relationship_stays_live_past_its_end_before_the_sweep(world, now):
    agent = world["partner_admin_agent"]
    relationship = services.relationship_request(
        actor=agent,
        partner=world.partner,
        tenant=world.contoso,
        name="rolling",
        roles=[TenantRole.HELPDESK_ADMIN],
        duration_days=10,
        auto_extend=True,
        at=now - timedelta(days=20),
    )
    services.relationship_approve(
        actor=world[TenantRole.GLOBAL_ADMIN], relationship=relationship, at=now - timedelta(days=20)
    )
    services.relationship_assign_user(
        actor=agent,
        relationship=relationship,
        user=world["partner_pending"],
        roles=[TenantRole.HELPDESK_ADMIN],
        at=now - timedelta(days=20),
    )
    assert relationship.ends_at < now
    assert policies.can_manage_requests(world["partner_pending"], world.contoso, at=now)


def test_partner_roles_are_the_assignment_roles_within_the_relationship_roles(world):
    user = world["partner_without_support_role"]
    assert policies.tenant_roles(user, world.contoso, at=world.now) == {TenantRole.GLOBAL_READER}


def test_delegated_global_admin_cannot_approve_partner_relationships(world, now):
    agent = world["partner_admin_agent"]
    relationship = services.relationship_request(
        actor=agent,
        partner=world.partner,
        tenant=world.contoso,
        name="full control",
        roles=[TenantRole.GLOBAL_ADMIN],
        duration_days=30,
        at=now,
    )
    services.relationship_approve(
        actor=world[TenantRole.GLOBAL_ADMIN], relationship=relationship, at=now
    )
    services.relationship_assign_user(
        actor=agent, relationship=relationship, user=agent, roles=[TenantRole.GLOBAL_ADMIN], at=now
    )
    assert policies.can_manage_requests(agent, world.contoso, at=now)
    assert not policies.can_manage_partner_relationships(agent, world.contoso)


def test_inactive_user_has_no_rights(world):
    admin = world[TenantRole.GLOBAL_ADMIN]
    admin.is_active = False
    admin.save()
    assert not policies.can_manage_requests(admin, world.contoso)
    assert not policies.can_manage_partner_relationships(admin, world.contoso)


@pytest.mark.parametrize(
    ("persona", "may_terminate"),
    [
        (TenantRole.GLOBAL_ADMIN, True),
        ("partner_admin_agent", True),
        (TenantRole.SERVICE_SUPPORT_ADMIN, False),
        ("partner_active", False),
        ("outsider", False),
        ("engineer", False),
    ],
)
def test_either_side_may_terminate_but_nobody_else(world, persona, may_terminate):
    relationship = world.relationships["partner_active"]
    assert policies.can_terminate_relationship(world[persona], relationship) is may_terminate
