"""Human labels for the codes stored on cases and in their history, for pages and long lists.

`get_status_display()` rebuilds a dict of every translated choice on each call, which a queue
page would do a hundred times; these filters look the code up in a dict built once.
"""

from django import template

from accounts.models import SupportTier
from cases.models import CaseStatus, Severity

register = template.Library()

_LABELS = {**dict(CaseStatus.choices), **dict(Severity.choices)}
_TIERS = dict(SupportTier.choices)


@register.filter
def code_label(value: str) -> str:
    """The translated label of a status or severity code; other values unchanged."""
    return _LABELS.get(value, value)


@register.filter
def status_label(value: str) -> str:
    return _LABELS.get(value, value)


@register.filter
def tier_label(value: str) -> str:
    return _TIERS.get(value, value)
