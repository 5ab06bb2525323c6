import pytest
from rest_framework.test import APIClient


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def as_persona(api, world):
    """An API client authenticated as a persona of the matrix (None: anonymous)."""

    def _as(persona):
        user = world[persona]
        api.force_authenticate(user=user)
        return api

    return _as
