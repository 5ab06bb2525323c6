"""The partner centre and the admin agent's relationship pages."""

import pytest
from django.urls import reverse

from accounts import services
from accounts.models import (
    DelegatedAdminRelationship,
    RelationshipAssignment,
    RelationshipStatus,
    TenantRole,
)
from tests.factories import PartnerFactory, PartnerMembershipFactory, UserFactory

CENTRE = reverse("partner_centre")
LIST = reverse("partner_relationships")
NEW = reverse("partner_relationship_new")


def detail(relationship):
    return reverse("partner_relationship_detail", args=[relationship.pk])


def valid_request(**overrides):
    data = {
        "customer_domain": "Contoso.Example ",
        "name": "Mail migration",
        "roles": [TenantRole.SERVICE_SUPPORT_ADMIN, TenantRole.MAIL_ADMIN],
        "duration_days": "120",
    }
    data.update(overrides)
    return data


@pytest.fixture
def other_agent(world):
    """An admin agent of another partner, Litware, with one relationship of its own."""
    litware = PartnerFactory(name="Litware", domain="litware.example")
    agent = PartnerMembershipFactory(partner=litware, is_admin_agent=True).user
    services.relationship_request(
        actor=agent,
        partner=litware,
        tenant=world.contoso,
        name="litware_pending",
        roles=[TenantRole.HELPDESK_ADMIN],
        duration_days=30,
    )
    return agent


# --- Partner centre ---


def test_partner_user_sees_the_customers_it_may_act_for_with_tier_and_links(client, world):
    client.force_login(world["partner_active"])
    response = client.get(CENTRE)
    assert response.status_code == 200
    assert [c["tenant"] for c in response.context["customers"]] == [world.contoso]
    body = response.content.decode()
    assert "Enterprise" in body
    assert reverse("request_list", args=["contoso.example"]) in body
    assert reverse("request_new", args=["contoso.example"]) in body
    assert "fabrikam.example" not in body


@pytest.mark.parametrize(
    "persona", ["partner_expired", "partner_terminated", "partner_pending", "partner_admin_agent"]
)
def test_partner_user_without_a_live_assignment_sees_no_customers(client, world, persona):
    client.force_login(world[persona])
    response = client.get(CENTRE)
    assert response.status_code == 200
    assert response.context["customers"] == []
    assert "You may not act for any customer right now." in response.content.decode()


@pytest.mark.parametrize(
    "persona", [TenantRole.GLOBAL_ADMIN, "plain_user", "outsider", "engineer", "manager"]
)
def test_partner_centre_is_403_for_people_who_do_not_work_for_a_partner(client, world, persona):
    client.force_login(world[persona])
    response = client.get(CENTRE)
    assert response.status_code == 403
    assert "people who work for a partner" in response.content.decode()


def test_partner_centre_sends_anonymous_visitors_to_sign_in(client, world):
    response = client.get(CENTRE)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


# --- Relationship list ---


def test_admin_agent_lists_the_partners_relationships(client, world, other_agent):
    client.force_login(world["partner_admin_agent"])
    response = client.get(LIST)
    assert response.status_code == 200
    names = {r.name for r in response.context["relationships"]}
    assert names == {r.name for r in world.relationships.values()}
    assert "litware_pending" not in response.content.decode()
    assert NEW in response.content.decode()


@pytest.mark.parametrize("persona", ["partner_active", TenantRole.GLOBAL_ADMIN, "engineer"])
def test_relationship_pages_are_403_for_anyone_but_an_admin_agent(client, world, persona):
    client.force_login(world[persona])
    assert client.get(LIST).status_code == 403
    assert client.get(NEW).status_code == 403
    assert client.post(NEW, valid_request()).status_code == 403
    assert client.get(detail(world.relationships["partner_active"])).status_code == 403
    assert not DelegatedAdminRelationship.objects.filter(name="Mail migration").exists()


@pytest.mark.parametrize("size", [1, 10])
def test_relationship_list_runs_a_fixed_number_of_queries(
    client, world, size, django_assert_max_num_queries
):
    agent = world["partner_admin_agent"]
    for number in range(size):
        services.relationship_request(
            actor=agent,
            partner=world.partner,
            tenant=world.fabrikam,
            name=f"extra {number}",
            roles=[TenantRole.HELPDESK_ADMIN],
            duration_days=30,
        )
    client.force_login(agent)
    with django_assert_max_num_queries(8):
        assert client.get(LIST).status_code == 200


# --- Requesting a relationship ---


