"""Filing a request: contact and classification checks, the preview the review step shows, and `case_open`."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import selectors as account_selectors
from accounts.models import SupportTier, Tenant, User
from accounts.validators import validate_time_zone
from helpdesk.errors import Conflict, InvalidInput, NotAllowed

from ... import policies, targets
from ...models import (
    Case,
    CaseStatus,
    Category,
    ContactMethod,
    ImpactService,
    ImpactUsers,
    Notification,
    ProblemType,
    Product,
)
from ...numbers import new_case_number
from ...severity import decide_severity
from .. import notifications
from ..attachments import save_attachments
from .common import (
    Kind,
    _apply_target,
    _customer_message,
    _event,
    _require,
)


@dataclass(frozen=True)
class Contact:
    """Who support talks to about the request, and how."""

    name: str
    email: str
    phone: str = ""
    alternate_email: str = ""
    method: str = ContactMethod.EMAIL
    language: str = "en"
    time_zone: str = "UTC"
    translator_wanted: bool = False
    available_24x7: bool = False


@dataclass(frozen=True)
class Impact:
    service: str = ""
    users: str = ""
    workaround: bool | None = None


def check_contact(contact: Contact) -> None:
    """Raise InvalidInput (with the field) unless the contact details can be used."""
    for field, value, limit in [
        ("contact_name", contact.name, 150),
        ("contact_email", contact.email, 254),
        ("contact_phone", contact.phone, 40),
        ("contact_alternate_email", contact.alternate_email, 254),
        ("contact_time_zone", contact.time_zone, 64),
    ]:
        _require(
            len(value or "") <= limit,
            _("At most %(limit)d characters.") % {"limit": limit},
            "invalid_contact",
            field,
        )
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_email

    from accounts.models import SupportLanguage

    _require(
        bool(contact.name.strip()), _("Give a contact name."), "invalid_contact", "contact_name"
    )
    for field, address in [
        ("contact_email", contact.email),
        ("contact_alternate_email", contact.alternate_email),
    ]:
        if address or field == "contact_email":
            try:
                validate_email(address)
            except ValidationError:
                raise InvalidInput(
                    _("Enter a valid email address."),
                    code="invalid_contact",
                    fields={field: address},
                ) from None
    _require(
        contact.method in ContactMethod.values,
        _("Choose email or phone."),
        "invalid_contact",
        "contact_method",
    )
    _require(
        contact.method != ContactMethod.PHONE or bool(contact.phone.strip()),
        _("Give a phone number to be contacted by phone."),
        "phone_required",
        "contact_phone",
    )
    _require(
        contact.language in SupportLanguage.values,
        _("Choose a support language."),
        "invalid_contact",
        "support_language",
    )
    try:
        validate_time_zone(contact.time_zone)
    except ValidationError:
        raise InvalidInput(
            _("Choose a valid time zone."),
            code="invalid_contact",
            fields={"contact_time_zone": contact.time_zone},
        ) from None


def check_classification(category: Category, problem_type: ProblemType | None) -> None:
    """Raise InvalidInput unless the problem type belongs to the category and is in scope; an
    out-of-scope problem carries its advice on where to go instead."""
    if problem_type is None:
        return
    _require(
        problem_type.category_id == category.pk,
        _("Choose a problem type of the chosen category."),
        "invalid_problem_type",
        "problem_type",
    )
    if problem_type.is_out_of_scope:
        raise InvalidInput(
            problem_type.advice, code="out_of_scope", fields={"problem_type": problem_type.advice}
        )


def _check_impact(impact: Impact) -> None:
    _require(
        impact.service in {"", *ImpactService.values},
        _("Unknown impact answer."),
        "invalid_impact",
        "impact_service",
    )
    _require(
        impact.users in {"", *ImpactUsers.values},
        _("Unknown impact answer."),
        "invalid_impact",
        "impact_users",
    )


@dataclass(frozen=True)
class Preview:
    """What a request would get if filed now: shown on the review step before submitting."""

    tier: str | None
    severity: str
    reasons: tuple[str, ...]
    target: targets.CaseTarget
    may_choose_severity: bool


def request_preview(
    *,
    tenant: Tenant,
    category: Category,
    problem_type: ProblemType | None,
    impact: Impact,
    contact: Contact,
    chosen_severity: str | None = None,
    at: datetime | None = None,
) -> Preview:
    """The severity the answers give (and why) and the committed initial response, by the same
    rules `case_open` applies. Raises InvalidInput without an active subscription for anything but
    pre-sales."""
    at = at or timezone.now()
    tier = account_selectors.tenant_support_tier(tenant, at=at)
    if tier is None and category.pk != "pre_sales":
        raise InvalidInput(
            _("Without an active subscription only pre-sales requests can be filed."),
            code="no_active_subscription",
            fields={"category": category.pk},
        )
    decision = decide_severity(
        category=category.pk,
        default_severity=problem_type.default_severity if problem_type else None,
        impact_service=impact.service,
        impact_users=impact.users,
        impact_workaround=impact.workaround,
        chosen=chosen_severity,
        may_choose=tier == SupportTier.ELEVATED,
        phone=contact.phone,
        available_24x7=contact.available_24x7,
    )
    target = targets.compute_case_target(
        tier=tier,
        category=category.pk,
        severity=decision.severity,
        opened_at=at,
        country=tenant.country,
        time_zone=tenant.time_zone,
    )
    return Preview(tier, decision.severity, decision.reasons, target, tier == SupportTier.ELEVATED)


def _new_number_and_save(case: Case) -> None:
    for _attempt in range(5):
        case.number = new_case_number(case.opened_at)
        try:
            with transaction.atomic():
                case.save()
            return
        except IntegrityError:
            if Case.objects.filter(number=case.number).exists():
                continue
            raise
    raise Conflict(_("Could not allocate a request number; try again."), code="number_exhausted")


@transaction.atomic
def case_open(
    *,
    actor: User,
    tenant: Tenant,
    category: Category,
    title: str,
    description: str,
    contact: Contact,
    product: Product | None = None,
    problem_type: ProblemType | None = None,
    impact: Impact = Impact(),
    chosen_severity: str | None = None,
    related_case: Case | None = None,
    on_behalf_of: User | None = None,
    attachments: Sequence = (),
    at: datetime | None = None,
) -> Case:
    """File a service request for `tenant`.

    The actor is a tenant admin or a partner acting for the tenant, or an engineer filing on
    behalf of a verified admin (`on_behalf_of`, phone intake). Raises NotAllowed without the
    right, InvalidInput for bad fields, an out-of-scope problem, or a request other than
    pre-sales from a tenant with no active subscription.
    """
    at = at or timezone.now()
    if on_behalf_of is not None:
        if not policies.can_open_on_behalf(actor, on_behalf_of, tenant):
            raise NotAllowed(_("Only support staff may file on behalf of the tenant's admin."))
        filer = on_behalf_of
    else:
        if not policies.can_open_case(actor, tenant, at=at):
            raise NotAllowed(_("You need an admin role in this organisation to file requests."))
        filer = actor
    title, description = (title or "").strip(), (description or "").strip()
    _require(
        0 < len(title) <= 200,
        _("Give a title of at most 200 characters."),
        "invalid_title",
        "title",
    )
    _require(bool(description), _("Describe the problem."), "invalid_description", "description")
    check_classification(category, problem_type)
    if problem_type is not None:
        product = product or problem_type.product
    check_contact(contact)
    _check_impact(impact)
    if related_case is not None:
        _require(
            related_case.tenant_id == tenant.pk and related_case.status == CaseStatus.CLOSED,
            _("A follow-up can only be linked to a closed request of the same organisation."),
            "invalid_related_case",
            "related_case",
        )
    preview = request_preview(
        tenant=tenant,
        category=category,
        problem_type=problem_type,
        impact=impact,
        contact=contact,
        chosen_severity=chosen_severity,
        at=at,
    )
    case = Case(
        tenant=tenant,
        opened_by=filer,
        acting_partner=account_selectors.acting_partner(actor, tenant, at=at),
        category=category,
        product=product,
        problem_type=problem_type,
        title=title,
        description=description,
        severity=preview.severity,
        impact_service=impact.service,
        impact_users=impact.users,
        impact_workaround=impact.workaround,
        contact_name=contact.name.strip(),
        contact_email=contact.email,
        contact_phone=contact.phone.strip(),
        contact_alternate_email=contact.alternate_email,
        contact_method=contact.method,
        support_language=contact.language,
        contact_time_zone=contact.time_zone,
        translator_wanted=contact.translator_wanted,
        available_24x7=contact.available_24x7,
        related_case=related_case,
        opened_at=at,
        last_activity_at=at,
    )
    _apply_target(case, tier=preview.tier, at=at, target=preview.target)
    _new_number_and_save(case)
    event = _event(
        case,
        Kind.OPENED,
        actor,
        at,
        new=case.severity,
        body=", ".join(preview.reasons),
        partner=case.acting_partner,
    )
    save_attachments(event, attachments)
    if related_case is not None:
        _event(related_case, Kind.FOLLOW_UP, actor, at, new=case.number)
    notifications.queue(
        [_customer_message(case, Notification.Kind.CASE_CREATED, label=case.response_label)], at=at
    )
    return case
