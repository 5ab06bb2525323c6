"""Back-office staff can list, search and filter every model in the Django admin."""

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse

from accounts.models import Plan
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

MODELS = sorted(admin.site._registry, key=lambda model: model._meta.label)


@pytest.fixture
def backoffice(client):
    user = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(user)
    client.session_user = user
    return client


def test_every_domain_model_is_registered():
    labels = {model._meta.label for model in MODELS}
    for app_model in [
        "accounts.User",
        "accounts.Tenant",
        "accounts.Plan",
        "accounts.Subscription",
        "accounts.ElevatedSupportContract",
        "accounts.RoleAssignment",
        "accounts.PartnerOrganization",
        "accounts.PartnerMembership",
        "accounts.DelegatedAdminRelationship",
        "accounts.RelationshipAssignment",
        "accounts.RelationshipEvent",
        "accounts.SupportProfile",
        "cases.Product",
    ]:
        assert app_model in labels


@pytest.mark.parametrize("model", MODELS, ids=lambda model: model._meta.label)
def test_changelist_searches_and_add_form_render(backoffice, world, model):
    opts = model._meta
    changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    assert backoffice.get(changelist).status_code == 200
    if admin.site._registry[model].search_fields:
        assert backoffice.get(changelist, {"q": "contoso"}).status_code == 200
    add = reverse(f"admin:{opts.app_label}_{opts.model_name}_add")
    request = RequestFactory().get(add)
    request.user = backoffice.session_user
    may_add = admin.site._registry[model].has_add_permission(request)
    assert backoffice.get(add).status_code == (200 if may_add else 403)


def test_non_staff_cannot_open_the_back_office(client, world):
    client.force_login(world["global_admin"])
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302


def test_editing_a_subscription_in_the_back_office_retargets_open_cases(
    backoffice, world, categories, problem_type, contact
):
    from cases.services import lifecycle

    case = lifecycle.case_open(
        actor=world["global_admin"],
        tenant=world.contoso,
        category=categories["technical"],
        problem_type=problem_type,
        title="t",
        description="d",
        contact=contact,
    )
    subscription = world.contoso.subscriptions.get()
    url = reverse("admin:accounts_subscription_change", args=[subscription.pk])
    response = backoffice.post(
        url,
        {
            "tenant": world.contoso.pk,
            "plan": Plan.objects.get(code="business-basic").pk,
            "kind": "paid",
            "starts_at_0": "2024-01-01",
            "starts_at_1": "00:00:00",
        },
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.support_tier == "business"
    assert case.initial_response_due_at is None
