"""The engineer queue's table rows as HTML, built in Python.

The queue is the console's most viewed page, polled every 30 seconds by every engineer, and its
fifty rows were most of its rendering time through the template engine. Every value is escaped
here exactly as the template escaped it; tests/cases/test_queue_rows.py compares the two.
"""

from collections.abc import Iterable
from datetime import datetime
from functools import cache
from html import escape

from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from helpdesk.phrasebook import Phrasebook

from .templatetags.cases_labels import status_label, tier_label
from .templatetags.cases_time import short_time, time_left

_NUMBER = "__number__"

# What the rows show, and what the queue's order and cursor read: the rest of a case (its
# description above all) stays in the database.
COLUMNS = (
    "number",
    "title",
    "severity",
    "status",
    "support_language",
    "support_tier",
    "queue_breached",
    "queue_due_at",
    "opened_at",
    "initial_response_due_at",
    "first_responded_at",
    "last_activity_at",
    "tenant__name",
    "assigned_to__display_name",
)


def _text(value) -> str:
    return escape(str(value))


def queue_rows_html(cases: Iterable, *, now: datetime, selectable: bool) -> SafeString:
    """`<tr>`s of the queue table from rows of `COLUMNS` (`queue_for(..., columns=COLUMNS)`):
    a checkbox for bulk assignment when `selectable`, and a Claim button (submitting the page's
    shared claim form) on unassigned cases."""
    # Case numbers are letters, digits and dashes, safe in a path as they are.
    case_url = reverse("console_case", args=[_NUMBER])
    claim_url = reverse("console_case_action", args=[_NUMBER, "claim"])
    # The language and time zone stay put while the rows are built: look each phrase and label
    # up once, not once a row (see helpdesk.phrasebook).
    phrases, zone = Phrasebook(), timezone.get_current_timezone()
    status_html = cache(lambda code: _text(status_label(code)))
    tier_html = cache(lambda code: _text(tier_label(code) or "-"))
    severity_html = cache(
        lambda code: f'<span class="badge sev-{escape(code)}">{escape(code)}</span>'
    )
    language_html = cache(escape)
    breached = f'<span class="badge breached">{_text(phrases.gettext("Breached"))}</span> '
    claim = _text(phrases.gettext("Claim"))
    rows = []
    for case in cases:
        number = escape(case.number)
        select = ""
        if selectable:
            label = escape(phrases.gettext("Select %(n)s") % {"n": case.number})
            select = (
                f'<td><input type="checkbox" name="numbers" value="{number}" form="bulk-form"'
                f' aria-label="{label}"></td>'
            )
        due = breached if case.queue_breached else ""
        if case.initial_response_due_at:
            due += f"{escape(short_time(case.initial_response_due_at, zone))} · "
        due += escape(time_left(case, now, phrases))
        assignee, action = case.assigned_to__display_name, ""
        if assignee is None:
            assignee = "—"
            action = (
                f'<button type="submit" form="claim-form"'
                f' formaction="{claim_url.replace(_NUMBER, number)}" class="small"'
                f' data-testid="claim">{claim}</button>'
            )
        else:
            assignee = escape(assignee)
        rows.append(
            f'<tr data-testid="queue-row" data-number="{number}">{select}'
            f'<td><a href="{case_url.replace(_NUMBER, number)}">{number}</a></td>'
            f"<td>{escape(case.tenant__name)} "
            f'<span class="badge">{tier_html(case.support_tier)}</span></td>'
            f"<td>{severity_html(case.severity)}</td>"
            f"<td>{escape(case.title)}</td>"
            f"<td>{status_html(case.status)}</td>"
            f"<td>{language_html(case.support_language)}</td>"
            f"<td>{assignee}</td>"
            f"<td>{due}</td>"
            f"<td>{escape(short_time(case.last_activity_at, zone))}</td>"
            f"<td>{action}</td></tr>"
        )
    return mark_safe("\n".join(rows))  # noqa: S308 - every value above is escaped
