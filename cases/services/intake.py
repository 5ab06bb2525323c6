"""Phone intake (spec section 7): an engineer files a request for a tenant admin who calls in,
once the caller has read back a one-time code sent to that admin's registered email.

start -> verify -> file. The code is six digits from `secrets`, kept only as a salted HMAC keyed
with SECRET_KEY, lives ten minutes and allows five tries. It is mailed at once with Django's mail
API rather than through the notification outbox: an outbox row would keep the code in plain text
in its context, and the outbox retries with back-off for longer than the code lives.
"""

import re
import secrets
import smtplib
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts import policies as account_policies
from accounts.models import Tenant, User
from helpdesk.errors import Conflict, InvalidInput, NotAllowed, NotFound

from ..models import Case, CaseEvent, Category, IntakeVerification, ProblemType, Product
from ..models.intake import CODE_LIFETIME_MINUTES, MAX_ATTEMPTS
from . import lifecycle
from .lifecycle import Contact, Impact

Status = IntakeVerification.Status

CODE_LIFETIME = timedelta(minutes=CODE_LIFETIME_MINUTES)
# After the caller is verified the engineer has this long to file the request.
FILING_WINDOW = timedelta(minutes=30)
# No admin gets more than this many codes an hour, however often intake is started.
CODES_PER_HOUR = 5
_HMAC_SALT = "cases.services.intake.code"


class WrongCode(InvalidInput):
    """The code read back does not match; `attempts_left` more tries remain."""

    code = "wrong_code"

    def __init__(self, attempts_left: int):
        message = ngettext(
            "That code is not right. %(count)d try left.",
            "That code is not right. %(count)d tries left.",
            attempts_left,
        ) % {"count": attempts_left}
        super().__init__(message, fields={"code": message})
        self.attempts_left = attempts_left


def _hash_code(code: str, nonce: str) -> str:
    digest = salted_hmac(_HMAC_SALT, f"{nonce}:{code}", algorithm="sha256").hexdigest()
    return f"{nonce}${digest}"


def _code_matches(verification: IntakeVerification, code: str) -> bool:
    nonce, _sep, _digest = verification.code_hash.partition("$")
    return constant_time_compare(_hash_code(code, nonce), verification.code_hash)


def _require_staff(actor: User) -> None:
    if not account_policies.is_support_staff(actor):
        raise NotAllowed(
            _("Only support engineers and managers take phone intake."), code="not_support_staff"
        )


def _require_own(actor: User, verification: IntakeVerification) -> None:
    """Another engineer's verification is treated as missing, like another tenant's case."""
    _require_staff(actor)
    if verification.engineer_id != actor.pk:
        raise NotFound(_("No such phone intake."))


def is_tenant_admin(user: User, tenant: Tenant) -> bool:
    """A caller we may file for: holds a request role directly on the tenant (spec section 7).

    Partners act through their own delegation, and support staff are not customers."""
    if account_policies.is_support_staff(user):
        return False
    return bool(account_policies.direct_roles(user, tenant) & account_policies.REQUEST_ROLES)


