"""The delegated-admin relationship lifecycle (spec section 8) and its bad inputs."""

from datetime import timedelta

import pytest

from accounts import services
from accounts.models import RelationshipEvent, RelationshipStatus, TenantRole
from helpdesk.errors import Conflict, InvalidInput, NotAllowed
from tests.factories import PartnerMembershipFactory, UserFactory


@pytest.fixture
def agent(world):
    return world["partner_admin_agent"]


@pytest.fixture
def contoso_admin(world):
    return world[TenantRole.GLOBAL_ADMIN]


def request(world, agent, **overrides):
    arguments = {
        "actor": agent,
        "partner": world.partner,
        "tenant": world.contoso,
        "name": "Managed support",
        "roles": [TenantRole.SERVICE_SUPPORT_ADMIN],
        "duration_days": 90,
        "at": world.now,
    }
    arguments.update(overrides)
    return services.relationship_request(**arguments)


def kinds(relationship):
    return list(relationship.events.values_list("kind", flat=True))


def test_request_then_approve_runs_the_relationship_for_its_duration_from_approval(
    world, agent, contoso_admin
):
    relationship = request(world, agent)
    assert relationship.status == RelationshipStatus.APPROVAL_PENDING
    approved_at = world.now + timedelta(hours=5)
    services.relationship_approve(actor=contoso_admin, relationship=relationship, at=approved_at)
    assert relationship.status == RelationshipStatus.ACTIVE
    assert relationship.approved_by == contoso_admin
    assert relationship.ends_at == approved_at + timedelta(days=90)
    assert kinds(relationship) == ["requested", "approved"]


def test_approving_twice_is_a_conflict(world, agent, contoso_admin):
    relationship = request(world, agent)
    services.relationship_approve(actor=contoso_admin, relationship=relationship, at=world.now)
    with pytest.raises(Conflict):
        services.relationship_approve(actor=contoso_admin, relationship=relationship, at=world.now)
    assert kinds(relationship) == ["requested", "approved"]


@pytest.mark.parametrize(
    "persona",
    [
        TenantRole.SERVICE_SUPPORT_ADMIN,
        TenantRole.GLOBAL_READER,
        "plain_user",
        "outsider",
        "partner_active",
        "partner_admin_agent",
        "engineer",
        "manager",
    ],
)
def test_only_a_global_admin_of_the_tenant_may_approve(world, agent, persona):
    relationship = request(world, agent)
    with pytest.raises(NotAllowed):
        services.relationship_approve(actor=world[persona], relationship=relationship)
    relationship.refresh_from_db()
    assert relationship.status == RelationshipStatus.APPROVAL_PENDING


def test_a_request_older_than_90_days_cannot_be_approved(world, agent, contoso_admin):
    relationship = request(world, agent, at=world.now - timedelta(days=90))
    with pytest.raises(Conflict):
        services.relationship_approve(actor=contoso_admin, relationship=relationship, at=world.now)


def test_the_customer_rejects_a_pending_request(world, agent, contoso_admin):
    relationship = request(world, agent)
    services.relationship_reject(actor=contoso_admin, relationship=relationship, at=world.now)
    assert relationship.status == RelationshipStatus.REJECTED
    assert relationship.rejected_by == contoso_admin
    with pytest.raises(Conflict):
        services.relationship_approve(actor=contoso_admin, relationship=relationship)


def test_the_partner_cannot_reject_its_own_request(world, agent):
    relationship = request(world, agent)
    with pytest.raises(NotAllowed):
        services.relationship_reject(actor=agent, relationship=relationship)


@pytest.mark.parametrize("side", [TenantRole.GLOBAL_ADMIN, "partner_admin_agent"])
def test_either_side_terminates_an_active_relationship(world, agent, contoso_admin, side):
    relationship = request(world, agent)
    services.relationship_approve(actor=contoso_admin, relationship=relationship, at=world.now)
    services.relationship_terminate(actor=world[side], relationship=relationship, at=world.now)
    assert relationship.status == RelationshipStatus.TERMINATED
    assert relationship.terminated_by == world[side]
    with pytest.raises(Conflict):
        services.relationship_terminate(actor=world[side], relationship=relationship)
    assert kinds(relationship) == ["requested", "approved", "terminated"]


