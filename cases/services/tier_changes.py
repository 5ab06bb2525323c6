"""Subscriptions and elevated-support contracts start and end on their dates, not only when
someone edits them in the back office: this sweep catches the dates as they pass.

Each run looks back `LOOKBACK` for a start or an end and has every such tenant's waiting cases
retargeted (`lifecycle.tenants_retarget_open_cases`: open, not yet answered, at another tier than
the tenant's current one). That is idempotent, so runs may overlap and a worker that was down
for less than `LOOKBACK` misses nothing. The work is bounded by the tenants with a date in the
window and their waiting cases, never the whole table.
"""

from datetime import datetime, timedelta

from django.db.models import Q
from django.utils import timezone

from accounts.models import ElevatedSupportContract, Subscription, Tenant

from . import lifecycle

LOOKBACK = timedelta(days=2)


def tenants_with_tier_dates(*, since: datetime, until: datetime) -> set[int]:
    """Tenants whose subscription or elevated contract started or ended in (since, until]."""
    passed = Q(starts_at__gt=since, starts_at__lte=until) | Q(ends_at__gt=since, ends_at__lte=until)
    subscriptions = Subscription.objects.filter(passed).values_list("tenant_id", flat=True)
    contracts = ElevatedSupportContract.objects.filter(passed).values_list("tenant_id", flat=True)
    return set(subscriptions) | set(contracts)


def retarget_tier_changes(*, now: datetime | None = None) -> int:
    """Retarget the waiting cases of every tenant whose tier may have changed in the last
    `LOOKBACK`; returns how many cases got a new target."""
    now = now or timezone.now()
    tenant_ids = tenants_with_tier_dates(since=now - LOOKBACK, until=now)
    if not tenant_ids:
        return 0
    return lifecycle.tenants_retarget_open_cases(
        tenants=Tenant.objects.filter(pk__in=tenant_ids), at=now
    )
