from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import policies
from cases.models import Category, ProblemType, Product
from cases.services.lifecycle import Contact, Impact
from tests.personas import build_world, filer

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


class VerifiedClient(Client):
    """A test client whose `force_login` also passes the second sign-in step.

    Staff and partner users must verify every session with an authenticator (see
    `accounts.policies.second_factor_step`). Tests about what such users may do sign them in with
    `force_login` as before; this marks the session verified by a real confirmed device (created
    when the user has none), exactly what the verification page records. Tests about the
    second step itself use `unverified_client`.
    """

    def force_login(self, user, backend=None):
        super().force_login(user, backend)
        if user is not None:
            verify_session(self, user)


def verify_session(client: Client, user) -> None:
    """Mark `client`'s session as verified by `user`'s authenticator, when the user has one or
    must have one (a plain tenant user without one is left as it is)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()
    if device is None:
        if not policies.requires_second_factor(user):
            return
        device = TOTPDevice.objects.create(user=user, name="Test authenticator", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


@pytest.fixture
def client():
    """pytest-django's `client`, whose force_login also passes the second step."""
    return VerifiedClient()


@pytest.fixture
def unverified_client():
    """A plain Django test client: force_login leaves the second step to the test."""
    return Client()


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
    impaired = Impact(service="impaired", users="several", workaround=False)
    return filer(world, categories, problem_type, contact, at=world.now, impact=impaired)


@pytest.fixture
def later(world):
    def _later(**delta):
        return world.now + timedelta(**delta)

    return _later
