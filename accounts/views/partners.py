"""The partner centre: the customers a partner user may act for, and the admin agent's
delegated-admin relationships (request, follow, assign users, terminate; spec section 8)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from accounts import selectors, services
from accounts.forms import RelationshipAssignmentForm, RelationshipRequestForm, add_domain_error
from accounts.models import RelationshipStatus
from helpdesk.errors import Conflict, InvalidInput

from .relationships import role_labels, with_liveness, with_role_labels

# Service error codes that name no field but belong beside one.
REQUEST_ERROR_FIELDS = {"invalid_name": "name", "auto_extend_not_allowed": "auto_extend"}


@login_required
@require_safe
def partner_centre(request):
    """The customers this partner user may act for right now, each with its support tier and the
    way into its requests. Anyone who works for no partner gets the 403 page."""
    selectors.partner_for_user(request.user)
    delegated = selectors.delegated_customers(request.user)
    tiers = selectors.tenant_support_tiers([customer.tenant for customer in delegated])
    customers = [
        {
            "tenant": customer.tenant,
            "relationship": customer.relationship,
            "role_labels": role_labels(customer.roles),
            "tier": tiers[customer.tenant.pk],
        }
        for customer in delegated
    ]
    return render(request, "accounts/partner/centre.html", {"customers": customers})


@login_required
@require_safe
def relationship_list(request):
    """The partner's relationships with their status and end; admin agents only (403 otherwise)."""
    partner = selectors.partner_for_admin_agent(request.user)
    relationships = with_role_labels(
        with_liveness(selectors.relationships_for_partner(partner)).order_by("-requested_at", "-pk")
    )
    return render(
        request,
        "accounts/partner/relationship_list.html",
        {"partner": partner, "relationships": relationships},
    )


@login_required
@require_http_methods(["GET", "POST"])
def relationship_new(request):
    """Ask a customer for a relationship. Bad input re-renders the form with its errors and
    writes nothing; success leads to the new relationship's page."""
    partner = selectors.partner_for_admin_agent(request.user)
    form = RelationshipRequestForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        valid = form.is_valid()
        # Look the customer up even when other fields are wrong, so every error shows at once.
        domain = form.cleaned_data.get("customer_domain")
        tenant = selectors.tenant_for_relationship_request(domain) if domain else None
        if domain and tenant is None:
            form.add_error("customer_domain", _("No organisation with that domain."))
        elif valid:
            data = form.cleaned_data
            try:
                relationship = services.relationship_request(
                    actor=request.user,
                    partner=partner,
                    tenant=tenant,
                    name=data["name"],
                    roles=data["roles"],
                    duration_days=data["duration_days"],
                    auto_extend=data["auto_extend"],
                )
            except InvalidInput as error:
                add_domain_error(form, error, REQUEST_ERROR_FIELDS)
            else:
                messages.success(
                    request,
                    _("Requested %(name)s from %(tenant)s. Its global admin must approve it.")
                    % {"name": relationship.name, "tenant": tenant.name},
                )
                return redirect("partner_relationship_detail", relationship.pk)
    return render(
        request, "accounts/partner/relationship_new.html", {"partner": partner, "form": form}
    )


def _assignment_form(relationship, partner, data=None) -> RelationshipAssignmentForm:
    return RelationshipAssignmentForm(
        data,
        members=selectors.partner_members(partner),
        roles=relationship.roles,
        prefix="assign",
    )


@login_required
@require_http_methods(["GET", "POST"])
def relationship_detail(request, pk):
    """One of the partner's relationships: status, roles, dates, history and assignments.

    POST `action=assign` lets a partner user act under it (bad input re-renders with errors);
    POST `action=terminate` ends it. Admin agents only (403); another partner's relationship, or
    one that does not exist, is a 404.
    """
    partner = selectors.partner_for_admin_agent(request.user)
    relationship = selectors.relationship_for_partner(partner, pk)
    form = None
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "terminate":
            try:
                services.relationship_terminate(actor=request.user, relationship=relationship)
            except Conflict as error:
                messages.error(request, error.message)
            else:
                messages.success(
                    request,
                    _("Terminated %(name)s: nobody at %(partner)s may act for %(tenant)s under it.")
                    % {
                        "name": relationship.name,
                        "partner": partner.name,
                        "tenant": relationship.tenant.name,
                    },
                )
            return redirect("partner_relationship_detail", relationship.pk)
        if action != "assign":
            raise InvalidInput(_("Unknown action."), code="unknown_action")
        form = _assignment_form(relationship, partner, request.POST)
        if form.is_valid():
            try:
                assignment = services.relationship_assign_user(
                    actor=request.user,
                    relationship=relationship,
                    user=form.cleaned_data["user"],
                    roles=form.cleaned_data["roles"],
                )
            except (InvalidInput, Conflict) as error:
                add_domain_error(form, error)
            else:
                messages.success(
                    request,
                    _("%(user)s may now act for %(tenant)s as: %(roles)s.")
                    % {
                        "user": assignment.user.email,
                        "tenant": relationship.tenant.name,
                        "roles": ", ".join(role_labels(assignment.roles)),
                    },
                )
                return redirect("partner_relationship_detail", relationship.pk)

    relationship = with_liveness(selectors.relationships_for_partner(partner)).get(
        pk=relationship.pk
    )
    relationship.role_labels = role_labels(relationship.roles)
    assignments = list(relationship.assignments.select_related("user").order_by("user__email"))
    for assignment in assignments:
        assignment.role_labels = role_labels(assignment.roles)
    events = list(relationship.events.select_related("actor"))
    for event in events:
        event.role_labels = role_labels(event.detail.get("roles", []))
    if form is None and relationship.is_live:
        form = _assignment_form(relationship, partner)
    return render(
        request,
        "accounts/partner/relationship_detail.html",
        {
            "partner": partner,
            "relationship": relationship,
            "customer": relationship.tenant,
            "assignments": assignments,
            "events": events,
            "form": form,
            "can_terminate": relationship.status
            in {RelationshipStatus.APPROVAL_PENDING, RelationshipStatus.ACTIVE},
        },
    )
