"""The life of a service request (spec sections 4 to 6), one service per action.

Every service takes the acting user as `actor`, checks `cases.policies`, writes with conditional
UPDATEs where two people could race, records a `CaseEvent` in the same transaction and queues its
notifications in the outbox, delivered after commit.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import selectors as account_selectors
from accounts.models import SupportTier, Tenant, User
from accounts.validators import validate_time_zone
from helpdesk.errors import Conflict, InvalidInput, NotAllowed, NotFound

from .. import policies, targets
from ..models import (
    OPEN_STATUSES,
    Case,
    CaseEvent,
    CaseStatus,
    Category,
    ContactMethod,
    ImpactService,
    ImpactUsers,
    Notification,
    ProblemType,
    Product,
    SatisfactionSurvey,
    Severity,
)
from ..numbers import new_case_number
from ..severity import decide_severity
from . import notifications
from .attachments import save_attachments

REOPEN_WINDOW = timedelta(days=14)
Kind = CaseEvent.Kind


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


def _require(condition: bool, message: str, code: str, field: str | None = None) -> None:
    if not condition:
        raise InvalidInput(message, code=code, fields={field: message} if field else None)


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
            problem_type.out_of_scope_advice,
            code="out_of_scope",
            fields={"problem_type": problem_type.out_of_scope_advice},
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


def _event(
    case: Case,
    kind: str,
    actor: User | None,
    at: datetime,
    *,
    public: bool = True,
    body: str = "",
    old: str = "",
    new: str = "",
    partner=None,
) -> CaseEvent:
    if partner is None and actor is not None:
        partner = account_selectors.acting_partner(actor, case.tenant, at=at)
    return CaseEvent.objects.create(
        case=case,
        kind=kind,
        actor=actor,
        acting_partner=partner,
        is_public=public,
        body=body,
        old_value=str(old)[:200],
        new_value=str(new)[:200],
        at=at,
    )


def _case_context(case: Case, **extra) -> dict:
    return {
        "number": case.number,
        "title": case.title,
        "tenant": case.tenant.name,
        "status": case.status,
        "severity": case.severity,
        "path": f"/requests/{case.number}/",
        **extra,
    }


def _customer_message(case: Case, kind: str, **extra) -> notifications.Message:
    return notifications.Message(
        kind=kind,
        to=[case.contact_email],
        cc=[case.contact_alternate_email] if case.contact_alternate_email else [],
        case_id=case.pk,
        language=case.support_language if case.support_language in {"en", "ko"} else "en",
        context=_case_context(case, **extra),
    )


def _engineer_message(
    case: Case, kind: str, *, dedupe_key: str | None = None
) -> notifications.Message:
    """To the assigned engineer, else to every support manager."""
    if case.assigned_to_id:
        return notifications.Message(
            kind=kind,
            to=[case.assigned_to.email],
            case_id=case.pk,
            context=_case_context(case),
            dedupe_key=dedupe_key,
        )
    return notifications.Message(
        kind=kind,
        audience=Notification.Audience.MANAGERS,
        case_id=case.pk,
        context=_case_context(case),
        dedupe_key=dedupe_key,
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


def _apply_target(case: Case, *, tier: str | None, at: datetime) -> None:
    """Recompute the committed target from the submission time; a target already past is
    breached at once, a target moved into the future can warn and breach again."""
    target = targets.compute_case_target(
        tier=tier,
        category=case.category_id,
        severity=case.severity,
        opened_at=case.opened_at,
        country=case.tenant.country,
        time_zone=case.tenant.time_zone,
    )
    case.support_tier = tier or ""
    case.response_availability = target.availability
    case.response_label = target.label
    case.response_minutes = target.minutes
    case.initial_response_due_at = target.due
    case.breach_warn_at = target.warn_at
    if case.first_responded_at is None:
        overdue = target.due is not None and target.due <= at
        case.breached_at = target.due if overdue else None
        warned = overdue or (target.warn_at is not None and target.warn_at <= at)
        case.breach_warned_at = (case.breach_warned_at or at) if warned else None


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
    _apply_target(case, tier=preview.tier, at=at)
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


def _lock(case: Case) -> None:
    """Lock the case's row and reload it, so the rest of the service works on current data even
    when the caller's object is stale (another request changed the case meanwhile)."""
    Case.objects.select_for_update().filter(pk=case.pk).values_list("pk", flat=True).first()
    case.refresh_from_db()


TARGET_FIELDS = [
    "support_tier",
    "response_availability",
    "response_label",
    "response_minutes",
    "initial_response_due_at",
    "breach_warn_at",
    "breached_at",
    "breach_warned_at",
    "last_activity_at",
]


