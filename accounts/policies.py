"""Who may act for which tenant, with which rights. The one place these questions are answered.

Rights come from three sources:
- a tenant role the user holds directly (`RoleAssignment`);
- for partner users, the roles of an assignment under an *active* delegated-admin relationship,
  intersected with the relationship's roles, and only until the instant the relationship ends;
- membership of the support organisation (engineers and managers work every tenant's requests).

Every function takes the instant to judge at (`at`, default now), so access ends exactly when a
relationship ends, whether or not the expiry sweep has run yet. Within one request, the roles
first read stand for the rest of it (`accounts.policy_memo`).
"""

from collections.abc import Iterable
from datetime import datetime

from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import policy_memo
from .models import (
    DelegatedAdminRelationship,
    PartnerMembership,
    PartnerOrganization,
    RelationshipAssignment,
    RelationshipStatus,
    RoleAssignment,
    SupportProfile,
    SupportRole,
    Tenant,
    TenantRole,
    User,
)

# Roles that may create, see and manage a tenant's service requests (spec section 7).
REQUEST_ROLES: frozenset[str] = frozenset(
    {
        TenantRole.GLOBAL_ADMIN,
        TenantRole.SERVICE_SUPPORT_ADMIN,
        TenantRole.HELPDESK_ADMIN,
        TenantRole.BILLING_ADMIN,
        TenantRole.USER_ADMIN,
        TenantRole.MAIL_ADMIN,
        TenantRole.SITES_ADMIN,
        TenantRole.CHAT_ADMIN,
        TenantRole.APPS_ADMIN,
    }
)


def _signed_in(user: User | None) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def is_support_staff(user: User | None) -> bool:
    """Engineers and managers of the support organisation."""
    if not _signed_in(user):
        return False
    return hasattr(user, "support_profile")


def is_support_manager(user: User | None) -> bool:
    return is_support_staff(user) and user.support_profile.role == SupportRole.MANAGER


def direct_roles(user: User | None, tenant: Tenant) -> frozenset[str]:
    if not _signed_in(user):
        return frozenset()

    def read() -> frozenset[str]:
        roles = RoleAssignment.objects.filter(user=user, tenant=tenant).values_list(
            "role", flat=True
        )
        return frozenset(roles)

    return policy_memo.remembered(("direct", user.pk, tenant.pk), read)


def live_relationship_q(at: datetime, prefix: str = "") -> Q:
    """An active relationship that has not reached its end at `at`.

    An auto-extending relationship never lapses at its end (it moves the end 180 days on), so it
    stays live until it is terminated, even before the sweep records the extension.
    """
    return Q(**{f"{prefix}status": RelationshipStatus.ACTIVE}) & (
        Q(**{f"{prefix}auto_extend": True}) | Q(**{f"{prefix}ends_at__gt": at})
    )


def live_assignment_q(at: datetime) -> Q:
    """An assignment under a live relationship whose user still works for the partner: leaving
    the partner ends the access its assignments gave, like the relationship ending does."""
    return live_relationship_q(at, "relationship__") & Q(
        relationship__partner__memberships__user=F("user")
    )


def effective_roles(assignment: RelationshipAssignment) -> frozenset[str]:
    return frozenset(assignment.roles) & frozenset(assignment.relationship.roles)


def delegated_roles(
    user: User | None, tenant: Tenant, *, at: datetime | None = None
) -> frozenset[str]:
    """Roles a partner user holds for `tenant` at `at` through live relationship assignments."""
    if not _signed_in(user):
        return frozenset()

    def read(at: datetime) -> frozenset[str]:
        assignments = RelationshipAssignment.objects.filter(
            live_assignment_q(at), user=user, relationship__tenant=tenant
        ).select_related("relationship")
        roles: set[str] = set()
        for assignment in assignments:
            roles |= effective_roles(assignment)
        return frozenset(roles)

    if at is not None:  # a question about a given moment, not about this request
        return read(at)
    return policy_memo.remembered(("delegated", user.pk, tenant.pk), lambda: read(timezone.now()))


def tenant_roles(
    user: User | None, tenant: Tenant, *, at: datetime | None = None
) -> frozenset[str]:
    """Every tenant role the user holds for `tenant` at `at`, directly or through a partner."""
    return direct_roles(user, tenant) | delegated_roles(user, tenant, at=at)


def can_manage_requests(user: User | None, tenant: Tenant, *, at: datetime | None = None) -> bool:
    """May open, see, answer, close and reopen `tenant`'s service requests."""
    if is_support_staff(user):
        return True
    return bool(tenant_roles(user, tenant, at=at) & REQUEST_ROLES)


def knows_tenant(user: User | None, tenant: Tenant, *, at: datetime | None = None) -> bool:
    """Belongs to the tenant or holds any role there (directly or as a partner): such a user is
    told they lack a role, where anyone else is told the tenant does not exist."""
    if not _signed_in(user):
        return False
    return (
        user.tenant_id == tenant.pk
        or bool(direct_roles(user, tenant))
        or bool(delegated_roles(user, tenant, at=at))
    )


