"""The choice lists of the queue's filters (categories, active products, support staff, who are
also the managers' bulk-assignment list), shared through the cache until one of them changes.

Every engineer's queue page shows them and htmx reloads the page every 30 seconds, while the
lists change a few times a month; reading them was three of the page's eight statements. Saving
or deleting a category, product, user or support profile moves the lists to a new generation
(`cases.signals`), at the save and again at its commit: a page that read the rows before the
commit stores them under a generation nobody reads any more. A change that bypasses model
signals (a bulk update) shows within `MAX_AGE` seconds.
"""

from dataclasses import dataclass

from helpdesk import shared_cache

from .models import Category, Product
from .models.taxonomy import in_language
from .selectors_queue import support_staff

# The shape of FilterChoices is in the key, so a deploy never reads lists cached by the last one.
KEY = "cases:queue-filter-choices:v3"
GENERATION = f"{KEY}:generation"
MAX_AGE = 300


@dataclass(frozen=True)
class FilterChoices:
    # (code, English name, Korean name): the lists are shared by every language.
    categories: tuple[tuple[str, str, str], ...]
    products: tuple[tuple[str, str, str], ...]
    # (id, display name, email)
    staff: tuple[tuple[int, str, str], ...]

    def staff_names(self) -> list[tuple[str, str]]:
        return [(str(pk), name) for pk, name, _email in self.staff]

    def staff_names_and_emails(self) -> list[tuple[str, str]]:
        """As a user is shown in assignment lists: "Name <email>"."""
        return [(str(pk), f"{name} <{email}>") for pk, name, email in self.staff]

    def category_labels(self) -> list[tuple[str, str]]:
        return _labelled(self.categories)

    def product_labels(self) -> list[tuple[str, str]]:
        return _labelled(self.products)


def _labelled(rows: tuple[tuple[str, str, str], ...]) -> list[tuple[str, str]]:
    """(code, name in the active language) of (code, English name, Korean name) rows."""
    return [(code, in_language(name, korean)) for code, name, korean in rows]


def _read() -> FilterChoices:
    products = Product.objects.filter(is_active=True)
    return FilterChoices(
        categories=tuple(Category.objects.values_list("code", "name", "name_ko")),
        products=tuple(products.values_list("code", "name", "name_ko")),
        staff=tuple(support_staff().values_list("pk", "display_name", "email")),
    )


def current_key() -> str:
    return f"{KEY}:{shared_cache.get(GENERATION) or 0}"


def filter_choices() -> FilterChoices:
    """The lists as the database holds them, from the cache when it has them (no query)."""
    key = current_key()
    choices = shared_cache.get(key)
    if not isinstance(choices, FilterChoices):
        choices = _read()
        shared_cache.set(key, choices, MAX_AGE)
    return choices


def forget_filter_choices() -> None:
    shared_cache.bump(GENERATION)