def _retarget(case: Case, actor: User | None, at: datetime) -> None:
    """Recompute the target with the tenant's current tier (the last known one if the tenant has
    none now: a lapsed subscription does not take back a commitment) and record a breach that the
    new target causes at once."""
    was_breached = case.breached_at is not None
    tier = account_selectors.tenant_support_tier(case.tenant, at=at) or case.support_tier or None
    _apply_target(case, tier=tier, at=at)
    case.last_activity_at = at
    if case.breached_at is not None and not was_breached:
        _event(
            case,
            Kind.BREACHED,
            actor,
            at,
            public=False,
            new=case.initial_response_due_at.isoformat(),
        )
        key = f"breached:{case.pk}:{case.initial_response_due_at.isoformat()}"
        notifications.queue(
            [_engineer_message(case, Notification.Kind.BREACHED, dedupe_key=key)], at=at
        )


def _touch(case: Case, at: datetime, **changes) -> None:
    Case.objects.filter(pk=case.pk).update(last_activity_at=at, **changes)
    case.refresh_from_db()


def _check_visible(actor: User, case: Case, at: datetime) -> None:
    if not policies.can_view_case(actor, case, at=at):
        raise NotFound(_("No such request."))


@transaction.atomic
def case_reply(
    *,
    actor: User,
    case: Case,
    body: str,
    internal: bool = False,
    attachments: Sequence = (),
    at: datetime | None = None,
) -> CaseEvent:
    """Add a reply (public) or an internal note (support staff only) to an open case.

    The first public reply by support staff is the initial response: it stops the response
    clock and moves a new case to in progress. A customer reply to a case waiting on the
    customer moves it back to in progress.
    """
    at = at or timezone.now()
    _check_visible(actor, case, at)
    body = (body or "").strip()
    _require(bool(body), _("Write a message."), "empty_message", "body")
    if internal and not policies.can_see_internal(actor):
        raise NotAllowed(_("Only support staff write internal notes."))
    _lock(case)
    if case.status == CaseStatus.CLOSED:
        raise Conflict(_("This request is closed; reopen it to reply."), code="case_closed")
    staff = policies.can_work_case(actor)
    event = _event(
        case, Kind.NOTE if internal else Kind.REPLY, actor, at, public=not internal, body=body
    )
    save_attachments(event, attachments)
    if internal:
        _touch(case, at)
        return event
    if staff:
        _record_first_response(case, actor, at)
        notifications.queue(
            [_customer_message(case, Notification.Kind.ENGINEER_REPLIED, excerpt=body[:500])], at=at
        )
    elif case.status == CaseStatus.WAITING_ON_CUSTOMER:
        Case.objects.filter(pk=case.pk, status=CaseStatus.WAITING_ON_CUSTOMER).update(
            status=CaseStatus.IN_PROGRESS
        )
        _event(
            case,
            Kind.STATUS,
            actor,
            at,
            old=CaseStatus.WAITING_ON_CUSTOMER,
            new=CaseStatus.IN_PROGRESS,
        )
    _touch(case, at)
    return event


def _record_first_response(case: Case, actor: User, at: datetime) -> None:
    Case.objects.filter(pk=case.pk, first_responded_at__isnull=True).update(first_responded_at=at)
    moved = Case.objects.filter(pk=case.pk, status=CaseStatus.NEW).update(
        status=CaseStatus.IN_PROGRESS
    )
    if moved:
        _event(case, Kind.STATUS, actor, at, old=CaseStatus.NEW, new=CaseStatus.IN_PROGRESS)


@transaction.atomic
def case_log_call(
    *, actor: User, case: Case, summary: str, at: datetime | None = None
) -> CaseEvent:
    """Support staff record a phone call with the contact; it counts as a response."""
    at = at or timezone.now()
    if not policies.can_work_case(actor):
        raise NotAllowed(_("Only support staff log calls."))
    summary = (summary or "").strip()
    _require(bool(summary), _("Summarise the call."), "empty_message", "summary")
    _lock(case)
    if case.status == CaseStatus.CLOSED:
        raise Conflict(_("This request is closed; reopen it first."), code="case_closed")
    event = _event(case, Kind.CALL, actor, at, body=summary)
    _record_first_response(case, actor, at)
    _touch(case, at)
    return event


@transaction.atomic
def case_claim(*, actor: User, case: Case, at: datetime | None = None) -> Case:
    """An engineer takes an unassigned case. Of two claiming at once exactly one wins; the
    other gets a Conflict naming the winner."""
    at = at or timezone.now()
    if not policies.may_be_assigned(actor):
        raise NotAllowed(_("Only support staff claim requests."))
    won = Case.objects.filter(
        pk=case.pk, assigned_to__isnull=True, status__in=OPEN_STATUSES
    ).update(assigned_to=actor, last_activity_at=at)
    if not won:
        case.refresh_from_db()
        holder = case.assigned_to.display_name if case.assigned_to else None
        message = (
            _("%(name)s has already claimed this request.") % {"name": holder}
            if holder
            else _("This request is closed.")
        )
        raise Conflict(message, code="already_claimed")
    _event(case, Kind.ASSIGNED, actor, at, public=False, new=actor.email)
    case.refresh_from_db()
    return case