def test_admin_agent_sees_the_request_form_with_a_default_duration(client, world):
    client.force_login(world["partner_admin_agent"])
    response = client.get(NEW)
    assert response.status_code == 200
    assert response.context["form"]["duration_days"].value() == 180
    assert 'name="roles"' in response.content.decode()


def test_admin_agent_requests_a_relationship(client, world):
    client.force_login(world["partner_admin_agent"])
    response = client.post(NEW, valid_request(auto_extend="on"))
    relationship = DelegatedAdminRelationship.objects.get(name="Mail migration")
    assert response.status_code == 302
    assert response["Location"] == detail(relationship)
    assert relationship.tenant == world.contoso
    assert relationship.partner == world.partner
    assert relationship.status == RelationshipStatus.APPROVAL_PENDING
    assert relationship.roles == [TenantRole.SERVICE_SUPPORT_ADMIN, TenantRole.MAIL_ADMIN]
    assert relationship.duration_days == 120
    assert relationship.auto_extend is True
    assert relationship.requested_by == world["partner_admin_agent"]


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"customer_domain": "nowhere.example"},
            "customer_domain",
            "No organisation with that domain.",
        ),
        ({"name": ""}, "name", "This field is required."),
        ({"name": "   "}, "name", "This field is required."),
        ({"roles": []}, "roles", "This field is required."),
        ({"roles": ["owner"]}, "roles", "Select a valid choice."),
        ({"duration_days": "0"}, "duration_days", "greater than or equal to 1"),
        ({"duration_days": "731"}, "duration_days", "less than or equal to 730"),
        ({"duration_days": "soon"}, "duration_days", "Enter a whole number."),
        (
            {"roles": [TenantRole.GLOBAL_ADMIN], "auto_extend": "on"},
            "auto_extend",
            "cannot extend automatically",
        ),
    ],
)
def test_bad_request_input_re_renders_with_errors_and_writes_nothing(
    client, world, overrides, field, message
):
    client.force_login(world["partner_admin_agent"])
    before = DelegatedAdminRelationship.objects.count()
    response = client.post(NEW, valid_request(**overrides))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert any(message in error for error in errors[field])
    assert "error-summary" in response.content.decode()
    assert DelegatedAdminRelationship.objects.count() == before


# --- One relationship ---


def test_admin_agent_sees_a_relationships_status_roles_and_history(client, world):
    relationship = world.relationships["partner_active"]
    client.force_login(world["partner_admin_agent"])
    response = client.get(detail(relationship))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Contoso" in body
    assert "Active" in body
    assert "Service support admin" in body
    assert [e.kind for e in response.context["events"]] == [
        "requested",
        "approved",
        "user_assigned",
    ]
    assert "partner_active@adatum.example" in body
    assert response.context["form"] is not None
    # A partner page names the customer without switching the navigation to acting for it.
    assert "tenant" not in response.context


def test_a_pending_relationship_offers_no_assignment_form(client, world):
    client.force_login(world["partner_admin_agent"])
    response = client.get(detail(world.relationships["partner_pending"]))
    assert response.status_code == 200
    assert response.context["form"] is None
    assert "once the customer approves" in response.content.decode()


def test_another_partners_relationship_is_404(client, world, other_agent):
    client.force_login(other_agent)
    relationship = world.relationships["partner_active"]
    assert client.get(detail(relationship)).status_code == 404
    assert client.post(detail(relationship), {"action": "terminate"}).status_code == 404
    assert DelegatedAdminRelationship.objects.get(pk=relationship.pk).status == "active"


def test_an_unknown_relationship_is_404(client, world):
    client.force_login(world["partner_admin_agent"])
    assert client.get(reverse("partner_relationship_detail", args=[999999])).status_code == 404


