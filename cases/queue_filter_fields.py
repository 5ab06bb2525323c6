"""The queue's filter fields as HTML: rendered once per language and filter lists' generation,
for the pages that filter nothing, and shared through the cache with the lists themselves.

Every queue page shows the filters, and most show them empty (the default view, the other views,
later pages). Building the form and rendering its eight fields, with a couple of hundred staff
options, through the field templates was a fifth of the page's time. A page with filters in its
query renders its bound form (values, errors) every time.
"""

import hashlib
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.template.loader import get_template, render_to_string
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from helpdesk import shared_cache, widgets

from . import forms_console
from .forms_console import QueueFilterForm
from .queue_choices import MAX_AGE, current_key, filter_choices

TEMPLATE = "cases/console/_queue_filter_fields.html"
# Query parameters that are not filters: they leave the filter fields empty.
NOT_FILTERS = frozenset({"view", "after"})


def read(query) -> tuple[dict, SafeString]:
    """The filters a queue page's query asks for (none where it is invalid), and the filter
    fields' HTML showing them."""
    if all(name in NOT_FILTERS for name in query):
        return {"view": query.get("view", "")}, empty_fields_html()
    form = QueueFilterForm(query, choices=filter_choices())
    return (form.cleaned_data if form.is_valid() else {}), _fields_html(form)


def _fields_html(form: QueueFilterForm) -> SafeString:
    return render_to_string(TEMPLATE, {"form": form})


@lru_cache(maxsize=1)
def _made_of() -> str:
    """A fingerprint of what the fields' HTML is made of besides the lists: the form, its widget,
    the field templates and the translations. Processes of two releases (a rolling deploy) keep
    their HTML apart, and a new release never shows the last one's."""
    sources = [
        Path(forms_console.__file__),
        Path(widgets.__file__),
        *(Path(get_template(name).origin.name) for name in (TEMPLATE, "partials/field.html")),
        *sorted(
            catalogue
            for folder in settings.LOCALE_PATHS
            for catalogue in Path(folder).glob("*/LC_MESSAGES/django.mo")
        ),
    ]
    digest = hashlib.sha256()
    for source in sources:
        digest.update(source.read_bytes())
    return digest.hexdigest()[:16]


def empty_fields_html() -> SafeString:
    """The unbound form's fields, under the generation of the lists they show: a change to a
    category, product or staff member shows at once, as in the lists (`cases.queue_choices`)."""
    key = f"{current_key()}:empty-fields:{_made_of()}:{get_language()}"
    html = shared_cache.get(key)
    if not isinstance(html, str):
        html = _fields_html(QueueFilterForm(None, choices=filter_choices()))
        shared_cache.set(key, str(html), MAX_AGE)
    return mark_safe(html)  # noqa: S308 - rendered by the template engine above, escaped there
