"""Who may do what with a service request. Tenant-side rights come from `accounts.policies`.

Views, APIs and tasks ask these; services check them again before writing.
"""

from datetime import datetime

from accounts import policies as account_policies
from accounts.models import Tenant, TenantRole, User

from .models import Case


def can_open_case(user: User | None, tenant: Tenant, *, at: datetime | None = None) -> bool:
    """Tenant admins with a request role and partners acting for the tenant. Support staff open
    requests only through phone intake, on behalf of a verified admin (see `can_open_on_behalf`)."""
    if account_policies.is_support_staff(user):
        return False
    return account_policies.can_manage_requests(user, tenant, at=at)


def can_open_on_behalf(user: User | None, admin: User, tenant: Tenant) -> bool:
    return account_policies.is_support_staff(user) and account_policies.can_manage_requests(
        admin, tenant
    )


def can_view_case(user: User | None, case: Case, *, at: datetime | None = None) -> bool:
    """See, reply to, close and reopen the case: anyone who may manage its tenant's requests
    (spec section 6)."""
    return account_policies.can_manage_requests(user, case.tenant, at=at)


def can_work_case(user: User | None) -> bool:
    """Engineer actions: internal notes, calls, severity, assignment, waiting on customer."""
    return account_policies.is_support_staff(user)


def can_see_internal(user: User | None) -> bool:
    return account_policies.is_support_staff(user)


def can_assign_to_others(user: User | None) -> bool:
    """Engineers claim and transfer; bulk assignment across the queue is for managers."""
    return account_policies.is_support_staff(user)


def can_bulk_assign(user: User | None) -> bool:
    return account_policies.is_support_manager(user)


def may_be_assigned(user: User | None) -> bool:
    return account_policies.is_support_staff(user)


def can_submit_survey(user: User | None, case: Case) -> bool:
    """Only the admin who filed the request rates it."""
    return user is not None and user.is_authenticated and case.opened_by_id == user.pk


def can_use_console(user: User | None) -> bool:
    """The engineer console (queue, case workspace, phone intake): support staff only."""
    return account_policies.is_support_staff(user)


def can_view_dashboard(user: User | None) -> bool:
    """SLA attainment, backlog, breaches and satisfaction across every tenant: managers only."""
    return account_policies.is_support_manager(user)


def can_view_audit(user: User | None, tenant: Tenant) -> bool:
    """The organisation's audit trail (requests and partner relationships): the tenant's own
    global admins only. Partners, even holding global admin through a delegation, and support
    staff do not see it: it records what the partners themselves did for the customer."""
    return TenantRole.GLOBAL_ADMIN in account_policies.direct_roles(user, tenant)
