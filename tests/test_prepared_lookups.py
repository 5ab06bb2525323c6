"""The per-request lookups compiled once per process (helpdesk.prepared): the session, the
signed-in user and the device that verified the session give what the ORM gives, and a signed-in
request still answers, refuses and redirects as before."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import policies
from accounts.backends import _SIGNED_IN_USER, AccountBackend
from accounts.middleware import _DEVICE_LOOKUPS
from accounts.models import TenantRole, User
from cases.models import Case
from helpdesk.prepared import PreparedQuery
from helpdesk.sessions import _LIVE_SESSION, SessionStore

QUEUE = reverse("console_queue")
VERIFY = reverse("mfa_verify")
PERSONAS = ["engineer", "manager", "partner_active", TenantRole.GLOBAL_ADMIN]


def _orm_user(pk):
    users = User.objects.select_related("support_profile")
    return policies.with_second_factor_facts(users).get(pk=pk)


def _fields(instance) -> dict:
    return {field.attname: getattr(instance, field.attname) for field in instance._meta.fields}


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_signed_in_user_is_what_the_orm_loads_profile_and_facts_included(
    world, persona, django_assert_num_queries
):
    expected = _orm_user(world[persona].pk)
    TOTPDevice.objects.create(user=world[persona], name="app", confirmed=True)
    expected_enrolled = _orm_user(world[persona].pk)

    with django_assert_num_queries(1):
        user = AccountBackend().get_user(world[persona].pk)
        # The profile came with the user: telling staff apart costs nothing more.
        staff = policies.is_support_staff(user)

    assert _fields(user) == _fields(expected)
    assert staff == (persona in ("engineer", "manager"))
    assert user.second_factor_enrolled is True is not expected.second_factor_enrolled
    assert user.second_factor_enrolled == expected_enrolled.second_factor_enrolled
    assert user.second_factor_required == expected.second_factor_required
    assert user._state.adding is False and user._state.db == "default"


def test_an_unknown_or_deactivated_user_is_nobody(world):
    assert AccountBackend().get_user(10**12) is None
    User.objects.filter(pk=world["engineer"].pk).update(is_active=False)
    assert AccountBackend().get_user(world["engineer"].pk) is None


def test_the_lookups_of_every_request_skip_the_orm_where_the_database_takes_values_as_given(db):
    assert _SIGNED_IN_USER.is_prepared()
    assert all(lookup.is_prepared() for lookup in _DEVICE_LOOKUPS.values())
    # SQLite stores datetimes as text, which the ORM formats: there the session goes through it.
    assert _LIVE_SESSION.is_prepared() == (connection.vendor == "postgresql")


def test_values_the_orm_rewrites_are_looked_up_through_the_orm(open_case):
    """`contains` escapes and wraps its value: it cannot be passed as given, so every call goes
    through the queryset, and a `%` is a percent sign, not a wildcard."""
    lookup = PreparedQuery(
        lambda text: Case.objects.filter(title__contains=text).order_by("pk"),
        samples=(("sample one",), ("sample two",)),
    )
    half = open_case(title="Delivery at 50% of normal")
    open_case(title="Delivery at 500 per hour")
    assert not lookup.is_prepared()
    assert lookup.first("50%") == half
    assert lookup.first("0%") == half
    assert lookup.first("nothing like it") is None


def test_none_and_statements_the_orm_would_not_send_are_left_to_the_orm(world, open_case):
    unassigned = open_case(title="Nobody has it")
    by_assignee = PreparedQuery(
        lambda pk: Case.objects.filter(assigned_to_id=pk).order_by("pk"),
        samples=((-7_303_001,), (-7_303_002,)),
    )
    assert by_assignee.is_prepared()
    # The ORM writes IS NULL for None, which a prepared "= %s" would never match.
    assert by_assignee.first(None) == unassigned
    assert by_assignee.all(world["engineer"].pk) == []
    nothing = PreparedQuery(lambda: Case.objects.none())
    assert not nothing.is_prepared()
    assert nothing.all() == [] and nothing.first() is None


def test_a_live_session_is_read_and_an_expired_one_is_not(world, client):
    client.force_login(world["engineer"])
    key = client.session.session_key

    live = SessionStore(session_key=key)
    assert int(live[SESSION_KEY]) == world["engineer"].pk

    Session.objects.filter(session_key=key).update(expire_date=timezone.now() - timedelta(1))
    expired = SessionStore(session_key=key)
    assert SESSION_KEY not in expired
    # A new session is started rather than the old key reused.
    assert expired.session_key is None


def test_an_expired_session_signs_the_engineer_out(world, client):
    client.force_login(world["engineer"])
    assert client.get(QUEUE).status_code == 200
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    response = client.get(QUEUE)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_removed_authenticator_no_longer_verifies_the_session(world, client):
    client.force_login(world["engineer"])
    assert client.get(QUEUE).status_code == 200
    TOTPDevice.objects.filter(user=world["engineer"]).update(confirmed=False)
    response = client.get(QUEUE)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_enrol"))


def test_another_users_device_does_not_verify_the_session(world, client):
    other = TOTPDevice.objects.create(user=world["manager"], name="theirs", confirmed=True)
    TOTPDevice.objects.create(user=world["engineer"], name="mine", confirmed=True)
    client.force_login(world["engineer"])
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = other.persistent_id
    session.save()
    response = client.get(QUEUE)
    assert response.status_code == 302
    assert response["Location"].startswith(VERIFY)
    # The stale device id is dropped from the session.
    assert DEVICE_ID_SESSION_KEY not in client.session


def test_a_session_verified_with_a_recovery_code_passes(world, unverified_client):
    TOTPDevice.objects.create(user=world["engineer"], name="app", confirmed=True)
    codes = StaticDevice.objects.create(user=world["engineer"], name="Recovery codes")
    unverified_client.force_login(world["engineer"])
    session = unverified_client.session
    session[DEVICE_ID_SESSION_KEY] = codes.persistent_id
    session.save()
    assert unverified_client.get(QUEUE).status_code == 200


@pytest.mark.parametrize(
    "persistent_id", ["otp_totp.totpdevice/x1", "otp_totp.totpdevice/²", "nothing/1", "junk"]
)
def test_a_malformed_device_id_leaves_the_session_unverified(
    world, unverified_client, persistent_id
):
    TOTPDevice.objects.create(user=world["engineer"], name="app", confirmed=True)
    unverified_client.force_login(world["engineer"])
    session = unverified_client.session
    session[DEVICE_ID_SESSION_KEY] = persistent_id
    session.save()
    response = unverified_client.get(QUEUE)
    assert response.status_code == 302
    assert response["Location"].startswith(VERIFY)


def test_a_signed_in_page_reads_session_user_and_device_in_one_statement_each(world, client):
    client.force_login(world["engineer"])
    client.get(QUEUE)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(QUEUE).status_code == 200
    tables = [Session, User, TOTPDevice]
    reads = [
        [query["sql"] for query in captured.captured_queries if _reads(model, query["sql"])]
        for model in tables
    ]
    assert [len(statements) for statements in reads] == [1, 1, 1]


def _reads(model, sql: str) -> bool:
    """`sql` reads `model`'s table itself (a subquery on it has an alias such as U0)."""
    table = re.escape(connection.ops.quote_name(model._meta.db_table))
    return re.search(rf"FROM {table}(?! U\d)", sql) is not None
