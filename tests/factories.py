"""factory_boy factories for the domain; plans come from the seeded catalogue."""

from datetime import UTC, datetime

import factory

from accounts.models import (
    PartnerMembership,
    PartnerOrganization,
    Plan,
    RoleAssignment,
    Subscription,
    SupportProfile,
    Tenant,
    User,
)

PASSWORD = "correct horse battery staple"
LONG_AGO = datetime(2024, 1, 1, tzinfo=UTC)


class TenantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tenant

    name = factory.Sequence(lambda n: f"Tenant {n}")
    primary_domain = factory.Sequence(lambda n: f"tenant{n}.example")
    country = "US"
    time_zone = "America/New_York"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@people.example")
    display_name = factory.Sequence(lambda n: f"User {n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def persist_password(obj, create, extracted, **kwargs):
        if create:
            obj.save(update_fields=["password"])


class RoleAssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RoleAssignment

    user = factory.SubFactory(UserFactory)
    tenant = factory.SubFactory(TenantFactory)
    role = "global_admin"


class SubscriptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Subscription

    tenant = factory.SubFactory(TenantFactory)
    plan = factory.LazyFunction(lambda: Plan.objects.get(code="enterprise-e3"))
    kind = "paid"
    starts_at = LONG_AGO
    ends_at = None


class PartnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PartnerOrganization

    name = factory.Sequence(lambda n: f"Partner {n}")
    domain = factory.Sequence(lambda n: f"partner{n}.example")
    support_email = factory.LazyAttribute(lambda o: f"help@{o.domain}")


class PartnerMembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PartnerMembership

    user = factory.SubFactory(UserFactory)
    partner = factory.SubFactory(PartnerFactory)
    is_admin_agent = False


class SupportProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SupportProfile

    user = factory.SubFactory(UserFactory)
    role = "engineer"
    languages = ["en"]
