from datetime import UTC, datetime

import pytest
from django.db import connection

from tests.personas import build_world

NOW = datetime(2026, 6, 15, 14, 30, tzinfo=UTC)


def pytest_collection_modifyitems(config, items):
    """Tests marked `postgres` need row locks and real concurrency, which SQLite cannot give.

    CI always runs on PostgreSQL, so there they run; a local SQLite run reports them skipped.
    """
    on_postgres = connection.vendor == "postgresql"
    for item in items:
        if item.get_closest_marker("postgres"):
            item.add_marker(pytest.mark.django_db(transaction=True))
            if not on_postgres:
                item.add_marker(pytest.mark.skip(reason="needs PostgreSQL (set DATABASE_URL)"))


@pytest.fixture
def now():
    return NOW


@pytest.fixture
def world(db, now):
    return build_world(now)
