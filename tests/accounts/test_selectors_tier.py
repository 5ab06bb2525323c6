"""A tenant's support tier at an instant (spec section 2)."""

from datetime import UTC, datetime, timedelta

import pytest

from accounts.models import ElevatedSupportContract, Plan
from accounts.selectors import partner_of_record, tenant_support_tier
from tests.factories import PartnerFactory, SubscriptionFactory, TenantFactory

AT = datetime(2026, 6, 1, 12, tzinfo=UTC)
BEFORE = AT - timedelta(days=100)
AFTER = AT + timedelta(days=100)


def subscribe(tenant, code, *, kind="paid", starts_at=BEFORE, ends_at=None):
    return SubscriptionFactory(
        tenant=tenant,
        plan=Plan.objects.get(code=code),
        kind=kind,
        starts_at=starts_at,
        ends_at=ends_at,
    )


@pytest.mark.parametrize(
    ("plans", "tier"),
    [
        ([], None),
        (["business-basic"], "business"),
        (["business-premium"], "business"),
        (["enterprise-e3"], "enterprise"),
        (["education"], "enterprise"),
        (["us-government-k1"], "frontline"),
        (["enterprise-f1", "business-standard"], "frontline"),
        (["enterprise-f1", "enterprise-e1"], "enterprise"),
        (["business-standard", "enterprise-e1"], "enterprise"),
        (["mail-plan-1"], "enterprise"),
    ],
)
@pytest.mark.django_db
def test_tier_is_the_best_of_the_active_plans(plans, tier):
    tenant = TenantFactory()
    for code in plans:
        subscribe(tenant, code)
    assert tenant_support_tier(tenant, at=AT) == tier


@pytest.mark.django_db
def test_a_trial_counts_like_a_paid_subscription():
    tenant = TenantFactory()
    subscribe(tenant, "enterprise-e3", kind="trial", ends_at=AT + timedelta(days=30))
    assert tenant_support_tier(tenant, at=AT) == "enterprise"


@pytest.mark.django_db
def test_ended_and_future_subscriptions_do_not_count():
    tenant = TenantFactory()
    subscribe(tenant, "business-basic")
    subscribe(tenant, "enterprise-e3", starts_at=BEFORE, ends_at=AT)
    subscribe(tenant, "enterprise-e1", starts_at=AT + timedelta(seconds=1))
    assert tenant_support_tier(tenant, at=AT) == "business"
    assert tenant_support_tier(tenant, at=AT - timedelta(seconds=1)) == "enterprise"


@pytest.mark.django_db
def test_an_elevated_contract_beats_every_plan_while_it_runs():
    tenant = TenantFactory()
    subscribe(tenant, "business-basic")
    ElevatedSupportContract.objects.create(tenant=tenant, starts_at=BEFORE, ends_at=AFTER)
    assert tenant_support_tier(tenant, at=AT) == "elevated"
    assert tenant_support_tier(tenant, at=AFTER) == "business"


@pytest.mark.django_db
def test_an_elevated_contract_alone_gives_elevated_support():
    tenant = TenantFactory()
    ElevatedSupportContract.objects.create(tenant=tenant, starts_at=BEFORE, ends_at=AFTER)
    assert tenant_support_tier(tenant, at=AT) == "elevated"


@pytest.mark.django_db
def test_the_partner_that_sold_an_active_subscription_is_the_partner_of_record():
    tenant = TenantFactory()
    reseller = PartnerFactory()
    subscribe(tenant, "business-basic")
    assert partner_of_record(tenant, at=AT) is None
    SubscriptionFactory(
        tenant=tenant, plan=Plan.objects.get(code="business-standard"), reseller=reseller
    )
    assert partner_of_record(tenant, at=AT) == reseller
