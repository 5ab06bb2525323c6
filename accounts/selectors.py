"""Reads of the accounts domain, each scoped to what the caller asked about."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from helpdesk.errors import NotAllowed, NotFound

from . import policies
from .models import (
    DelegatedAdminRelationship,
    ElevatedSupportContract,
    PartnerMembership,
    PartnerOrganization,
    RelationshipAssignment,
    Subscription,
    SupportTier,
    Tenant,
    TenantRole,
    User,
)

# Better tiers first; enterprise and frontline rank equal (same targets), enterprise is named.
_TIER_RANK = {
    SupportTier.ELEVATED: 3,
    SupportTier.ENTERPRISE: 2,
    SupportTier.FRONTLINE: 2,
    SupportTier.BUSINESS: 1,
}


def _running_at(at: datetime) -> Q:
    return Q(starts_at__lte=at) & (Q(ends_at__isnull=True) | Q(ends_at__gt=at))


def active_subscriptions(tenant: Tenant, *, at: datetime | None = None) -> QuerySet[Subscription]:
    """Subscriptions (paid and trial) running at `at`."""
    at = at or timezone.now()
    return Subscription.objects.filter(_running_at(at), tenant=tenant).select_related(
        "plan", "reseller"
    )


def _best_tier(tiers: set[str]) -> SupportTier | None:
    if not tiers:
        return None
    if SupportTier.ENTERPRISE in tiers:
        return SupportTier.ENTERPRISE
    return SupportTier(max(tiers, key=lambda tier: _TIER_RANK[tier]))


def tenant_support_tier(tenant: Tenant, *, at: datetime | None = None) -> SupportTier | None:
    """The tenant's support tier at `at` (spec section 2), or None without an active subscription.

    Elevated when an elevated-support contract runs; otherwise the best tier among the plans of the
    active subscriptions, trials included: enterprise = frontline > business.
    """
    return tenant_support_tiers([tenant], at=at)[tenant.pk]


def tenant_support_tiers(tenants, *, at: datetime | None = None) -> dict[int, SupportTier | None]:
    """`tenant_support_tier` for several tenants at once, in two queries whatever their number."""
    at = at or timezone.now()
    ids = [tenant.pk for tenant in tenants]
    elevated = set(
        ElevatedSupportContract.objects.filter(
            tenant_id__in=ids, starts_at__lte=at, ends_at__gt=at
        ).values_list("tenant_id", flat=True)
    )
    plans: dict[int, set[str]] = {pk: set() for pk in ids}
    rows = Subscription.objects.filter(_running_at(at), tenant_id__in=ids).values_list(
        "tenant_id", "plan__support_tier"
    )
    for tenant_id, tier in rows:
        plans[tenant_id].add(tier)
    return {pk: SupportTier.ELEVATED if pk in elevated else _best_tier(plans[pk]) for pk in ids}


def partner_of_record(tenant: Tenant, *, at: datetime | None = None) -> PartnerOrganization | None:
    """The partner that sold one of the tenant's active subscriptions, shown first when filing."""
    subscription = (
        active_subscriptions(tenant, at=at)
        .filter(reseller__isnull=False)
        .order_by("starts_at")
        .first()
    )
    return subscription.reseller if subscription else None


@dataclass(frozen=True)
class DelegatedCustomer:
    tenant: Tenant
    relationship: DelegatedAdminRelationship
    roles: frozenset[str]


def delegated_customers(user: User, *, at: datetime | None = None) -> list[DelegatedCustomer]:
    """Customers a partner user may act for right now, with the roles each assignment gives."""
    at = at or timezone.now()
    assignments = (
        RelationshipAssignment.objects.filter(policies.live_assignment_q(at), user=user)
        .select_related("relationship__tenant")
        .order_by("relationship__tenant__name")
    )
    customers = []
    for assignment in assignments:
        roles = policies.effective_roles(assignment)
        if roles:
            customers.append(
                DelegatedCustomer(assignment.relationship.tenant, assignment.relationship, roles)
            )
    return customers


def tenant_for_requests(user: User, domain: str, *, at: datetime | None = None) -> Tenant:
    """The tenant whose requests `user` wants to work with, by its primary domain.

    Raises NotFound when the tenant does not exist or the user has nothing to do with it, and
    NotAllowed when the user belongs to it but holds no role that manages requests.
    """
    tenant = Tenant.objects.filter(primary_domain=str(domain).lower()[:253]).first()
    if tenant is None or not (
        policies.can_manage_requests(user, tenant, at=at)
        or policies.knows_tenant(user, tenant, at=at)
    ):
        raise NotFound(_("No such organisation."))
    if not policies.can_manage_requests(user, tenant, at=at):
        raise NotAllowed(
            _(
                "You need an admin role in %(tenant)s to work with its service requests. Ask a "
                "global admin to give you one, such as service support admin or helpdesk admin."
            )
            % {"tenant": tenant.name}
        )
    return tenant


def partner_memberships(user: User) -> QuerySet[PartnerMembership]:
    return PartnerMembership.objects.filter(user=user).select_related("partner")


def relationships_for_tenant(tenant: Tenant) -> QuerySet[DelegatedAdminRelationship]:
    return DelegatedAdminRelationship.objects.filter(tenant=tenant).select_related(
        "partner", "requested_by", "approved_by"
    )


def relationships_for_partner(partner: PartnerOrganization) -> QuerySet[DelegatedAdminRelationship]:
    return DelegatedAdminRelationship.objects.filter(partner=partner).select_related("tenant")


