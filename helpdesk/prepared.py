"""Querysets compiled once per process, for the lookups that every request makes.

Each signed-in request loads its session, its user (with the staff profile and the facts of the
two-step rule) and its authenticator. Building and compiling those querysets cost the ORM five to
ten times the statements' own round trips: the user alone, with its three `EXISTS`, about 3 ms
of Python for a 0.3 ms statement. A `PreparedQuery` compiles its queryset once per database
alias, then for each call only sends the statement with the call's values and builds the
instances as the queryset would (related objects from `select_related`, annotations).

It is used only where the ORM passes the call's values to the database unchanged (integers,
strings, and aware datetimes on PostgreSQL): at compile time it checks that the values appear as
given in the compiled parameters, and otherwise runs the queryset as usual, every time.

On PostgreSQL the statement is also prepared on the server, once per connection (and again
after a rollback, which makes psycopg drop what it prepared), where the database allows it (`prepare_threshold` in the connection's OPTIONS, see settings). Planning the
queue's first page at a million cases took PostgreSQL about 0.4 ms on every request, twice its
execution; a prepared statement is planned once. Django's own cursors bind their parameters on
the client and are never prepared, so a prepared query is sent through a server-binding cursor
of its own, with the statement's constants written into its text (as Django's cursor would have
sent them) and only the call's values as parameters: PostgreSQL then keeps one plan that still
matches the partial indexes whose conditions name those constants. That cursor also reads times
with psycopg's compiled loader rather than Django's Python one (see `_utc_timestamptz_loader`).
"""

from __future__ import annotations

import re
import threading
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import cache

from django.conf import settings
from django.core.exceptions import EmptyResultSet, FullResultSet
from django.db import DatabaseError, connections, router
from django.db.models import Model, QuerySet
from django.db.models.query import ModelIterable, NamedValuesListIterable, get_related_populators
from django.db.models.utils import create_namedtuple_class

Build = Callable[..., QuerySet]


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple
    slots: tuple[tuple[int, ...], ...]  # per argument, where its value goes in `params`
    build_row: Callable[[tuple], object]
    on_server: bool = False  # prepared on the server (PostgreSQL)


class PreparedQuery:
    """`build(*values)` returns the queryset, of model instances or of named tuples
    (`values_list(..., named=True)`); `all(*values)` is the list it gives and `first(*values)` its
    first row or None (for lookups of one row: no LIMIT or order is added).

    `samples` are two different sets of example values of the right types: compiling with each
    tells where every argument lands in the statement's parameters. They must not equal any
    other parameter of the statement, and `build` must hand its arguments to lookups as they are
    (not derive other values from them). A query without arguments needs none. A call with None
    goes through the ORM (which writes `IS NULL` for it).
    """

    def __init__(self, build: Build, samples: tuple[Sequence, Sequence] = ((), ())):
        self._build = build
        self._samples = samples
        self._model: type[Model] | None = None
        self._compiled: dict[str, _Compiled | None] = {}
        self._lock = threading.Lock()

    def first(self, *values):
        using, compiled = self._for_reading()
        if compiled is None or None in values:
            return next(iter(self._build(*values)), None)
        row = _run(connections[using], compiled, values, lambda cursor: cursor.fetchone())
        return None if row is None else compiled.build_row(row)

    def all(self, *values) -> list:
        using, compiled = self._for_reading()
        if compiled is None or None in values:
            return list(self._build(*values))
        rows = _run(connections[using], compiled, values, lambda cursor: cursor.fetchall())
        return [compiled.build_row(row) for row in rows]

    def is_prepared(self) -> bool:
        """Whether calls skip the ORM on the database this query reads from."""
        return self._for_reading()[1] is not None

    def is_prepared_on_server(self) -> bool:
        """Whether the database also plans the statement once per connection."""
        compiled = self._for_reading()[1]
        return compiled is not None and compiled.on_server

    def _for_reading(self) -> tuple[str, _Compiled | None]:
        if self._model is None:
            self._model = self._build(*self._samples[0]).model
        using = router.db_for_read(self._model)
        compiled = self._compiled.get(using, False)
        if compiled is False:
            compiled = self._compile(using)
        return using, compiled

    def _compile(self, using: str) -> _Compiled | None:
        with self._lock:
            if using not in self._compiled:
                self._compiled[using] = self._compiled_or_none(using)
            return self._compiled[using]

    def _compiled_or_none(self, using: str) -> _Compiled | None:
        try:
            return self._compiled_from_samples(using)
        except (EmptyResultSet, FullResultSet):
            return None  # a statement the ORM would not send as such: leave it to the ORM

    def _compiled_from_samples(self, using: str) -> _Compiled | None:
        first, second = self._samples
        queryset = self._build(*first)
        compiler = queryset.query.get_compiler(using=using)
        # Also fills in the compiler's columns, related objects and annotations.
        sql, params = compiler.as_sql()
        row_builder = _row_builder(queryset, compiler, using)
        if row_builder is None:
            return None
        slots = []
        for index in range(len(first)):
            varied = [*first[:index], second[index], *first[index + 1 :]]
            other_sql, other_params = self._build(*varied).query.get_compiler(using).as_sql()
            if other_sql != sql or len(other_params) != len(params):
                return None
            pairs = enumerate(zip(params, other_params, strict=True))
            moved = tuple(i for i, (a, b) in pairs if a != b)
            passed_as_given = all(
                params[i] is first[index] and other_params[i] is second[index] for i in moved
            )
            if not moved or not passed_as_given:
                return None
            slots.append(moved)
        compiled = _Compiled(sql, tuple(params), tuple(slots), row_builder)
        if _can_prepare(connections[using]):
            compiled = _with_constants_inlined(compiled, connections[using])
        return compiled


