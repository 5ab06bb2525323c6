"""Reads of service requests, each scoped to what the actor may see."""

from datetime import datetime

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import policies as account_policies
from accounts.models import User
from helpdesk.errors import NotFound

from . import policies
from .models import Case, CaseEvent


def visible_cases(actor: User | None, *, at: datetime | None = None) -> QuerySet[Case]:
    """Every case the actor may see: support staff all, others their tenants' (or none)."""
    tenant_ids = account_policies.request_tenant_ids(actor, at=at or timezone.now())
    cases = Case.objects.all()
    if tenant_ids is not None:
        cases = cases.filter(tenant_id__in=tenant_ids)
    return cases


def case_get_for(actor: User | None, number: str) -> Case:
    """The case with this number if the actor may see it; NotFound otherwise, whether it exists
    or not, so another tenant's numbers cannot be probed."""
    case = (
        visible_cases(actor)
        .select_related("tenant", "category", "product", "problem_type", "assigned_to")
        .filter(number=str(number)[:20])
        .first()
    )
    if case is None:
        raise NotFound(_("No such request."))
    return case


def case_history_for(actor: User | None, case: Case) -> QuerySet[CaseEvent]:
    """The case's events in order; internal ones only for support staff."""
    events = case.events.select_related("actor", "acting_partner").prefetch_related("attachments")
    if not policies.can_see_internal(actor):
        events = events.filter(is_public=True)
    return events.order_by("at", "pk")
