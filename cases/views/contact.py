"""The contact page: how to reach support by phone from the tenant's country (spec section 10)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_safe

from accounts import selectors
from cases.models import SupportContact
from cases.targets import describe_business_hours


@login_required
@require_safe
def contact_support(request, domain):
    """The support numbers, hours and languages for the tenant's country, its business hours, and
    every country's number below. For anyone who knows the tenant (members, role holders, partners
    acting for it now); a 404 for everyone else, so there is no 403 case.
    """
    tenant = selectors.tenant_for_contact(request.user, domain)
    contacts = list(SupportContact.objects.order_by("country"))
    local = next((contact for contact in contacts if contact.country == tenant.country), None)
    return render(
        request,
        "cases/contact_support.html",
        {
            "tenant": tenant,
            "local": local,
            "contacts": contacts,
            "business_hours": describe_business_hours(
                country=tenant.country, time_zone=tenant.time_zone
            ),
        },
    )
