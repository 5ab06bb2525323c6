"""`{% load cases_markdown %}` then `{{ article.body|markdown }}`: Markdown rendered safely."""

from django import template
from django.utils.safestring import SafeString

from cases.markdown import render_markdown

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(value: object) -> SafeString:
    """Render ``value`` as Markdown through `cases.markdown.render_markdown`; None is ""."""
    return render_markdown("" if value is None else str(value))
