"""The customer's partner relationships page: its global admin approves, rejects and removes."""

import pytest
from django.urls import reverse

from accounts import policies, services
from accounts.models import DelegatedAdminRelationship, RelationshipStatus, TenantRole
from tests.factories import PartnerMembershipFactory

CONTOSO = "contoso.example"


def page(domain=CONTOSO):
    return reverse("tenant_relationships", args=[domain])


def action_url(relationship, action, domain=CONTOSO):
    return reverse("tenant_relationship_action", args=[domain, relationship.pk, action])


def status_of(relationship):
    return DelegatedAdminRelationship.objects.get(pk=relationship.pk).status


# --- The page: works / 403 / 404 ---


def test_global_admin_sees_pending_active_and_ended_relationships(client, world):
    client.force_login(world["global_admin"])
    response = client.get(page())
    assert response.status_code == 200
    assert response.context["tenant"] == world.contoso
    groups = {
        group: {r.name: r.status for r in response.context[group]}
        for group in ["pending", "active", "ended"]
    }
    assert groups["pending"] == {"partner_pending": RelationshipStatus.APPROVAL_PENDING}
    assert groups["active"]["partner_active"] == RelationshipStatus.ACTIVE
    assert set(groups["active"].values()) == {RelationshipStatus.ACTIVE}
    assert groups["ended"] == {
        "partner_expired": RelationshipStatus.EXPIRED,
        "partner_terminated": RelationshipStatus.TERMINATED,
    }
    body = response.content.decode()
    assert "Adatum" in body
    assert "Service support admin" in body
    assert "global_admin@contoso.example" in body  # who approved
    assert "partner_other_tenant" not in body  # Fabrikam's


def test_page_shows_dates_in_the_viewers_time_zone(client, world):
    admin = world["global_admin"]
    admin.time_zone = "Asia/Seoul"
    admin.save(update_fields=["time_zone"])
    client.force_login(admin)
    assert " KST" in client.get(page()).content.decode()


def test_an_active_relationship_past_its_end_is_marked_as_ended(client, world):
    client.force_login(world["global_admin"])
    response = client.get(page())
    unswept = next(r for r in response.context["active"] if r.name == "partner_ended_unswept")
    assert unswept.is_live is False
    assert "access is already removed" in response.content.decode()


@pytest.mark.parametrize(
    "persona",
    [
        TenantRole.SERVICE_SUPPORT_ADMIN,
        TenantRole.HELPDESK_ADMIN,
        TenantRole.GLOBAL_READER,
        "plain_user",
        "partner_active",
    ],
)
def test_someone_who_knows_the_tenant_but_is_not_its_global_admin_gets_403(client, world, persona):
    client.force_login(world[persona])
    response = client.get(page())
    assert response.status_code == 403
    assert "global admin" in response.content.decode()


@pytest.mark.parametrize(
    "persona", ["outsider", "engineer", "partner_admin_agent", "partner_expired"]
)
def test_someone_with_nothing_to_do_with_the_tenant_gets_404(client, world, persona):
    client.force_login(world[persona])
    assert client.get(page()).status_code == 404


def test_an_unknown_domain_is_404(client, world):
    client.force_login(world["global_admin"])
    assert client.get(page("nowhere.example")).status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(client, world):
    response = client.get(page())
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_partner_holding_global_admin_through_delegation_may_not_manage_relationships(
    client, world
):
    relationship = services.relationship_request(
        actor=world["partner_admin_agent"],
        partner=world.partner,
        tenant=world.contoso,
        name="full control",
        roles=[TenantRole.GLOBAL_ADMIN],
        duration_days=30,
    )
    services.relationship_approve(actor=world["global_admin"], relationship=relationship)
    delegate = PartnerMembershipFactory(partner=world.partner).user
    services.relationship_assign_user(
        actor=world["partner_admin_agent"],
        relationship=relationship,
        user=delegate,
        roles=[TenantRole.GLOBAL_ADMIN],
    )
    client.force_login(delegate)
    assert client.get(page()).status_code == 403
    pending = world.relationships["partner_pending"]
    assert client.post(action_url(pending, "approve")).status_code == 403
    assert status_of(pending) == RelationshipStatus.APPROVAL_PENDING


@pytest.mark.parametrize("size", [1, 10])
def test_page_runs_a_fixed_number_of_queries(client, world, size, django_assert_max_num_queries):
    for number in range(size):
        services.relationship_request(
            actor=world["partner_admin_agent"],
            partner=world.partner,
            tenant=world.contoso,
            name=f"extra {number}",
            roles=[TenantRole.HELPDESK_ADMIN],
            duration_days=30,
        )
    client.force_login(world["global_admin"])
    with django_assert_max_num_queries(12):
        assert client.get(page()).status_code == 200


