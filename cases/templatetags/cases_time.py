"""Times for lists and request headers: how long is left on a response target, and short local
timestamps."""

from datetime import datetime, tzinfo

from django import template
from django.utils import timezone, translation

from helpdesk.phrasebook import Phrasebook

register = template.Library()


def _span(seconds: int, phrases) -> str:
    minutes = max(seconds // 60, 0)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        return phrases.ngettext("%(n)d day", "%(n)d days", days) % {"n": days} + (
            " " + phrases.ngettext("%(n)d hour", "%(n)d hours", hours) % {"n": hours}
            if hours
            else ""
        )
    if hours:
        return phrases.ngettext("%(n)d hour", "%(n)d hours", hours) % {"n": hours} + (
            " " + phrases.gettext("%(n)d min") % {"n": minutes} if minutes else ""
        )
    return phrases.gettext("%(n)d min") % {"n": minutes}


@register.simple_tag
def time_left(case, now: datetime | None = None, phrases: Phrasebook | None = None) -> str:
    """'3 hours 20 min left', 'overdue by 2 days', 'responded' or 'no commitment'. Long lists
    pass their `phrases`."""
    phrases = phrases or translation
    now = now or timezone.now()
    if case.first_responded_at is not None:
        return phrases.gettext("responded")
    due = case.initial_response_due_at
    if due is None:
        return phrases.gettext("no commitment")
    seconds = int((due - now).total_seconds())
    if seconds > 0:
        return phrases.gettext("%(span)s left") % {"span": _span(seconds, phrases)}
    return phrases.gettext("overdue by %(span)s") % {"span": _span(-seconds, phrases)}


@register.filter
def short_time(value: datetime | None, zone: tzinfo | None = None) -> str:
    """'06-15 23:30 KST' in the viewer's time zone (or `zone`, which long lists look up once):
    the `date:"m-d H:i T"` of long lists, without Django's general date formatter."""
    if value is None:
        return ""
    return timezone.localtime(value, zone).strftime("%m-%d %H:%M %Z")


@register.filter
def long_time(value: datetime | None, zone: tzinfo | None = None) -> str:
    """'2026-06-15 23:30 KST' in the viewer's time zone (or `zone`): the `date:"Y-m-d H:i T"` of
    request lists, without Django's general date formatter."""
    if value is None:
        return ""
    return timezone.localtime(value, zone).strftime("%Y-%m-%d %H:%M %Z")
