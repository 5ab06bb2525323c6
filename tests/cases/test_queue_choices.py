"""The queue's filter lists (categories, products, staff) are shared through the cache: a warm
queue page reads none of them, yet every change to them shows on the next page."""

import html
import re

import pytest
from django.contrib.auth.models import update_last_login
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from cases import queue_choices, queue_filter_fields, selectors_queue
from cases.models import Product
from tests.factories import SupportProfileFactory

QUEUE = reverse("console_queue")
# The three lists' statements: categories, products, and staff by name.
LIST_READS = ('FROM "cases_category"', 'FROM "cases_product"', '"display_name" ASC')


@pytest.fixture
def engineer_client(client, world, categories, product):
    client.force_login(world["engineer"])
    return client


def options(response, field: str) -> list[tuple[str, str]]:
    """The (value, label) options of the page's `field` select, as the browser sees them."""
    select = re.search(
        rf'<select name="{field}"[^>]*>(.*?)</select>', response.content.decode(), re.S
    )
    assert select is not None, field
    return [
        (html.unescape(value), html.unescape(label))
        for value, label in re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select[1])
    ]


def test_a_warm_queue_page_reads_none_of_the_lists(engineer_client, world):
    engineer_client.get(QUEUE)
    with CaptureQueriesContext(connection) as captured:
        response = engineer_client.get(QUEUE)

    statements = [query["sql"] for query in captured.captured_queries]
    assert not [sql for sql in statements if any(read in sql for read in LIST_READS)]
    # Session, the user with their staff profile, the authenticator, the page of cases.
    assert len(statements) == 4
    assert (str(world["engineer"].pk), world["engineer"].display_name) in options(
        response, "assigned"
    )
    assert ("mail", "Mail") in options(response, "product")


def test_changes_to_the_lists_show_on_the_next_page(engineer_client, categories, product):
    engineer_client.get(QUEUE)

    newcomer = SupportProfileFactory(user__display_name="Noa Newcomer").user
    billing = categories["billing"]
    billing.name = "Billing and licences"
    billing.save()
    product.is_active = False
    product.save()
    response = engineer_client.get(QUEUE)

    assert (str(newcomer.pk), "Noa Newcomer") in options(response, "assigned")
    assert ("billing", "Billing and licences") in options(response, "category")
    assert "mail" not in dict(options(response, "product"))


def test_a_deactivated_or_removed_engineer_leaves_the_list(engineer_client, world):
    leaver = SupportProfileFactory(user__display_name="Lee Leaver").user
    mover = SupportProfileFactory(user__display_name="Mo Mover")
    engineer_client.get(QUEUE)

    leaver.is_active = False
    leaver.save()
    mover.delete()
    assigned = dict(options(engineer_client.get(QUEUE), "assigned"))

    assert str(leaver.pk) not in assigned
    assert str(mover.user.pk) not in assigned
    assert assigned[str(world["engineer"].pk)] == world["engineer"].display_name


def test_lists_read_before_a_change_was_committed_are_not_kept(
    engineer_client, django_capture_on_commit_callbacks
):
    engineer_client.get(QUEUE)
    with django_capture_on_commit_callbacks() as on_commit:
        newcomer = SupportProfileFactory(user__display_name="Noa Newcomer").user
    # Another page read the lists before the commit, and stores them after it.
    read_before_commit = queue_choices.current_key()
    stale = queue_choices.FilterChoices(categories=(), products=(), staff=())
    for callback in on_commit:
        callback()
    cache.set(read_before_commit, stale)

    assigned = dict(options(engineer_client.get(QUEUE), "assigned"))

    assert assigned[str(newcomer.pk)] == "Noa Newcomer"


def test_signing_in_keeps_the_lists(engineer_client, world):
    engineer_client.get(QUEUE)

    update_last_login(None, world["engineer"])

    assert isinstance(cache.get(queue_choices.current_key()), queue_choices.FilterChoices)


def test_without_a_reachable_cache_the_lists_come_from_the_database(
    engineer_client, world, settings
):
    # A real Redis client pointed at a port where nothing listens: every cache call fails.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        }
    }
    Product.objects.create(code="bookings", name="Bookings")

    response = engineer_client.get(QUEUE)

    assert response.status_code == 200
    assert ("bookings", "Bookings") in options(response, "product")
    assert (str(world["engineer"].pk), world["engineer"].display_name) in options(
        response, "assigned"
    )


def test_empty_filters_are_shared_per_language_and_chosen_filters_stay_chosen(
    engineer_client, world
):
    def filters(query=None) -> str:
        page = engineer_client.get(QUEUE, query or {}).content.decode()
        return re.search(r'<form method="get" class="filters".*?</form>', page, re.S)[0]

    # The Korean pages leave Korean active in this thread; the block puts back what was.
    with translation.override(None):
        english = filters({"view": "mine"})
        engineer_client.cookies["django_language"] = "ko"
        korean = filters()
        chosen = filters({"severity": "B", "assigned": "none"})

    assert '<label for="id_severity">Severity</label>' in english
    assert '<label for="id_severity">심각도</label>' in korean
    selected = re.compile(r'<option value="([^"]*)" selected>')
    assert set(selected.findall(english)) == set(selected.findall(korean)) == {""}
    assert {"B", "none"} <= set(selected.findall(chosen))


def test_each_release_shares_its_own_filter_html(tmp_path, settings):
    """Another form, template or translation (a rolling deploy) is another cache entry."""
    made_of = queue_filter_fields._made_of
    made_of.cache_clear()
    current = made_of()
    catalogue = tmp_path / "ko" / "LC_MESSAGES" / "django.mo"
    catalogue.parent.mkdir(parents=True)
    catalogue.write_bytes(b"the next release's translations")
    settings.LOCALE_PATHS = [tmp_path]
    made_of.cache_clear()
    try:
        assert made_of() != current
    finally:
        made_of.cache_clear()


def test_managers_pick_from_every_active_staff_member_and_see_newcomers_at_once(
    client, world, open_case
):
    open_case()
    client.force_login(world["manager"])
    client.get(QUEUE)
    newcomer = SupportProfileFactory(user__display_name="Noa <Newcomer>").user

    shown = options(client.get(QUEUE), "assignee")

    staff = selectors_queue.support_staff()
    assert shown == [("", "---------"), *[(str(user.pk), str(user)) for user in staff]]
    assert (str(newcomer.pk), f"Noa <Newcomer> <{newcomer.email}>") in shown
    # Engineers have no bulk assignment, so no list.
    client.force_login(world["engineer"])
    assert 'name="assignee"' not in client.get(QUEUE).content.decode()
