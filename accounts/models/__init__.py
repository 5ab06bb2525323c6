from .choices import (
    Language,
    RelationshipStatus,
    SubscriptionKind,
    SupportLanguage,
    SupportRole,
    SupportTier,
    TenantRole,
)
from .partners import (
    DelegatedAdminRelationship,
    PartnerMembership,
    PartnerOrganization,
    RelationshipAssignment,
    RelationshipEvent,
)
from .tenants import ElevatedSupportContract, Plan, RoleAssignment, Subscription, Tenant
from .tokens import ApiToken
from .users import SupportProfile, User

__all__ = [
    "ApiToken",
    "DelegatedAdminRelationship",
    "ElevatedSupportContract",
    "Language",
    "PartnerMembership",
    "PartnerOrganization",
    "Plan",
    "RelationshipAssignment",
    "RelationshipEvent",
    "RelationshipStatus",
    "RoleAssignment",
    "Subscription",
    "SubscriptionKind",
    "SupportLanguage",
    "SupportProfile",
    "SupportRole",
    "SupportTier",
    "Tenant",
    "TenantRole",
    "User",
]
