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


def _bearer(user) -> dict:
    _, token = api_token_create(actor=user, name="schemathesis")
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def customer_bearer(world):
    return _bearer(world["global_admin"])


@pytest.fixture
def engineer_bearer(world):
    return _bearer(world["engineer"])


@pytest.fixture
def real_case(open_case):
    return open_case()


schema = schemathesis.pytest.from_fixture("api_schema")


SETTINGS = settings(
    max_examples=12,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
CHECKS = [not_a_server_error, response_schema_conformance]


def _aim(case, world, real_case) -> None:
    # Point half of the generated requests at a real case and relationship, so the services
    # behind the endpoints see generated bodies, not only 404s.
    if case.path_parameters and hash(repr(case.body)) % 2 == 0:
        if "number" in case.path_parameters:
            case.path_parameters["number"] = real_case.number
        if "id" in case.path_parameters:
            case.path_parameters["id"] = world.relationships["partner_pending"].pk


@schema.parametrize()
@SETTINGS
def test_generated_requests_from_a_tenant_admin_never_break_the_api(
    case, customer_bearer, world, real_case
):
    _aim(case, world, real_case)
    case.call_and_validate(headers=customer_bearer, checks=CHECKS)


@schema.parametrize()
@SETTINGS
def test_generated_requests_from_an_engineer_never_break_the_api(
    case, engineer_bearer, world, real_case
):
    _aim(case, world, real_case)
    case.call_and_validate(headers=engineer_bearer, checks=CHECKS)