def _can_prepare(connection) -> bool:
    return (
        connection.vendor == "postgresql"
        and connection.settings_dict["OPTIONS"].get("prepare_threshold") is not None
    )


# A placeholder, or an escaped percent sign, in SQL written for the driver's `%s` style.
_PLACEHOLDER = re.compile(r"%[s%]")


def _with_constants_inlined(compiled: _Compiled, connection) -> _Compiled:
    """`compiled` with every parameter that is not a call's value written into the SQL as a
    literal, quoted as Django's client-binding cursor quotes it, and marked to be prepared."""
    from psycopg import sql as psycopg_sql

    connection.ensure_connection()
    keep = sorted(slot for slots in compiled.slots for slot in slots)
    position = iter(range(len(compiled.params)))

    def placeholder(match: re.Match) -> str:
        if match.group() == "%%":
            return "%%"
        index = next(position)
        if index in keep:
            return "%s"
        literal = psycopg_sql.Literal(compiled.params[index]).as_string(connection.connection)
        return literal.replace("%", "%%")

    text = _PLACEHOLDER.sub(placeholder, compiled.sql)
    moved = {old: new for new, old in enumerate(keep)}
    return replace(
        compiled,
        sql=text,
        params=tuple(compiled.params[index] for index in keep),
        slots=tuple(tuple(moved[slot] for slot in slots) for slots in compiled.slots),
        on_server=True,
    )


# psycopg connections whose prepared statements stopped matching the database (see `_run`).
_UNPREPARED: weakref.WeakSet = weakref.WeakSet()


def _run(connection, compiled: _Compiled, values: Sequence, fetch: Callable):
    try:
        with _cursor(connection, compiled) as cursor:
            cursor.execute(compiled.sql, _params(compiled, values))
            return fetch(cursor)
    except DatabaseError as error:
        if not (compiled.on_server and _prepared_statement_outdated(error)):
            raise
        # A migration changed a column that the prepared statement returns (PostgreSQL then
        # refuses to run it), or a pooler dropped it: psycopg would send it again on every
        # request for the connection's life. This connection's statements go unprepared from
        # now on, and this one again at once, unless it aborted the caller's transaction.
        _UNPREPARED.add(connection.connection)
        if connection.in_atomic_block:
            raise
    with connection.cursor() as cursor:
        cursor.execute(compiled.sql, _params(compiled, values))
        return fetch(cursor)


