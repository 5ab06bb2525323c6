"""The personas of the authorization matrix, built once per test that asks for them.

Every rights test (policies, pages, API) draws its actors from here, so one table describes who may
do what. Contoso is the tenant under test; Fabrikam is "another tenant".
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from accounts import services
from accounts.models import PartnerMembership, TenantRole, User
from cases.services import lifecycle
from tests.factories import (
    PartnerFactory,
    PartnerMembershipFactory,
    RoleAssignmentFactory,
    SubscriptionFactory,
    SupportProfileFactory,
    TenantFactory,
    UserFactory,
)

# Tenant roles held directly by a Contoso user; each is a persona of its own.
TENANT_ROLE_PERSONAS = [role.value for role in TenantRole]

PARTNER_PERSONAS = [
    "partner_active",
    "partner_pending",
    "partner_ended_unswept",
    "partner_expired",
    "partner_terminated",
    "partner_other_tenant",
    "partner_without_support_role",
    "partner_former_member",
]

OTHER_PERSONAS = ["plain_user", "engineer", "manager", "outsider", "anonymous"]

ALL_PERSONAS = TENANT_ROLE_PERSONAS + PARTNER_PERSONAS + OTHER_PERSONAS


@dataclass
class World:
    now: datetime
    contoso: object
    fabrikam: object
    users: dict[str, User | None] = field(default_factory=dict)
    relationships: dict[str, object] = field(default_factory=dict)
    partner: object = None

    def __getitem__(self, persona: str) -> User | None:
        return self.users[persona]


def build_world(now: datetime) -> World:
    contoso = TenantFactory(name="Contoso", primary_domain="contoso.example")
    fabrikam = TenantFactory(
        name="Fabrikam", primary_domain="fabrikam.example", country="KR", time_zone="Asia/Seoul"
    )
    SubscriptionFactory(tenant=contoso)
    SubscriptionFactory(tenant=fabrikam)
    world = World(now=now, contoso=contoso, fabrikam=fabrikam)

    for role in TENANT_ROLE_PERSONAS:
        user = UserFactory(email=f"{role}@contoso.example", tenant=contoso)
        RoleAssignmentFactory(user=user, tenant=contoso, role=role)
        world.users[role] = user
    world.users["plain_user"] = UserFactory(email="plain@contoso.example", tenant=contoso)
    outsider = UserFactory(email="admin@fabrikam.example", tenant=fabrikam)
    RoleAssignmentFactory(user=outsider, tenant=fabrikam, role=TenantRole.GLOBAL_ADMIN)
    world.users["outsider"] = outsider
    world.users["engineer"] = SupportProfileFactory(role="engineer").user
    world.users["manager"] = SupportProfileFactory(role="manager").user
    world.users["anonymous"] = None

    partner = PartnerFactory(name="Adatum", domain="adatum.example")
    agent = PartnerMembershipFactory(partner=partner, is_admin_agent=True).user
    contoso_admin = world.users[TenantRole.GLOBAL_ADMIN]
    fabrikam_admin = outsider
    support = [TenantRole.SERVICE_SUPPORT_ADMIN]

    def partner_user(persona):
        user = PartnerMembershipFactory(
            partner=partner, user=UserFactory(email=f"{persona}@adatum.example")
        ).user
        world.users[persona] = user
        return user

    def granted(key, tenant, approver, *, roles, start, days, assign_roles=None):
        relationship = services.relationship_request(
            actor=agent,
            partner=partner,
            tenant=tenant,
            name=key,
            roles=roles,
            duration_days=days,
            at=start,
        )
        services.relationship_approve(actor=approver, relationship=relationship, at=start)
        user = partner_user(key)
        services.relationship_assign_user(
            actor=agent,
            relationship=relationship,
            user=user,
            roles=assign_roles or roles,
            at=start,
        )
        world.relationships[key] = relationship
        return relationship

    year_ago = now - timedelta(days=365)
    granted(
        "partner_active",
        contoso,
        contoso_admin,
        roles=support,
        start=now - timedelta(days=1),
        days=90,
    )
    granted(
        "partner_other_tenant",
        fabrikam,
        fabrikam_admin,
        roles=support,
        start=now - timedelta(days=1),
        days=90,
    )
    granted(
        "partner_without_support_role",
        contoso,
        contoso_admin,
        roles=[TenantRole.GLOBAL_READER, TenantRole.SERVICE_SUPPORT_ADMIN],
        assign_roles=[TenantRole.GLOBAL_READER],
        start=now - timedelta(days=1),
        days=90,
    )
    expired = granted(
        "partner_expired", contoso, contoso_admin, roles=support, start=year_ago, days=60
    )
    services.relationships_expire(now=year_ago + timedelta(days=61))
    expired.refresh_from_db()
    # Assigned under a live relationship, then left the partner: the assignment no longer counts.
    granted(
        "partner_former_member",
        contoso,
        contoso_admin,
        roles=support,
        start=now - timedelta(days=1),
        days=90,
    )
    PartnerMembership.objects.filter(user=world.users["partner_former_member"]).delete()
    # Its end has passed but the expiry sweep has not run: access must already be gone.
    granted("partner_ended_unswept", contoso, contoso_admin, roles=support, start=year_ago, days=30)
    terminated = granted(
        "partner_terminated",
        contoso,
        contoso_admin,
        roles=support,
        start=now - timedelta(days=2),
        days=90,
    )
    services.relationship_terminate(
        actor=contoso_admin, relationship=terminated, at=now - timedelta(days=1)
    )

    pending = services.relationship_request(
        actor=agent,
        partner=partner,
        tenant=contoso,
        name="partner_pending",
        roles=support,
        duration_days=90,
        at=now - timedelta(days=1),
    )
    world.relationships["partner_pending"] = pending
    partner_user("partner_pending")
    world.users["partner_admin_agent"] = agent
    world.partner = partner
    return world


def filer(world: World, categories, problem_type, contact, *, at: datetime, **defaults):
    """A function that files a technical request as Contoso's global admin at `at`; `defaults`,
    then each call's keyword arguments, override the request's fields."""

    def file(**overrides):
        arguments = {
            "actor": world[TenantRole.GLOBAL_ADMIN],
            "tenant": world.contoso,
            "category": categories["technical"],
            "problem_type": problem_type,
            "title": "Mail is not arriving",
            "description": "Since this morning no external mail arrives.",
            "contact": contact,
            "at": at,
        }
        return lifecycle.case_open(**{**arguments, **defaults, **overrides})

    return file
