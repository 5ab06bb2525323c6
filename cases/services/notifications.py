"""The notification outbox: queue messages with the change that causes them, deliver them later.

Rows are written in the caller's transaction, so a message exists exactly when its change does.
Delivery leases a batch of due rows, sends each through Django's email backend, and retries with
back-off; a worker that dies mid-send leaves the lease to run out and the row to be sent again.
"""

import logging
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template import Context
from django.template.loader import get_template
from django.utils import timezone, translation

from accounts.models import SupportProfile, SupportRole, User

from ..models import Notification

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
LEASE = timedelta(minutes=5)
BATCH = 100

Kind = Notification.Kind


@dataclass
class Message:
    kind: str
    to: list[str] = field(default_factory=list)
    cc: list[str] = field(default_factory=list)
    audience: str = Notification.Audience.ADDRESS
    case_id: int | None = None
    relationship_id: int | None = None
    language: str = "en"
    context: dict = field(default_factory=dict)
    dedupe_key: str | None = None


def _row(message: Message, at: datetime) -> Notification:
    return Notification(
        kind=message.kind,
        audience=message.audience,
        to=sorted({address for address in message.to if address}),
        cc=sorted({address for address in message.cc if address} - set(message.to)),
        case_id=message.case_id,
        relationship_id=message.relationship_id,
        language=message.language,
        context=message.context,
        dedupe_key=message.dedupe_key,
        next_attempt_at=at,
        created_at=at,
    )


def queue(messages: Iterable[Message], *, at: datetime | None = None) -> int:
    """Write outbox rows in the current transaction and ask a worker to deliver them after commit.

    Rows whose dedupe key already exists are skipped, so "notify once" holds across retries and
    concurrent sweeps.
    """
    at = at or timezone.now()
    rows = [_row(message, at) for message in messages]
    if not rows:
        return 0
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    transaction.on_commit(kick_delivery)
    return len(rows)


def kick_delivery() -> None:
    """Ask the worker to deliver now. The broker being down is fine: beat retries every minute."""
    from ..tasks import deliver_notifications

    try:
        deliver_notifications.delay()
    except Exception:  # noqa: BLE001 - any broker failure; the outbox keeps the message
        logger.warning("Could not reach the broker; notifications wait for the next sweep.")


def _lease(now: datetime, limit: int) -> list[Notification]:
    with transaction.atomic():
        ids = list(
            Notification.objects.filter(
                status=Notification.Status.PENDING, next_attempt_at__lte=now
            )
            .order_by("next_attempt_at")
            .select_for_update(skip_locked=True)
            .values_list("pk", flat=True)[:limit]
        )
        Notification.objects.filter(pk__in=ids).update(next_attempt_at=now + LEASE)
    return list(Notification.objects.filter(pk__in=ids).order_by("pk"))


def _manager_addresses() -> list[str]:
    return list(
        SupportProfile.objects.filter(role=SupportRole.MANAGER, user__is_active=True).values_list(
            "user__email", flat=True
        )
    )


# Context values that are instants (ISO 8601, as the services and the SQL sweeps store them).
INSTANTS = ("due",)


def _readable_instant(value, time_zone: str) -> str:
    """'2026-06-16 03:00 KST (2026-06-15 18:00 UTC)' in the recipient's zone, UTC alone for UTC
    or an unknown zone; a value that is not an instant is left as it is."""
    try:
        at = datetime.fromisoformat(str(value))
    except ValueError:
        return value
    if at.tzinfo is None:
        return value
    utc = at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    if time_zone in {"UTC", "Etc/UTC"}:
        return utc
    try:
        zone = zoneinfo.ZoneInfo(time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return utc
    return f"{at.astimezone(zone).strftime('%Y-%m-%d %H:%M %Z')} ({utc})"


def render(notification: Notification, *, time_zone: str = "UTC") -> tuple[str, str]:
    """Subject and plain-text body in the notification's language, with its instants in
    `time_zone` (the recipient's) beside UTC."""
    context = {**notification.context, "kind": notification.kind, "site_url": settings.SITE_URL}
    for name in INSTANTS:
        if name in context:
            context[name] = _readable_instant(context[name], time_zone)
    with translation.override(notification.language):
        subject = _render_text(f"emails/{notification.kind}_subject.txt", context)
        body = _render_text(f"emails/{notification.kind}.txt", context)
    return " ".join(subject.split()), body


def _render_text(name: str, context: dict) -> str:
    # Plain-text mail: HTML escaping would turn "R&D" into "R&amp;D".
    return get_template(name).template.render(Context(context, autoescape=False))


def _time_zones(batch: list[Notification]) -> dict[str, str]:
    """The time zone of each one-address recipient who has an account: one query per batch.
    Mail to several people (managers, a contact and a colleague) shows UTC."""
    addresses = {notification.to[0] for notification in batch if len(notification.to) == 1}
    if not addresses:
        return {}
    users = User.objects.filter(email__in=addresses).values_list("email", "time_zone")
    return dict(users)


def deliver_due(*, now: datetime | None = None, limit: int = BATCH) -> dict[str, int]:
    """Send the due notifications (at most `limit`); returns counts of sent, retried, failed."""
    now = now or timezone.now()
    counts = {"sent": 0, "retried": 0, "failed": 0}
    managers: list[str] | None = None
    batch = _lease(now, limit)
    zones = _time_zones(batch)
    for notification in batch:
        to = list(notification.to)
        if notification.audience == Notification.Audience.MANAGERS:
            managers = _manager_addresses() if managers is None else managers
            to = managers
        try:
            if not to:
                raise ValueError("No recipients (no active support manager?)")
            zone = zones.get(notification.to[0], "UTC") if len(notification.to) == 1 else "UTC"
            subject, body = render(notification, time_zone=zone)
            EmailMessage(subject, body, to=to, cc=notification.cc).send()
        except Exception as error:  # noqa: BLE001 - SMTP and template errors alike are retried
            attempts = notification.attempts + 1
            failed = attempts >= MAX_ATTEMPTS
            Notification.objects.filter(pk=notification.pk).update(
                attempts=attempts,
                last_error=str(error)[:2000],
                next_attempt_at=now + timedelta(minutes=2**attempts),
                status=Notification.Status.FAILED if failed else Notification.Status.PENDING,
            )
            counts["failed" if failed else "retried"] += 1
            continue
        Notification.objects.filter(pk=notification.pk).update(
            status=Notification.Status.SENT,
            sent_at=timezone.now(),
            attempts=notification.attempts + 1,
        )
        counts["sent"] += 1
    return counts
