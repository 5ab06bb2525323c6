"""The per-request lookups compiled once per process (helpdesk.prepared): the session, the
signed-in user and the device that verified the session give what the ORM gives, and a signed-in
request still answers, refuses and redirects as before."""

import re
from datetime import UTC, timedelta

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
from cases import queue_rows
from cases.models import Case
from cases.selectors_queue import _first_page_of
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


def _prepared_on_server() -> dict[str, str]:
    """The statements this connection has prepared on the server, with their parameter types."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement, parameter_types::text FROM pg_prepared_statements")
        return dict(cursor.fetchall())


def test_on_postgresql_the_lookups_are_prepared_on_the_server(world):
    """Planned once per connection rather than on every request; elsewhere (SQLite) they are
    sent as Django sends them."""
    user = AccountBackend().get_user(world["engineer"].pk)
    assert user == world["engineer"]
    if connection.vendor != "postgresql":
        assert not _SIGNED_IN_USER.is_prepared_on_server()
        return
    assert _SIGNED_IN_USER.is_prepared_on_server()
    statements = _prepared_on_server()
    user_statements = [sql for sql in statements if _reads(User, sql)]
    assert len(user_statements) == 1
    # The call's value is the one parameter (an integer type as small as the value, which
    # psycopg picks); the rest of the statement is fixed text.
    assert statements[user_statements[0]] in ("{smallint}", "{integer}", "{bigint}")


def test_a_prepared_queue_page_has_its_constants_in_its_text(world, open_case):
    """The statuses of the open views are written into the statement, so that its one plan
    still reads the queue's partial index (whose condition names them)."""
    open_case(title="Waiting for an answer")
    page = _first_page_of("all", queue_rows.COLUMNS, 50)
    assert [row.title for row in page.all()] == ["Waiting for an answer"]
    if connection.vendor != "postgresql":
        return
    statements = _prepared_on_server()
    queue = [sql for sql in statements if _reads(Case, sql) and "LIMIT 51" in sql]
    assert len(queue) == 1
    assert "'in_progress'" in queue[0]
    assert statements[queue[0]] == "{}"


def test_the_prepared_user_matches_the_orm_times_included(world):
    """Read without query logging (which sends the statement through Django's own cursor): the
    server's cursor reads times as Django does, aware and in UTC."""
    User.objects.filter(pk=world["engineer"].pk).update(last_login=world.now)
    expected = _orm_user(world["engineer"].pk)
    user = AccountBackend().get_user(world["engineer"].pk)
    assert _fields(user) == _fields(expected)
    assert user.last_login.tzinfo is UTC and user.date_joined.tzinfo is UTC


def test_a_constant_with_a_percent_sign_is_written_into_the_statement_as_it_is(open_case):
    half = open_case(title="Delivery at 50% of normal")
    open_case(title="Delivery at 50 of normal")
    by_title = PreparedQuery(lambda: Case.objects.filter(title="Delivery at 50% of normal"))
    by_title_and_pk = PreparedQuery(
        lambda pk: Case.objects.filter(title="Delivery at 50% of normal", pk=pk),
        samples=((-7_304_001,), (-7_304_002,)),
    )
    assert by_title.all() == [half]
    assert by_title_and_pk.first(half.pk) == half
    assert by_title_and_pk.first(half.pk + 1) is None


def test_without_prepared_statements_the_lookups_still_skip_the_orm(world, monkeypatch):
    """DATABASE_PREPARED_STATEMENTS=false (a pooler that cannot keep them): compiled once, sent
    as Django sends its statements."""
    options = {**connection.settings_dict["OPTIONS"]}
    options.pop("prepare_threshold", None)
    monkeypatch.setitem(connection.settings_dict, "OPTIONS", options)
    lookup = PreparedQuery(
        lambda pk: User.objects.filter(pk=pk), samples=((-7_305_001,), (-7_305_002,))
    )
    assert lookup.is_prepared() and not lookup.is_prepared_on_server()
    assert lookup.first(world["engineer"].pk) == world["engineer"]


def _alter_elsewhere(sql: str) -> None:
    """Run DDL from another connection, as a deploy's migration would beside running workers."""
    import psycopg

    params = connection.get_connection_params()
    other = psycopg.connect(
        **{
            key: params[key]
            for key in ("host", "port", "user", "password", "dbname")
            if key in params
        },
        autocommit=True,
    )
    with other:
        other.execute(sql)


@pytest.fixture
def display_name_widened_elsewhere():
    """Widens `accounts_user.display_name` from another connection when called; narrows it back
    (the test database outlives the test)."""
    widened = []

    def widen():
        _alter_elsewhere("ALTER TABLE accounts_user ALTER COLUMN display_name TYPE varchar(300)")
        widened.append(True)

    yield widen
    if widened:
        _alter_elsewhere("ALTER TABLE accounts_user ALTER COLUMN display_name TYPE varchar(150)")


@pytest.mark.postgres
def test_a_column_changed_by_a_migration_elsewhere_does_not_break_the_lookups(
    display_name_widened_elsewhere,
):
    """PostgreSQL refuses a prepared statement whose result columns changed type ("cached plan
    must not change result type"): the lookup is sent unprepared instead, at once and on every
    later request of that connection."""
    user = User.objects.create(email="ddl@contoso.example", display_name="Dana")
    assert _SIGNED_IN_USER.is_prepared_on_server()
    assert AccountBackend().get_user(user.pk) == user

    display_name_widened_elsewhere()

    for _request in range(2):
        assert AccountBackend().get_user(user.pk).display_name == "Dana"


@pytest.mark.postgres
def test_inside_a_transaction_the_outdated_statement_fails_once_then_goes_unprepared(
    display_name_widened_elsewhere,
):
    """The failed statement aborts the caller's transaction, so it cannot be retried there; the
    caller's next transaction reads the user again."""
    from django.db import NotSupportedError, transaction

    user = User.objects.create(email="ddl@contoso.example", display_name="Dana")
    assert AccountBackend().get_user(user.pk) == user
    display_name_widened_elsewhere()

    with pytest.raises(NotSupportedError), transaction.atomic():
        AccountBackend().get_user(user.pk)
    assert AccountBackend().get_user(user.pk) == user


def test_a_rolled_back_transaction_leaves_the_lookups_working(world):
    """psycopg forgets (and deallocates) what it prepared when a transaction or savepoint rolls
    back; the next call prepares the statement again."""
    from django.db import IntegrityError, transaction

    assert AccountBackend().get_user(world["engineer"].pk) == world["engineer"]
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(email=world["engineer"].email, display_name="Twin")
    assert AccountBackend().get_user(world["engineer"].pk) == world["engineer"]
    if connection.vendor == "postgresql":
        assert any(_reads(User, sql) for sql in _prepared_on_server())


def test_a_prepared_statement_is_counted_by_execute_wrappers(world):
    """What the bench's statement counts and any query instrumentation rely on."""
    seen = []

    def watch(execute, sql, params, many, context):
        seen.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(watch):
        AccountBackend().get_user(world["engineer"].pk)
    assert len(seen) == 1 and _reads(User, seen[0])