def test_a_partner_user_who_is_not_admin_agent_cannot_terminate(world, agent, contoso_admin):
    relationship = world.relationships["partner_active"]
    with pytest.raises(NotAllowed):
        services.relationship_terminate(actor=world["partner_active"], relationship=relationship)


@pytest.mark.parametrize("roles", [["no_such_role"], ["global_admin", "superuser"], []])
def test_unknown_or_missing_roles_are_refused(world, agent, roles):
    with pytest.raises(InvalidInput) as error:
        request(world, agent, roles=roles)
    assert error.value.code in {"unknown_role", "no_roles"}


@pytest.mark.parametrize("days", [0, 731, -5, "30", True, 30.0])
def test_duration_outside_one_to_730_days_is_refused(world, agent, days):
    with pytest.raises(InvalidInput) as error:
        request(world, agent, duration_days=days)
    assert error.value.code == "invalid_duration"


@pytest.mark.parametrize("days", [1, 730])
def test_duration_limits_are_inclusive(world, agent, days):
    assert request(world, agent, duration_days=days).duration_days == days


def test_auto_extend_is_not_allowed_with_global_admin(world, agent):
    with pytest.raises(InvalidInput) as error:
        request(world, agent, roles=[TenantRole.GLOBAL_ADMIN], auto_extend=True)
    assert error.value.code == "auto_extend_not_allowed"


def test_blank_name_is_refused(world, agent):
    with pytest.raises(InvalidInput):
        request(world, agent, name="   ")


def test_only_an_admin_agent_may_request(world):
    with pytest.raises(NotAllowed):
        request(world, world["partner_active"])
    with pytest.raises(NotAllowed):
        request(world, world[TenantRole.GLOBAL_ADMIN])


def test_admin_agent_assigns_a_partner_user_with_a_subset_of_roles(world, agent, contoso_admin):
    relationship = request(
        world, agent, roles=[TenantRole.SERVICE_SUPPORT_ADMIN, TenantRole.HELPDESK_ADMIN]
    )
    services.relationship_approve(actor=contoso_admin, relationship=relationship, at=world.now)
    colleague = PartnerMembershipFactory(partner=world.partner).user
    assignment = services.relationship_assign_user(
        actor=agent,
        relationship=relationship,
        user=colleague,
        roles=[TenantRole.HELPDESK_ADMIN],
        at=world.now,
    )
    assert assignment.roles == [TenantRole.HELPDESK_ADMIN]
    again = services.relationship_assign_user(
        actor=agent,
        relationship=relationship,
        user=colleague,
        roles=[TenantRole.SERVICE_SUPPORT_ADMIN],
        at=world.now,
    )
    assert again.pk == assignment.pk
    assert again.roles == [TenantRole.SERVICE_SUPPORT_ADMIN]
    assert kinds(relationship)[-1] == RelationshipEvent.Kind.USER_ASSIGNED


def test_assigning_a_role_the_relationship_does_not_grant_is_refused(world, agent):
    relationship = world.relationships["partner_active"]
    with pytest.raises(InvalidInput) as error:
        services.relationship_assign_user(
            actor=agent,
            relationship=relationship,
            user=world["partner_active"],
            roles=[TenantRole.GLOBAL_ADMIN],
            at=world.now,
        )
    assert error.value.code == "role_not_granted"


def test_assigning_someone_outside_the_partner_is_refused(world, agent):
    with pytest.raises(InvalidInput) as error:
        services.relationship_assign_user(
            actor=agent,
            relationship=world.relationships["partner_active"],
            user=UserFactory(),
            roles=[TenantRole.SERVICE_SUPPORT_ADMIN],
            at=world.now,
        )
    assert error.value.code == "not_partner_member"


@pytest.mark.parametrize("key", ["partner_pending", "partner_ended_unswept", "partner_terminated"])
def test_users_can_be_assigned_only_to_a_live_relationship(world, agent, key):
    with pytest.raises(Conflict):
        services.relationship_assign_user(
            actor=agent,
            relationship=world.relationships[key],
            user=world["partner_active"],
            roles=[TenantRole.SERVICE_SUPPORT_ADMIN],
            at=world.now,
        )


def test_only_an_admin_agent_assigns_users(world):
    with pytest.raises(NotAllowed):
        services.relationship_assign_user(
            actor=world["partner_active"],
            relationship=world.relationships["partner_active"],
            user=world["partner_active"],
            roles=[TenantRole.SERVICE_SUPPORT_ADMIN],
            at=world.now,
        )
