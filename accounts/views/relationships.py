"""The customer's side of delegated admin: a tenant's global admin approves, rejects and removes
partner relationships (spec sections 7 and 8)."""

from collections.abc import Iterable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import BooleanField, ExpressionWrapper
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST, require_safe

from accounts import policies, selectors, services
from accounts.models import DelegatedAdminRelationship, RelationshipStatus, TenantRole
from helpdesk.errors import DomainError, NotAllowed

ENDED = {RelationshipStatus.EXPIRED, RelationshipStatus.REJECTED, RelationshipStatus.TERMINATED}

# action in the URL -> (service, message on success)
ACTIONS = {
    "approve": (
        services.relationship_approve,
        _("Approved %(name)s: %(partner)s may now act for you within its roles."),
    ),
    "reject": (services.relationship_reject, _("Rejected %(name)s from %(partner)s.")),
    "terminate": (
        services.relationship_terminate,
        _("Removed %(name)s: %(partner)s no longer has access."),
    ),
}


def role_labels(roles: Iterable[str]) -> list[str]:
    """The roles' display names, in the order of `TenantRole`; unknown codes are shown as is."""
    labels = dict(TenantRole.choices)
    ordered = [role for role in labels if role in roles]
    return [str(labels[role]) for role in ordered] + sorted(set(roles) - set(labels))


def with_role_labels(
    relationships: Iterable[DelegatedAdminRelationship],
) -> list[DelegatedAdminRelationship]:
    """Attach `role_labels` to each relationship for the templates."""
    relationships = list(relationships)
    for relationship in relationships:
        relationship.role_labels = role_labels(relationship.roles)
    return relationships


def with_liveness(queryset):
    """Annotate `is_live`: the relationship grants access right now (an active one past its end
    that the expiry sweep has not reached yet does not)."""
    return queryset.annotate(
        is_live=ExpressionWrapper(
            policies.live_relationship_q(timezone.now()), output_field=BooleanField()
        )
    )


@login_required
@require_safe
def tenant_relationships(request, domain):
    """Pending requests to approve or reject, active relationships to remove, and the ended ones.

    Only the tenant's own global admins; 403 for anyone else who knows the tenant, 404 otherwise.
    """
    tenant = selectors.tenant_for_relationships(request.user, domain)
    relationships = with_role_labels(
        with_liveness(
            selectors.relationships_for_tenant(tenant).select_related(
                "rejected_by", "terminated_by"
            )
        ).order_by("-requested_at", "-pk")
    )
    pending = [r for r in relationships if r.status == RelationshipStatus.APPROVAL_PENDING]
    active = [r for r in relationships if r.status == RelationshipStatus.ACTIVE]
    ended = [r for r in relationships if r.status in ENDED]
    return render(
        request,
        "accounts/relationships/list.html",
        {"tenant": tenant, "pending": pending, "active": active, "ended": ended},
    )


@require_POST
@login_required
def tenant_relationship_action(request, domain, pk, action):
    """Approve, reject or remove (terminate) one of the tenant's relationships, then go back.

    POST only (405 otherwise); an unknown action or another tenant's relationship is a 404.
    A relationship no longer in a state that allows the action (approved twice, already ended)
    is reported as a message; anyone but the tenant's global admin gets the 403 page.
    """
    if action not in ACTIONS:
        raise Http404
    service, success = ACTIONS[action]
    tenant = selectors.tenant_for_relationships(request.user, domain)
    relationship = selectors.relationship_for_tenant(tenant, pk)
    try:
        service(actor=request.user, relationship=relationship)
    except NotAllowed:
        raise
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, success % {"name": relationship.name, "partner": relationship.partner.name}
        )
    return redirect("tenant_relationships", tenant.primary_domain)
