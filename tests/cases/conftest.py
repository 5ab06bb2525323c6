import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts without the snapshots (dashboard backlog) an earlier test cached."""
    cache.clear()
