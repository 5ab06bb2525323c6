"""Reads for phone intake: finding the caller's organisation and admin, and an engineer's own
verifications. Only support staff reach these (the views check `policies.can_use_console`)."""

import re

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from accounts import policies as account_policies
from accounts.models import Tenant, User
from helpdesk.errors import NotFound

from .models import IntakeVerification

MAX_TENANTS = 20


def tenants_matching(query: str) -> QuerySet[Tenant]:
    """At most MAX_TENANTS organisations whose name or primary domain contains `query`, by
    name; none for a blank query."""
    query = (query or "").strip()[:200]
    if not query:
        return Tenant.objects.none()
    return Tenant.objects.filter(Q(name__icontains=query) | Q(primary_domain__icontains=query))[
        :MAX_TENANTS
    ]


def tenant_get(pk) -> Tenant:
    """The organisation with this id; NotFound for anything else."""
    tenant = Tenant.objects.filter(pk=pk).first() if _is_id(pk) else None
    if tenant is None:
        raise NotFound(_("No such organisation."))
    return tenant


def tenant_admins(tenant: Tenant) -> QuerySet[User]:
    """Active users holding a request role directly on `tenant`: the people phone intake may
    file for. Partners act through delegation and support staff are not customers."""
    return (
        User.objects.filter(
            is_active=True,
            role_assignments__tenant=tenant,
            role_assignments__role__in=account_policies.REQUEST_ROLES,
            support_profile__isnull=True,
        )
        .distinct()
        .order_by("display_name", "email")
    )


def verification_get_for(actor: User, pk) -> IntakeVerification:
    """One of the actor's own verifications; NotFound for another engineer's or a missing one."""
    verification = (
        IntakeVerification.objects.select_related("tenant", "admin", "used_by_case")
        .filter(pk=pk, engineer=actor)
        .first()
        if _is_id(pk) and actor.is_authenticated
        else None
    )
    if verification is None:
        raise NotFound(_("No such phone intake."))
    return verification


def _is_id(value) -> bool:
    # str.isdigit() accepts "²" and other digits int() refuses; ids are plain ASCII digits.
    return re.fullmatch(r"[0-9]{1,18}", str(value)) is not None