@transaction.atomic
def case_assign(
    *, actor: User, case: Case, assignee: User | None, at: datetime | None = None
) -> Case:
    """Assign, transfer or unassign (assignee None) a case."""
    at = at or timezone.now()
    if not policies.can_assign_to_others(actor):
        raise NotAllowed(_("Only support staff assign requests."))
    if assignee is not None and not policies.may_be_assigned(assignee):
        raise InvalidInput(
            _("Requests can only be assigned to support staff."),
            code="invalid_assignee",
            fields={"assignee": assignee.email},
        )
    _lock(case)
    old = case.assigned_to.email if case.assigned_to_id else ""
    _touch(case, at, assigned_to=assignee)
    _event(
        case,
        Kind.ASSIGNED,
        actor,
        at,
        public=False,
        old=old,
        new=assignee.email if assignee else "",
    )
    return case


@transaction.atomic
def case_change_severity(
    *, actor: User, case: Case, severity: str, reason: str, at: datetime | None = None
) -> Case:
    """Support staff change the severity with a reason; the target is recomputed from the
    submission time with the tenant's current tier."""
    at = at or timezone.now()
    if not policies.can_work_case(actor):
        raise NotAllowed(_("Only support staff change severity."))
    reason = (reason or "").strip()
    _require(bool(reason), _("Give a reason for the change."), "reason_required", "reason")
    _require(
        severity in Severity.values, _("Choose severity A, B or C."), "invalid_severity", "severity"
    )
    _lock(case)
    if severity == Severity.A:
        _require(
            case.category_id == "technical",
            _("Severity A exists for technical requests only."),
            "severity_not_allowed",
            "severity",
        )
        _require(
            bool(case.contact_phone) and case.available_24x7,
            _("Severity A needs a phone number and the contact's 24x7 availability."),
            "needs_phone_and_24x7",
            "severity",
        )
    if case.status == CaseStatus.CLOSED:
        raise Conflict(_("This request is closed."), code="case_closed")
    old = case.severity
    if old == severity:
        return case
    case.severity = severity
    _event(case, Kind.SEVERITY, actor, at, old=old, new=severity, body=reason)
    _retarget(case, actor, at)
    case.save(update_fields=["severity", *TARGET_FIELDS])
    return case


@transaction.atomic
def case_set_waiting(*, actor: User, case: Case, at: datetime | None = None) -> Case:
    """Support staff hand the case to the customer; their next reply hands it back."""
    at = at or timezone.now()
    if not policies.can_work_case(actor):
        raise NotAllowed(_("Only support staff set a request to waiting on the customer."))
    moved = Case.objects.filter(
        pk=case.pk, status__in=[CaseStatus.NEW, CaseStatus.IN_PROGRESS]
    ).update(status=CaseStatus.WAITING_ON_CUSTOMER, last_activity_at=at)
    if not moved:
        raise Conflict(_("Only an open request can wait on the customer."), code="invalid_state")
    old = case.status
    case.refresh_from_db()
    _event(case, Kind.STATUS, actor, at, old=old, new=CaseStatus.WAITING_ON_CUSTOMER)
    notifications.queue([_customer_message(case, Notification.Kind.WAITING_ON_YOU)], at=at)
    return case


@transaction.atomic
def case_close(*, actor: User, case: Case, summary: str = "", at: datetime | None = None) -> Case:
    """Close an open case. Support staff give a resolution summary; the customer may close
    their own request at any time. The reopen window runs 14 days from now."""
    at = at or timezone.now()
    _check_visible(actor, case, at)
    summary = (summary or "").strip()
    if policies.can_work_case(actor):
        _require(bool(summary), _("Give a resolution summary."), "summary_required", "summary")
    old = case.status
    closed = Case.objects.filter(pk=case.pk, status__in=OPEN_STATUSES).update(
        status=CaseStatus.CLOSED,
        closed_at=at,
        reopen_until=at + REOPEN_WINDOW,
        reopen_window_closed_at=None,
        resolution_summary=summary,
        last_activity_at=at,
    )
    if not closed:
        raise Conflict(_("This request is already closed."), code="case_closed")
    case.refresh_from_db()
    _event(case, Kind.CLOSED, actor, at, old=old, new=CaseStatus.CLOSED, body=summary)
    closed_notice = _customer_message(case, Notification.Kind.CASE_CLOSED, summary=summary)
    # The survey is the filer's to answer, so the filer hears of the closing even when the
    # request named someone else as its contact.
    closed_notice.to.append(case.opened_by.email)
    notifications.queue([closed_notice], at=at)
    return case