# --- Actions ---


def test_global_admin_approves_a_pending_request(client, world):
    pending = world.relationships["partner_pending"]
    client.force_login(world["global_admin"])
    response = client.post(action_url(pending, "approve"))
    assert response.status_code == 302
    assert response["Location"] == page()
    assert status_of(pending) == RelationshipStatus.ACTIVE
    body = client.get(page()).content.decode()
    assert "Approved partner_pending" in body


def test_approving_twice_shows_a_message_not_an_error_page(client, world):
    pending = world.relationships["partner_pending"]
    client.force_login(world["global_admin"])
    client.post(action_url(pending, "approve"), follow=True)
    response = client.post(action_url(pending, "approve"), follow=True)
    assert response.status_code == 200
    messages = [(m.level_tag, str(m)) for m in response.context["messages"]]
    assert messages == [
        ("error", "Only a pending request that has not expired can be approved."),
    ]
    assert status_of(pending) == RelationshipStatus.ACTIVE


def test_global_admin_rejects_a_pending_request(client, world):
    pending = world.relationships["partner_pending"]
    client.force_login(world["global_admin"])
    response = client.post(action_url(pending, "reject"), follow=True)
    assert response.status_code == 200
    assert status_of(pending) == RelationshipStatus.REJECTED
    ended = {r.name for r in response.context["ended"]}
    assert "partner_pending" in ended


def test_removing_an_active_relationship_ends_the_partners_access_at_once(client, world):
    active = world.relationships["partner_active"]
    partner_user = world["partner_active"]
    assert policies.can_manage_requests(partner_user, world.contoso)
    client.force_login(world["global_admin"])
    response = client.post(action_url(active, "terminate"), follow=True)
    assert response.status_code == 200
    assert status_of(active) == RelationshipStatus.TERMINATED
    assert not policies.can_manage_requests(partner_user, world.contoso)
    assert "no longer has access" in response.content.decode()


def test_removing_an_ended_relationship_shows_a_message(client, world):
    client.force_login(world["global_admin"])
    response = client.post(
        action_url(world.relationships["partner_expired"], "terminate"), follow=True
    )
    assert response.status_code == 200
    assert "This relationship has already ended." in response.content.decode()


@pytest.mark.parametrize("action", ["approve", "reject", "terminate"])
def test_actions_refuse_get(client, world, action):
    pending = world.relationships["partner_pending"]
    client.force_login(world["global_admin"])
    assert client.get(action_url(pending, action)).status_code == 405
    assert status_of(pending) == RelationshipStatus.APPROVAL_PENDING


def test_an_unknown_action_is_404(client, world):
    pending = world.relationships["partner_pending"]
    client.force_login(world["global_admin"])
    assert client.post(action_url(pending, "extend")).status_code == 404
    assert status_of(pending) == RelationshipStatus.APPROVAL_PENDING


@pytest.mark.parametrize("action", ["approve", "reject"])
@pytest.mark.parametrize(
    "persona",
    [TenantRole.SERVICE_SUPPORT_ADMIN, TenantRole.GLOBAL_READER, "plain_user", "partner_active"],
)
def test_approve_or_reject_by_someone_other_than_the_global_admin_is_403(
    client, world, persona, action
):
    pending = world.relationships["partner_pending"]
    client.force_login(world[persona])
    assert client.post(action_url(pending, action)).status_code == 403
    assert status_of(pending) == RelationshipStatus.APPROVAL_PENDING


def test_another_tenants_relationship_is_404_even_for_a_global_admin(client, world):
    fabrikam_relationship = world.relationships["partner_other_tenant"]
    client.force_login(world["global_admin"])
    response = client.post(action_url(fabrikam_relationship, "terminate"))
    assert response.status_code == 404
    assert status_of(fabrikam_relationship) == RelationshipStatus.ACTIVE


def test_another_tenants_global_admin_cannot_act_on_our_relationships(client, world):
    pending = world.relationships["partner_pending"]
    client.force_login(world["outsider"])
    assert client.post(action_url(pending, "approve")).status_code == 404
    # Through their own domain the relationship does not exist either.
    assert client.post(action_url(pending, "approve", "fabrikam.example")).status_code == 404
    assert status_of(pending) == RelationshipStatus.APPROVAL_PENDING


def test_anonymous_actions_are_sent_to_sign_in(client, world):
    pending = world.relationships["partner_pending"]
    response = client.post(action_url(pending, "approve"))
    assert response.status_code == 302
    assert status_of(pending) == RelationshipStatus.APPROVAL_PENDING
