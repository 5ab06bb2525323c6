"""The queue's filter fields as HTML: rendered once per language and filter lists' generation,
for the pages that filter nothing, and shared through the cache with the lists themselves.

Every queue page shows the filters, and most show them empty (the default view, the other views,
later pages). Building the form and rendering its eight fields, with a couple of hundred staff
options, through the field templates was a fifth of the page's time. A page with filters in its
query renders its bound form (values, errors) every time.
"""

from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from helpdesk import shared_cache

from .forms_console import QueueFilterForm
from .queue_choices import MAX_AGE, current_key, filter_choices

TEMPLATE = "cases/console/_queue_filter_fields.html"
# Query parameters that are not filters: they leave the filter fields empty.
NOT_FILTERS = frozenset({"view", "after"})


def filters_in(query) -> bool:
    """Whether a queue page's query string asks for any filter."""
    return any(name not in NOT_FILTERS for name in query)


def bound_fields_html(form: QueueFilterForm) -> SafeString:
    return render_to_string(TEMPLATE, {"form": form})


def empty_fields_html() -> SafeString:
    """The unbound form's fields, under the generation of the lists they show: a change to a
    category, product or staff member shows at once, as in the lists (`cases.queue_choices`)."""
    key = f"{current_key()}:empty-fields:{get_language()}"
    html = shared_cache.get(key)
    if not isinstance(html, str):
        html = bound_fields_html(QueueFilterForm(None, choices=filter_choices()))
        shared_cache.set(key, str(html), MAX_AGE)
    return mark_safe(html)  # noqa: S308 - rendered by the template engine above, escaped there