@transaction.atomic
def case_reopen(*, actor: User, case: Case, at: datetime | None = None) -> Case:
    """Reopen a closed case within 14 days of closing, to the second; it returns to in progress.

    Raises Conflict once the window has passed (offer a new linked request instead). A reopen
    racing the window sweep: exactly one of them wins.
    """
    at = at or timezone.now()
    _check_visible(actor, case, at)
    reopened = Case.objects.filter(
        pk=case.pk,
        status=CaseStatus.CLOSED,
        reopen_until__gt=at,
        reopen_window_closed_at__isnull=True,
    ).update(
        status=CaseStatus.IN_PROGRESS,
        closed_at=None,
        reopen_until=None,
        reopen_count=F("reopen_count") + 1,
        last_activity_at=at,
    )
    if not reopened:
        raise Conflict(
            _("This request can no longer be reopened; open a new one linked to it."),
            code="reopen_window_closed",
        )
    case.refresh_from_db()
    _event(case, Kind.REOPENED, actor, at, old=CaseStatus.CLOSED, new=CaseStatus.IN_PROGRESS)
    notifications.queue([_engineer_message(case, Notification.Kind.CASE_REOPENED)], at=at)
    return case


@transaction.atomic
def survey_submit(
    *, actor: User, case: Case, rating: int, comment: str = "", at: datetime | None = None
) -> SatisfactionSurvey:
    """The filer rates a closed case, once per closure."""
    at = at or timezone.now()
    _check_visible(actor, case, at)
    if not policies.can_submit_survey(actor, case):
        raise NotAllowed(_("Only the admin who filed the request rates it."))
    _require(
        isinstance(rating, int) and not isinstance(rating, bool) and 1 <= rating <= 5,
        _("Rate from 1 to 5."),
        "invalid_rating",
        "rating",
    )
    _lock(case)
    if case.status != CaseStatus.CLOSED:
        raise Conflict(_("Only a closed request can be rated."), code="invalid_state")
    try:
        with transaction.atomic():
            survey = SatisfactionSurvey.objects.create(
                case=case,
                closure=case.reopen_count,
                rating=rating,
                comment=(comment or "").strip()[:4000],
                submitted_by=actor,
                submitted_at=at,
            )
    except IntegrityError:
        raise Conflict(_("You have already rated this closure."), code="survey_done") from None
    _event(case, Kind.SURVEY, actor, at, new=str(rating), body=survey.comment)
    return survey


@transaction.atomic
def case_change_category(
    *,
    actor: User,
    case: Case,
    category: Category,
    problem_type: ProblemType | None = None,
    reason: str,
    at: datetime | None = None,
) -> Case:
    """Support staff re-triage a request into another category (and problem type); the target is
    recomputed from the submission time. Severity A leaves with the technical category."""
    at = at or timezone.now()
    if not policies.can_work_case(actor):
        raise NotAllowed(_("Only support staff change the category."))
    reason = (reason or "").strip()
    _require(bool(reason), _("Give a reason for the change."), "reason_required", "reason")
    check_classification(category, problem_type)
    _lock(case)
    if case.status == CaseStatus.CLOSED:
        raise Conflict(_("This request is closed."), code="case_closed")
    old = case.category_id
    case.category = category
    case.problem_type = problem_type
    if problem_type is not None and problem_type.product_id:
        case.product_id = problem_type.product_id
    if case.severity == Severity.A and category.pk != "technical":
        case.severity = Severity.B
        _event(case, Kind.SEVERITY, actor, at, old=Severity.A, new=Severity.B, body=reason)
    _event(case, Kind.TARGET, actor, at, old=old, new=category.pk, body=reason)
    _retarget(case, actor, at)
    case.save(update_fields=["category", "problem_type", "product", "severity", *TARGET_FIELDS])
    return case


def tenant_retarget_open_cases(*, tenant: Tenant, at: datetime | None = None) -> int:
    """After the tenant's tier changed (a subscription or contract edited), recompute the target
    of its open cases still waiting for a first response, from their submission time. A tenant
    left with no tier keeps its cases' last commitment. Bounded by one tenant's open backlog."""
    at = at or timezone.now()
    tier = account_selectors.tenant_support_tier(tenant, at=at)
    if tier is None:
        return 0
    changed = 0
    with transaction.atomic():
        waiting = (
            Case.objects.select_for_update()
            .filter(tenant=tenant, status__in=OPEN_STATUSES, first_responded_at__isnull=True)
            .exclude(support_tier=tier)
            .select_related("tenant")
        )
        for case in waiting:
            old = case.support_tier
            _event(case, Kind.TARGET, None, at, old=old, new=tier, public=False)
            _retarget(case, None, at)
            case.save(update_fields=TARGET_FIELDS)
            changed += 1
    return changed