def tenants_administered(user: User) -> QuerySet[Tenant]:
    """Tenants where the user holds any role directly, for the top bar and the home page."""
    return Tenant.objects.filter(role_assignments__user=user).distinct()


@dataclass(frozen=True)
class Workspace:
    """Who the signed-in user is and where they work: the top bar, the navigation, the home page."""

    kind: str  # "tenant", "partner", "support" or "none"
    organisation: str
    roles: tuple[str, ...] = ()
    tenant: Tenant | None = None
    partner: PartnerOrganization | None = None
    can_manage_requests: bool = False
    can_manage_relationships: bool = False
    is_admin_agent: bool = False
    is_manager: bool = False


def workspace_for(user: User) -> Workspace:
    if policies.is_support_staff(user):
        profile = user.support_profile
        return Workspace(
            "support",
            "Support",
            (profile.get_role_display(),),
            is_manager=policies.is_support_manager(user),
        )
    membership = partner_memberships(user).first()
    if membership is not None:
        roles = (str(_("Admin agent")),) if membership.is_admin_agent else ()
        return Workspace(
            "partner",
            membership.partner.name,
            roles,
            partner=membership.partner,
            is_admin_agent=membership.is_admin_agent,
        )
    tenant = user.tenant or tenants_administered(user).first()
    if tenant is not None:
        roles = tuple(
            str(TenantRole(role).label)
            for role in tenant.role_assignments.filter(user=user).values_list("role", flat=True)
        )
        return Workspace(
            "tenant",
            tenant.name,
            roles,
            tenant,
            can_manage_requests=policies.can_manage_requests(user, tenant),
            can_manage_relationships=policies.can_manage_partner_relationships(user, tenant),
        )
    return Workspace("none", "")


def acting_partner(user: User, tenant: Tenant, *, at: datetime | None = None):
    """The partner a user acts through for `tenant`, or None when the user holds a request role
    there directly (or is support staff). Recorded on every case event a partner causes."""
    if (
        policies.is_support_staff(user)
        or policies.direct_roles(user, tenant) & policies.REQUEST_ROLES
    ):
        return None
    at = at or timezone.now()
    assignment = (
        RelationshipAssignment.objects.filter(
            policies.live_assignment_q(at),
            user=user,
            relationship__tenant=tenant,
        )
        .select_related("relationship__partner")
        .order_by("relationship__requested_at")
        .first()
    )
    return assignment.relationship.partner if assignment else None


# --- Partner relationship pages (customer side and partner side) and the contact page. ---


def _tenant_by_domain(domain: str) -> Tenant | None:
    return Tenant.objects.filter(primary_domain=str(domain).strip().lower()[:253]).first()


def tenant_for_relationships(user: User, domain: str) -> Tenant:
    """The tenant whose partner relationships `user` wants to manage, by its primary domain.

    Raises NotFound when the tenant does not exist or the user has nothing to do with it, and
    NotAllowed when the user knows the tenant but is not one of its own global admins.
    """
    tenant = _tenant_by_domain(domain)
    if tenant is None or not policies.knows_tenant(user, tenant):
        raise NotFound(_("No such organisation."))
    if not policies.can_manage_partner_relationships(user, tenant):
        raise NotAllowed(
            _("Only a global admin of %(tenant)s may manage its partner relationships.")
            % {"tenant": tenant.name}
        )
    return tenant


def relationship_for_tenant(tenant: Tenant, pk: int) -> DelegatedAdminRelationship:
    """One of `tenant`'s relationships; NotFound for any other id."""
    relationship = relationships_for_tenant(tenant).filter(pk=pk).first()
    if relationship is None:
        raise NotFound(_("No such relationship."))
    return relationship


def tenant_for_contact(user: User, domain: str) -> Tenant:
    """The tenant whose support contacts `user` wants to see: anyone who knows the tenant
    (members, role holders, partners acting for it right now). NotFound for everyone else."""
    tenant = _tenant_by_domain(domain)
    if tenant is None or not policies.knows_tenant(user, tenant):
        raise NotFound(_("No such organisation."))
    return tenant


def tenant_for_relationship_request(domain: str) -> Tenant | None:
    """The customer a partner asks for a relationship, by primary domain; None when unknown.

    Not scoped: asking a customer for a relationship starts with knowing only its domain.
    """
    return _tenant_by_domain(domain)


def partner_for_user(user: User) -> PartnerOrganization:
    """The partner organisation the user works for (the same one the top bar names).

    Raises NotAllowed for users who work for no partner.
    """
    membership = partner_memberships(user).order_by("pk").first()
    if membership is None:
        raise NotAllowed(_("The partner centre is for people who work for a partner."))
    return membership.partner


def partner_for_admin_agent(user: User) -> PartnerOrganization:
    """The partner whose relationships `user` manages as an admin agent.

    Raises NotAllowed unless the user is an admin agent of the partner they work for.
    """
    partner = partner_for_user(user)
    if not policies.is_partner_admin_agent(user, partner):
        raise NotAllowed(_("Only a partner's admin agents may manage its relationships."))
    return partner


def relationship_for_partner(partner: PartnerOrganization, pk: int) -> DelegatedAdminRelationship:
    """One of `partner`'s relationships; NotFound for any other id (another partner's included)."""
    relationship = relationships_for_partner(partner).filter(pk=pk).first()
    if relationship is None:
        raise NotFound(_("No such relationship."))
    return relationship


def partner_members(partner: PartnerOrganization) -> QuerySet[User]:
    """The partner's active users, for choosing whom to assign to a relationship."""
    return User.objects.filter(partner_memberships__partner=partner, is_active=True).order_by(
        "display_name", "email"
    )
