from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection

from accounts.models import TenantRole
from cases.models import Category, ProblemType, Product
from cases.services import lifecycle
from cases.services.lifecycle import Contact, Impact
from tests.personas import build_world

NOW = datetime(2026, 6, 15, 14, 30, tzinfo=UTC)


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """Tests marked `postgres` need row locks and real concurrency, which SQLite cannot give.

    CI always runs on PostgreSQL, so there they run; a local SQLite run reports them skipped.
    Runs before pytest-django's hook so that it orders these transactional tests last.
    """
    on_postgres = connection.vendor == "postgresql"
    for item in items:
        if item.get_closest_marker("postgres"):
            # serialized_rollback restores the seeded reference data that a transactional test flushes.
            item.add_marker(pytest.mark.django_db(transaction=True, serialized_rollback=True))
            if not on_postgres:
                item.add_marker(pytest.mark.skip(reason="needs PostgreSQL (set DATABASE_URL)"))


@pytest.fixture
def now():
    return NOW


@pytest.fixture
def frozen_clock(now):
    """The clock stands still at NOW for the test; `later`-style offsets are passed explicitly."""
    with time_machine.travel(now, tick=False) as traveller:
        yield traveller


@pytest.fixture
def world(db, now, frozen_clock):
    return build_world(now)


@pytest.fixture
def categories(db):
    names = {
        "pre_sales": "Pre-sales",
        "billing": "Billing and subscription",
        "technical": "Technical",
    }
    return {
        code: Category.objects.get_or_create(code=code, defaults={"name": name})[0]
        for code, name in names.items()
    }


@pytest.fixture
def product(db):
    return Product.objects.get_or_create(code="mail", defaults={"name": "Mail"})[0]


@pytest.fixture
def problem_type(categories, product):
    return ProblemType.objects.create(
        category=categories["technical"],
        product=product,
        code="test-mail-flow",
        name="Mail flow",
        default_severity="B",
    )


@pytest.fixture
def contact():
    return Contact(
        name="Dana Whitfield",
        email="dana@contoso.example",
        phone="+1 212 555 0100",
        alternate_email="it@contoso.example",
        time_zone="America/New_York",
    )


@pytest.fixture
def open_case(world, categories, problem_type, contact):
    """File a technical request as Contoso's global admin; keyword arguments override."""

    def _open(**overrides):
        arguments = {
            "actor": world[TenantRole.GLOBAL_ADMIN],
            "tenant": world.contoso,
            "category": categories["technical"],
            "problem_type": problem_type,
            "title": "Mail is not arriving",
            "description": "Since this morning no external mail arrives.",
            "contact": contact,
            "impact": Impact(service="impaired", users="several", workaround=False),
            "at": world.now,
        }
        arguments.update(overrides)
        return lifecycle.case_open(**arguments)

    return _open


@pytest.fixture
def later(world):
    def _later(**delta):
        return world.now + timedelta(**delta)

    return _later