def test_admin_agent_assigns_a_partner_user_with_some_of_the_roles(client, world):
    relationship = world.relationships["partner_without_support_role"]
    newcomer = PartnerMembershipFactory(
        partner=world.partner, user=UserFactory(email="newcomer@adatum.example")
    ).user
    client.force_login(world["partner_admin_agent"])
    response = client.post(
        detail(relationship),
        {
            "action": "assign",
            "assign-user": newcomer.pk,
            "assign-roles": [TenantRole.SERVICE_SUPPORT_ADMIN],
        },
        follow=True,
    )
    assert response.status_code == 200
    assignment = RelationshipAssignment.objects.get(relationship=relationship, user=newcomer)
    assert assignment.roles == [TenantRole.SERVICE_SUPPORT_ADMIN]
    assert "newcomer@adatum.example may now act for Contoso" in response.content.decode()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"assign-roles": [TenantRole.SERVICE_SUPPORT_ADMIN]}, "user"),
        ({"assign-user": "stranger", "assign-roles": [TenantRole.SERVICE_SUPPORT_ADMIN]}, "user"),
        ({"assign-user": "member", "assign-roles": []}, "roles"),
        # Not among the relationship's roles.
        ({"assign-user": "member", "assign-roles": [TenantRole.GLOBAL_ADMIN]}, "roles"),
    ],
)
def test_bad_assignment_input_re_renders_with_errors_and_writes_nothing(
    client, world, other_agent, data, field
):
    relationship = world.relationships["partner_active"]
    people = {"member": world["partner_pending"].pk, "stranger": other_agent.pk}
    data = {
        key: people.get(value, value) if key == "assign-user" else value
        for key, value in data.items()
    }
    client.force_login(world["partner_admin_agent"])
    before = RelationshipAssignment.objects.count()
    response = client.post(detail(relationship), {"action": "assign", **data})
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert RelationshipAssignment.objects.count() == before


def test_assigning_under_a_relationship_that_has_ended_shows_an_error(client, world):
    relationship = world.relationships["partner_ended_unswept"]
    client.force_login(world["partner_admin_agent"])
    before = RelationshipAssignment.objects.count()
    response = client.post(
        detail(relationship),
        {
            "action": "assign",
            "assign-user": world["partner_pending"].pk,
            "assign-roles": [TenantRole.SERVICE_SUPPORT_ADMIN],
        },
    )
    assert response.status_code == 200
    assert "only to an active relationship" in response.content.decode()
    assert RelationshipAssignment.objects.count() == before


def test_admin_agent_terminates_a_relationship_and_terminating_again_shows_an_error(client, world):
    relationship = world.relationships["partner_active"]
    client.force_login(world["partner_admin_agent"])
    response = client.post(detail(relationship), {"action": "terminate"}, follow=True)
    assert response.status_code == 200
    assert DelegatedAdminRelationship.objects.get(pk=relationship.pk).status == "terminated"
    assert [m.level_tag for m in response.context["messages"]] == ["success"]
    response = client.post(detail(relationship), {"action": "terminate"}, follow=True)
    assert response.status_code == 200
    assert [str(m) for m in response.context["messages"]] == [
        "This relationship has already ended."
    ]


def test_an_unknown_detail_action_is_a_bad_request(client, world):
    client.force_login(world["partner_admin_agent"])
    response = client.post(detail(world.relationships["partner_active"]), {"action": "extend"})
    assert response.status_code == 400


def test_get_never_changes_a_relationship(client, world):
    relationship = world.relationships["partner_active"]
    client.force_login(world["partner_admin_agent"])
    client.get(detail(relationship), {"action": "terminate"})
    assert DelegatedAdminRelationship.objects.get(pk=relationship.pk).status == "active"


def test_an_unknown_domain_is_reported_together_with_the_other_errors(client, world):
    client.force_login(world["partner_admin_agent"])
    response = client.post(NEW, valid_request(customer_domain="nowhere.example", name=""))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["customer_domain"] == ["No organisation with that domain."]
    assert errors["name"]


def test_an_empty_post_re_renders_the_form_with_errors(client, world):
    client.force_login(world["partner_admin_agent"])
    before = DelegatedAdminRelationship.objects.count()
    response = client.post(NEW, {})
    assert response.status_code == 200
    assert response.context["form"].errors["customer_domain"]
    assert DelegatedAdminRelationship.objects.count() == before


@pytest.mark.parametrize("extra_customers", [1, 8])
def test_the_partner_centre_runs_the_same_queries_for_few_or_many_customers(
    client, world, extra_customers, django_assert_max_num_queries
):
    from accounts import services as account_services
    from tests.factories import RoleAssignmentFactory, SubscriptionFactory, TenantFactory

    agent = world["partner_admin_agent"]
    for _ in range(extra_customers):
        tenant = TenantFactory()
        SubscriptionFactory(tenant=tenant)
        admin = RoleAssignmentFactory(tenant=tenant).user
        relationship = account_services.relationship_request(
            actor=agent,
            partner=world.partner,
            tenant=tenant,
            name="r",
            roles=["helpdesk_admin"],
            duration_days=30,
        )
        account_services.relationship_approve(actor=admin, relationship=relationship)
        account_services.relationship_assign_user(
            actor=agent, relationship=relationship, user=agent, roles=["helpdesk_admin"]
        )
    client.force_login(agent)
    with django_assert_max_num_queries(12):
        response = client.get("/partner/")
    assert response.status_code == 200
