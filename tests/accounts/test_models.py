"""Invariants the database and model validation hold."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from accounts.models import DelegatedAdminRelationship, Plan, RoleAssignment, Tenant, User
from tests.factories import PartnerFactory, TenantFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_the_plan_catalogue_is_seeded_with_the_spec_plans():
    tiers = dict(Plan.objects.values_list("name", "support_tier"))
    assert tiers["Business Basic"] == "business"
    assert tiers["Enterprise E3"] == "enterprise"
    assert tiers["US Government K1"] == "frontline"
    assert tiers["Enterprise F1"] == "frontline"
    assert Plan.objects.filter(is_standalone=True, support_tier="enterprise").exists()


def test_a_plan_cannot_carry_the_elevated_tier():
    with pytest.raises(IntegrityError):
        Plan.objects.create(code="premier", name="Premier", support_tier="elevated")


def test_a_relationship_longer_than_730_days_is_refused_by_the_database():
    tenant, partner, user = TenantFactory(), PartnerFactory(), UserFactory()
    with pytest.raises(IntegrityError):
        DelegatedAdminRelationship.objects.create(
            partner=partner,
            tenant=tenant,
            name="too long",
            roles=["helpdesk_admin"],
            duration_days=731,
            requested_at="2026-01-01T00:00:00Z",
            requested_by=user,
        )


def test_an_active_relationship_needs_an_end_in_the_database():
    tenant, partner, user = TenantFactory(), PartnerFactory(), UserFactory()
    with pytest.raises(IntegrityError):
        DelegatedAdminRelationship.objects.create(
            partner=partner,
            tenant=tenant,
            name="no end",
            roles=["helpdesk_admin"],
            duration_days=30,
            status="active",
            requested_at="2026-01-01T00:00:00Z",
            requested_by=user,
        )


def test_a_role_is_held_once_per_user_and_tenant():
    user, tenant = UserFactory(), TenantFactory()
    RoleAssignment.objects.create(user=user, tenant=tenant, role="global_admin")
    with pytest.raises(IntegrityError):
        RoleAssignment.objects.create(user=user, tenant=tenant, role="global_admin")


def test_a_role_outside_the_vocabulary_is_refused_by_the_database():
    with pytest.raises(IntegrityError):
        RoleAssignment.objects.create(user=UserFactory(), tenant=TenantFactory(), role="root")


def test_email_is_unique_whatever_its_case():
    User.objects.create_user("Someone@Example.com", "pw", display_name="A")
    with pytest.raises(IntegrityError):
        User.objects.create(email="SOMEONE@example.com", display_name="B")


def test_sign_in_email_is_matched_whatever_its_case():
    user = User.objects.create_user("Someone@Example.com", "pw", display_name="A")
    assert user.email == "someone@example.com"
    assert User.objects.get_by_natural_key("SOMEONE@EXAMPLE.COM") == user


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("time_zone", "Mars/Olympus"),
        ("time_zone", "EST5EDT-bogus"),
        ("country", "XX"),
        ("country", "us"),
    ],
)
def test_tenant_rejects_unknown_time_zones_and_countries(field, value):
    tenant = Tenant(name="T", primary_domain="t.example", country="US", time_zone="UTC")
    setattr(tenant, field, value)
    with pytest.raises(ValidationError) as error:
        tenant.full_clean()
    assert field in error.value.message_dict


def test_tenant_accepts_iana_zone_and_iso_country():
    Tenant(name="T", primary_domain="t.example", country="KR", time_zone="Asia/Seoul").full_clean()


def test_support_profile_languages_must_be_known_codes():
    from tests.factories import SupportProfileFactory

    profile = SupportProfileFactory(languages=["en", "klingon"])
    with pytest.raises(ValidationError):
        profile.full_clean()
