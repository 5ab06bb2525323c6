"""The choice lists of the queue's filters (categories, active products, support staff), shared
through the cache until one of them changes.

Every engineer's queue page shows them and htmx reloads the page every 30 seconds, while the
lists change a few times a month; reading them was three of the page's eight statements. Saving
or deleting a category, product, user or support profile forgets the lists (`cases.signals`);
a change that bypasses model signals (a bulk update) shows within `MAX_AGE` seconds.
"""

from dataclasses import dataclass

from helpdesk import shared_cache

from .models import Category, Product
from .selectors_queue import support_staff

KEY = "cases:queue-filter-choices"
MAX_AGE = 300


@dataclass(frozen=True)
class FilterChoices:
    categories: tuple[tuple[str, str], ...]
    products: tuple[tuple[str, str], ...]
    staff: tuple[tuple[int, str], ...]


def _read() -> FilterChoices:
    return FilterChoices(
        categories=tuple(Category.objects.values_list("code", "name")),
        products=tuple(Product.objects.filter(is_active=True).values_list("code", "name")),
        staff=tuple(support_staff().values_list("pk", "display_name")),
    )


def filter_choices() -> FilterChoices:
    """The lists as the database holds them, from the cache when it has them (no query)."""
    choices = shared_cache.get(KEY)
    if not isinstance(choices, FilterChoices):
        choices = _read()
        shared_cache.set(KEY, choices, MAX_AGE)
    return choices


def forget_filter_choices() -> None:
    shared_cache.delete(KEY)