def _format_time(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def _send_code(verification: IntakeVerification, code: str) -> None:
    admin = verification.admin
    language = admin.preferred_language if admin.preferred_language in {"en", "ko"} else "en"
    with translation.override(language):
        subject = _("Your support verification code")
        body = _(
            "Hello %(name)s,\n\n"
            "%(engineer)s from support is on the phone with someone who says they are you and "
            "wants to file a service request for %(tenant)s.\n\n"
            "If that is you, read this code to the engineer: %(code)s\n\n"
            "The code works until %(expires)s. If you did not call support, do not share it with "
            "anyone; nothing is filed without it.\n"
        ) % {
            "name": admin.display_name,
            "engineer": verification.engineer.display_name,
            "tenant": verification.tenant.name,
            "code": code,
            "expires": _format_time(verification.expires_at),
        }
    try:
        send_mail(subject, body, None, [verification.sent_to], fail_silently=False)
    except (smtplib.SMTPException, OSError) as error:
        raise Conflict(
            _("The code could not be emailed; try again in a moment."), code="code_not_sent"
        ) from error


def intake_state(verification: IntakeVerification, *, at: datetime | None = None) -> str:
    """Where the verification stands at `at`, for pages: a status, where "expired" also covers a
    pending code past its ten minutes and a verification past its filing window (the stored status
    catches up on the next try)."""
    at = at or timezone.now()
    status = verification.status
    if status == Status.PENDING and at >= verification.expires_at:
        return Status.EXPIRED
    if status == Status.VERIFIED and at > verification.verified_at + FILING_WINDOW:
        return Status.EXPIRED
    return status


@transaction.atomic
def intake_start(
    *, actor: User, tenant: Tenant, admin: User, at: datetime | None = None
) -> IntakeVerification:
    """Send a one-time code to `admin`'s registered email and return the pending verification.

    The actor must be support staff (NotAllowed "not_support_staff"); the admin must hold a
    request role directly on the tenant (InvalidInput "not_tenant_admin"). Starting again for the
    same admin ends the actor's earlier pending check. More than CODES_PER_HOUR codes to one admin
    in an hour is a Conflict "too_many_codes". The mail is sent before returning; if it cannot be
    sent nothing is recorded (Conflict "code_not_sent").
    """
    at = at or timezone.now()
    _require_staff(actor)
    if not is_tenant_admin(admin, tenant):
        message = _("Choose an admin of %(tenant)s who may file service requests.") % {
            "tenant": tenant.name
        }
        raise InvalidInput(message, code="not_tenant_admin", fields={"admin": message})
    recent = IntakeVerification.objects.filter(admin=admin, created_at__gt=at - timedelta(hours=1))
    if recent.count() >= CODES_PER_HOUR:
        raise Conflict(
            _("%(name)s was sent %(count)d codes in the last hour; wait before sending another.")
            % {"name": admin.display_name, "count": CODES_PER_HOUR},
            code="too_many_codes",
        )
    IntakeVerification.objects.filter(engineer=actor, admin=admin, status=Status.PENDING).update(
        status=Status.EXPIRED
    )
    code = f"{secrets.randbelow(10**6):06d}"
    verification = IntakeVerification.objects.create(
        engineer=actor,
        tenant=tenant,
        admin=admin,
        sent_to=admin.email,
        code_hash=_hash_code(code, secrets.token_hex(8)),
        created_at=at,
        expires_at=at + CODE_LIFETIME,
    )
    # Last, inside the transaction: a code that could not be sent leaves no verification behind.
    _send_code(verification, code)
    return verification


def _locked() -> Conflict:
    return Conflict(
        _("Too many wrong codes. Send a new one to try again."), code="too_many_attempts"
    )


def _state_error(verification: IntakeVerification) -> Conflict:
    """The error that explains why a verification that is not pending takes no more codes."""
    if verification.status == Status.EXPIRED:
        return Conflict(_("The code has expired. Send a new one."), code="code_expired")
    if verification.status == Status.LOCKED:
        return _locked()
    return Conflict(_("The caller is already verified."), code="already_verified")


def intake_verify(
    *,
    actor: User,
    verification: IntakeVerification,
    code: str,
    at: datetime | None = None,
) -> IntakeVerification:
    """Check the code the caller read back; on success the verification becomes verified.

    Only the engineer who started it (NotFound for anyone else). Every try counts, the right one
    included. A wrong code raises WrongCode (InvalidInput "wrong_code" with `attempts_left`); the
    fifth wrong try locks it (Conflict "too_many_attempts"). After ten minutes: Conflict
    "code_expired". The row is locked while a try is judged, so parallel guesses cannot exceed
    five; the count is saved even when the try fails.
    """
    at = at or timezone.now()
    _require_own(actor, verification)
    code = "".join(str(code or "").split())
    error: Exception | None = None
    with transaction.atomic():
        row = IntakeVerification.objects.select_for_update().get(pk=verification.pk)
        if row.status == Status.PENDING and at >= row.expires_at:
            row.status = Status.EXPIRED
            row.save(update_fields=["status"])
        if row.status != Status.PENDING:
            error = _state_error(row)
        else:
            # Claim the try with a conditional UPDATE: even without the row lock (SQLite) no
            # sixth guess can be judged.
            claimed = IntakeVerification.objects.filter(
                pk=row.pk, status=Status.PENDING, attempts__lt=MAX_ATTEMPTS
            ).update(attempts=F("attempts") + 1)
            row.refresh_from_db()
            if not claimed:
                error = _locked()
            elif re.fullmatch(r"[0-9]{6}", code) and _code_matches(row, code):
                row.status, row.verified_at = Status.VERIFIED, at
                row.save(update_fields=["status", "verified_at"])
            elif row.attempts >= MAX_ATTEMPTS:
                row.status = Status.LOCKED
                row.save(update_fields=["status"])
                error = _locked()
            else:
                error = WrongCode(row.attempts_left)
    # Raised after the block so the counted try (or the expiry) is kept.
    for field in ("status", "attempts", "verified_at"):
        setattr(verification, field, getattr(row, field))
    if error is not None:
        raise error
    return verification


@transaction.atomic
def intake_file(
    *,
    actor: User,
    verification: IntakeVerification,
    category: Category,
    title: str,
    description: str,
    contact: Contact,
    product: Product | None = None,
    problem_type: ProblemType | None = None,
    impact: Impact | None = None,
    chosen_severity: str | None = None,
    attachments: Sequence = (),
    at: datetime | None = None,
) -> Case:
    """File the request on behalf of the verified admin, through `lifecycle.case_open`.

    Only the engineer who started the verification (NotFound otherwise), only once it is verified
    and not used (Conflict "not_verified" / "already_used"), and within FILING_WINDOW of the
    verification (Conflict "verification_expired"). The new case is opened by the admin; the
    intake steps are added to its history as internal events. Field errors from `case_open`
    (InvalidInput) leave the verification usable.
    """
    at = at or timezone.now()
    _require_own(actor, verification)
    row = IntakeVerification.objects.select_for_update().select_related("admin", "tenant")
    row = row.get(pk=verification.pk)
    if row.status == Status.USED:
        raise Conflict(_("A request was already filed for this call."), code="already_used")
    if row.status != Status.VERIFIED:
        raise Conflict(_("The caller has not been verified."), code="not_verified")
    if at > row.verified_at + FILING_WINDOW:
        raise Conflict(
            _("The verification is more than 30 minutes old. Verify the caller again."),
            code="verification_expired",
        )
    case = lifecycle.case_open(
        actor=actor,
        tenant=row.tenant,
        on_behalf_of=row.admin,
        category=category,
        product=product,
        problem_type=problem_type,
        title=title,
        description=description,
        contact=contact,
        impact=impact or Impact(),
        chosen_severity=chosen_severity,
        attachments=attachments,
        at=at,
    )
    marked = IntakeVerification.objects.filter(pk=row.pk, status=Status.VERIFIED).update(
        status=Status.USED, used_by_case=case
    )
    if not marked:
        raise Conflict(_("A request was already filed for this call."), code="already_used")
    CaseEvent.objects.bulk_create(
        [
            CaseEvent(
                case=case,
                kind=CaseEvent.Kind.NOTE,
                actor=actor,
                is_public=False,
                body=_("Phone intake: one-time code sent to %(email)s at %(time)s.")
                % {"email": row.sent_to, "time": _format_time(row.created_at)},
                at=at,
            ),
            CaseEvent(
                case=case,
                kind=CaseEvent.Kind.CALL,
                actor=actor,
                is_public=False,
                body=ngettext(
                    "Phone intake: caller verified as %(name)s (%(email)s) at %(time)s after "
                    "%(count)d try; request filed on their behalf.",
                    "Phone intake: caller verified as %(name)s (%(email)s) at %(time)s after "
                    "%(count)d tries; request filed on their behalf.",
                    row.attempts,
                )
                % {
                    "name": row.admin.display_name,
                    "email": row.sent_to,
                    "time": _format_time(row.verified_at),
                    "count": row.attempts,
                },
                at=at,
            ),
        ]
    )
    verification.status, verification.used_by_case = Status.USED, case
    return case
