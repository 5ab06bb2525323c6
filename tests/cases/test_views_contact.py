"""The contact support page and the seeded phone directory behind it."""

import importlib

import pytest
from django.apps import apps
from django.urls import reverse

from accounts.models import TenantRole
from cases.models import SupportContact

SEEDED = {"US", "KR", "GB", "DE", "JP", "AU"}


def page(domain="contoso.example"):
    return reverse("contact_support", args=[domain])


def test_a_tenant_admin_sees_the_number_and_hours_for_its_country(client, world):
    client.force_login(world[TenantRole.GLOBAL_ADMIN])
    response = client.get(page())
    assert response.status_code == 200
    assert response.context["local"].country == "US"
    body = response.content.decode()
    assert "+1 800 555 0199" in body
    assert "24x7 for severity A" in body
    assert "English, Spanish" in body
    # Contoso works in New York: business hours with the zone in force in June.
    assert "Mon-Fri 09:00-17:00 EDT" in body


def test_the_page_lists_every_countrys_number(client, world):
    client.force_login(world[TenantRole.GLOBAL_ADMIN])
    response = client.get(page())
    assert {contact.country for contact in response.context["contacts"]} >= SEEDED
    body = response.content.decode()
    assert "+82 80 555 0199" in body
    assert "+44 20 7946 0199" in body


def test_a_korean_tenant_sees_the_korean_number_and_its_hours_in_kst(client, world):
    client.force_login(world["outsider"])  # Fabrikam's global admin
    response = client.get(page("fabrikam.example"))
    assert response.status_code == 200
    assert response.context["local"].phone == "+82 80 555 0199"
    assert "Mon-Fri 09:00-17:00 KST" in response.content.decode()


def test_a_country_without_a_number_is_told_so_and_still_sees_the_table(client, world):
    world.contoso.country = "FR"
    world.contoso.save(update_fields=["country"])
    client.force_login(world[TenantRole.GLOBAL_ADMIN])
    response = client.get(page())
    assert response.status_code == 200
    assert response.context["local"] is None
    body = response.content.decode()
    assert "There is no support number for FR." in body
    assert "+1 800 555 0199" in body


@pytest.mark.parametrize(
    "persona",
    [
        TenantRole.SERVICE_SUPPORT_ADMIN,
        TenantRole.GLOBAL_READER,
        "plain_user",
        "partner_active",
        "partner_without_support_role",
    ],
)
def test_anyone_who_knows_the_tenant_may_see_the_page(client, world, persona):
    client.force_login(world[persona])
    assert client.get(page()).status_code == 200


def test_a_partner_acting_for_the_tenant_gets_the_acting_for_navigation(client, world):
    client.force_login(world["partner_active"])
    body = client.get(page()).content.decode()
    assert "Acting for Contoso" in body
    assert reverse("request_new", args=["contoso.example"]) in body


@pytest.mark.parametrize(
    "persona",
    ["outsider", "engineer", "partner_admin_agent", "partner_expired", "partner_terminated"],
)
def test_anyone_else_gets_404(client, world, persona):
    client.force_login(world[persona])
    assert client.get(page()).status_code == 404


def test_an_unknown_domain_is_404(client, world):
    client.force_login(world[TenantRole.GLOBAL_ADMIN])
    assert client.get(page("nowhere.example")).status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(client, world):
    response = client.get(page())
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_page_runs_a_fixed_number_of_queries(client, world, django_assert_max_num_queries):
    client.force_login(world[TenantRole.GLOBAL_ADMIN])
    with django_assert_max_num_queries(13):
        assert client.get(page()).status_code == 200


# --- The seed migration ---


@pytest.fixture
def seed_migration():
    return importlib.import_module("cases.migrations.0006_seed_support_contacts")


def test_the_seed_is_idempotent_and_keeps_back_office_edits(db, seed_migration):
    SupportContact.objects.filter(country="GB").update(phone="+44 20 7946 0000")
    before = list(SupportContact.objects.order_by("country").values())
    seed_migration.seed(apps, None)
    assert list(SupportContact.objects.order_by("country").values()) == before


def test_the_seed_reverses_and_reapplies(db, seed_migration):
    seed_migration.unseed(apps, None)
    assert not SupportContact.objects.filter(country__in=SEEDED).exists()
    seed_migration.seed(apps, None)
    assert set(SupportContact.objects.values_list("country", flat=True)) >= SEEDED


def test_reversing_the_seed_leaves_a_number_back_office_changed(db, seed_migration):
    SupportContact.objects.filter(country="GB").update(phone="+44 20 7946 0000")
    seed_migration.unseed(apps, None)
    assert list(SupportContact.objects.values_list("country", flat=True)) == ["GB"]