def _prepared_statement_outdated(error: DatabaseError) -> bool:
    sqlstate = getattr(error.__cause__, "sqlstate", None)
    # 0A000 with this message: "cached plan must not change result type"; 26000: "prepared
    # statement ... does not exist".
    return (sqlstate == "0A000" and "cached plan" in str(error)) or sqlstate == "26000"


def _cursor(connection, compiled: _Compiled):
    """Django's cursor; for a statement prepared on the server, one that binds on the server and
    prepares, wrapped as Django wraps its own (errors, execute wrappers). While queries are
    logged (DEBUG, a test capturing them), Django's own, so that the log shows each statement as
    sent, with its values."""
    if not compiled.on_server or connection.queries_logged:
        return connection.cursor()
    from django.db.backends.postgresql.psycopg_any import register_tzloader

    connection.close_if_health_check_failed()
    connection.ensure_connection()
    if connection.connection in _UNPREPARED:
        return connection.cursor()
    connection.validate_thread_sharing()
    with connection.wrap_database_errors:
        cursor = _preparing_cursor_class()(connection.connection)
    if settings.USE_TZ and connection.timezone_name == "UTC":
        cursor.adapters.register_loader("timestamptz", _utc_timestamptz_loader())
    else:
        register_tzloader(connection.timezone, cursor)
    return connection.make_cursor(cursor)


@cache
def _utc_timestamptz_loader():
    """psycopg's own loader of `timestamptz` (compiled, with psycopg's binary package). On a
    connection in UTC, as Django keeps it when USE_TZ is on, it gives what Django's loader gives
    (an aware datetime in `datetime.timezone.utc`) in a tenth of the time: Django's parses in
    Python, about 4 microseconds a value, and a queue page reads two hundred of them."""
    from psycopg import adapters
    from psycopg.pq import Format

    return adapters.get_loader(adapters.types["timestamptz"].oid, Format.TEXT)


@cache
def _preparing_cursor_class():
    # Imported here: the PostgreSQL backend needs psycopg, which a SQLite-only setup may lack.
    from django.db.backends.postgresql.base import ServerBindingCursor

    class PreparingCursor(ServerBindingCursor):
        """Binds on the server and has every statement prepared (psycopg names and keeps them
        per connection, and prepares again after a reconnect or a discarding rollback)."""

        def execute(self, query, params=None, **options):
            options.setdefault("prepare", True)
            return super().execute(query, params, **options)

    return PreparingCursor


def _params(compiled: _Compiled, values: Sequence) -> list:
    params = list(compiled.params)
    for slots, value in zip(compiled.slots, values, strict=True):
        for slot in slots:
            params[slot] = value
    return params


def _row_builder(queryset: QuerySet, compiler, using: str) -> Callable[[tuple], object] | None:
    """Builds a fetched row's result as the queryset's own iterable would: a model instance or a
    named tuple, from the queryset's compiler once it has compiled. None for other kinds of
    querysets (they are not prepared)."""
    select = compiler.select
    fields = [column[0] for column in select[: compiler.col_count]]
    converters = tuple(compiler.get_converters(fields).items())

    def converted(row: tuple) -> tuple:
        if not converters:
            return row
        # The calling thread's connection, as the ORM would pass it (not the compiling one's).
        connection, row = connections[using], list(row)
        for position, (functions, expression) in converters:
            value = row[position]
            for function in functions:
                value = function(value, expression, connection)
            row[position] = value
        return tuple(row)

    if queryset._iterable_class is NamedValuesListIterable and not queryset.query.extra_select:
        named = create_namedtuple_class(*queryset._fields)
        return lambda row: named(*converted(row))
    if queryset._iterable_class is not ModelIterable or queryset._known_related_objects:
        return None
    klass_info = compiler.klass_info
    select_fields = klass_info["select_fields"]
    start, end = select_fields[0], select_fields[-1] + 1
    init_list = [column[0].target.attname for column in select[start:end]]
    model = klass_info["model"]
    populators = get_related_populators(klass_info, select, using)
    annotations = tuple(compiler.annotation_col_map.items())

    def instance(row: tuple) -> Model:
        row = converted(row)
        built = model.from_db(using, init_list, row[start:end])
        for populator in populators:
            populator.populate(row, built)
        for name, position in annotations:
            setattr(built, name, row[position])
        return built

    return instance