def can_manage_partner_relationships(user: User | None, tenant: Tenant) -> bool:
    """Approve, reject or remove partner relationships: the tenant's own global admins only.

    A partner holding global admin through delegation may not approve relationships for itself or
    others, so only direct assignments count.
    """
    return TenantRole.GLOBAL_ADMIN in direct_roles(user, tenant)


def is_partner_admin_agent(user: User | None, partner: PartnerOrganization) -> bool:
    if not _signed_in(user):
        return False
    return PartnerMembership.objects.filter(
        user=user, partner=partner, is_admin_agent=True
    ).exists()


def can_request_relationship(user: User | None, partner: PartnerOrganization) -> bool:
    return is_partner_admin_agent(user, partner)


def can_assign_relationship_users(
    user: User | None, relationship: DelegatedAdminRelationship
) -> bool:
    return is_partner_admin_agent(user, relationship.partner)


def can_terminate_relationship(user: User | None, relationship: DelegatedAdminRelationship) -> bool:
    """Either side may end a relationship: the customer's global admin or the partner's admin agent."""
    return can_manage_partner_relationships(user, relationship.tenant) or is_partner_admin_agent(
        user, relationship.partner
    )


def request_tenant_ids(user: User | None, *, at: datetime | None = None) -> frozenset[int] | None:
    """Ids of the tenants whose requests `user` may manage at `at`; None means every tenant.

    For scoping list queries: support staff get None, everyone else a (small) set.
    """
    if is_support_staff(user):
        return None
    if not _signed_in(user):
        return frozenset()
    at = at or timezone.now()
    ids = set(
        RoleAssignment.objects.filter(user=user, role__in=REQUEST_ROLES).values_list(
            "tenant_id", flat=True
        )
    )
    assignments = RelationshipAssignment.objects.filter(
        live_assignment_q(at), user=user
    ).select_related("relationship")
    ids.update(a.relationship.tenant_id for a in assignments if effective_roles(a) & REQUEST_ROLES)
    return frozenset(ids)


def unknown_roles(roles: Iterable[str]) -> list[str]:
    return sorted(set(roles) - set(TenantRole.values))


# --- Two-step sign-in (second factor). ---

# What a signed-in session still has to do before it may use the site (see `second_factor_step`).
SECOND_FACTOR_ENROL = "enrol"
SECOND_FACTOR_VERIFY = "verify"


def requires_second_factor(user: User | None) -> bool:
    """Must sign in with a second factor: support staff (they work every tenant's requests) and
    partner users (they act for customers under delegated rights). Tenant users may enrol if
    they wish; once they have, their sessions need the second step too (`second_factor_step`).
    """
    if not _signed_in(user):
        return False
    return is_support_staff(user) or PartnerMembership.objects.filter(user=user).exists()


def session_is_verified(user: User | None) -> bool:
    """The session passed the second step (django-otp's middleware says so on `user`)."""
    is_verified = getattr(user, "is_verified", None)
    return bool(_signed_in(user) and callable(is_verified) and is_verified())


def with_second_factor_facts(users: QuerySet[User]) -> QuerySet[User]:
    """`users` annotated with what `second_factor_step` needs to know, so that loading the
    signed-in user once per request (see `accounts.backends`) answers it without a query."""
    return users.annotate(
        second_factor_enrolled=Exists(
            TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)
        ),
        second_factor_required=Exists(SupportProfile.objects.filter(user=OuterRef("pk")))
        | Exists(PartnerMembership.objects.filter(user=OuterRef("pk"))),
    )


def second_factor_step(user: User | None) -> str | None:
    """What the signed-in session of `user` must do before anything else, or None when nothing.

    SECOND_FACTOR_VERIFY: the user has an authenticator (required or chosen) and this session has
    not been verified with it. SECOND_FACTOR_ENROL: the user must use a second factor
    (`requires_second_factor`) and has none yet. Anonymous users and verified sessions get None.
    Uses the facts loaded with the user (`with_second_factor_facts`), or one query.
    """
    if not _signed_in(user) or session_is_verified(user):
        return None
    if not hasattr(user, "second_factor_enrolled"):
        facts = with_second_factor_facts(User.objects.filter(pk=user.pk)).values(
            "second_factor_enrolled", "second_factor_required"
        )
        row = facts.first()
        if row is None:
            return None
        enrolled, required = row["second_factor_enrolled"], row["second_factor_required"]
    else:
        enrolled, required = user.second_factor_enrolled, user.second_factor_required
    if enrolled:
        return SECOND_FACTOR_VERIFY
    if required:
        return SECOND_FACTOR_ENROL
    return None


def can_create_api_token(user: User | None) -> bool:
    """A token works without a second factor, so it may only be made from a session that has
    passed every step its user needs: otherwise a stolen password alone would yield a token."""
    return _signed_in(user) and second_factor_step(user) is None


def can_turn_off_second_factor(user: User | None) -> bool:
    """Only users who chose a second factor may drop it; staff and partner users must keep it."""
    return _signed_in(user) and not requires_second_factor(user)
