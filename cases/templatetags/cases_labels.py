"""Human labels for the codes stored in a case's history (status and severity changes)."""

from django import template

from cases.models import CaseStatus, Severity

register = template.Library()

_LABELS = {**dict(CaseStatus.choices), **dict(Severity.choices)}


@register.filter
def code_label(value: str) -> str:
    """The translated label of a status or severity code; other values unchanged."""
    return _LABELS.get(value, value)
