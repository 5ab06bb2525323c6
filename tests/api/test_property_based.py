"""Schemathesis against the served schema: generated requests to every operation, bounded in
examples, must never get a 5xx nor a response that breaks the schema."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from accounts.tokens import api_token_create


@pytest.fixture
def api_schema(world, settings):
    # Schemathesis calls the WSGI app as "localhost", in this thread and this test's transaction;
    # like Django's test client, keep the request cycle from closing the test's connection.
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "localhost"]
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/v1/schema/", get_wsgi_application())
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def bearer(world):
    _, token = api_token_create(actor=world["global_admin"], name="schemathesis")
    return {"Authorization": f"Bearer {token}"}


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(
    max_examples=15,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_generated_requests_never_break_the_api(case, bearer, world):
    case.call_and_validate(headers=bearer, checks=[not_a_server_error, response_schema_conformance])
