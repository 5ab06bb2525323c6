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
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.db import connections, router
from django.db.models import Model, QuerySet
from django.db.models.query import get_related_populators

Build = Callable[..., QuerySet]


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple
    slots: tuple[tuple[int, ...], ...]  # per argument, where its value goes in `params`
    build_instance: Callable[[tuple], Model]


class PreparedQuery:
    """`build(*values)` returns the queryset; `first(*values)` is its first instance or None.

    `samples` are two different sets of example values of the right types: compiling with each
    tells where every argument lands in the statement's parameters. They must not equal any
    other parameter of the statement.
    """

    def __init__(self, build: Build, samples: tuple[Sequence, Sequence]):
        self._build = build
        self._samples = samples
        self._model: type[Model] | None = None
        self._compiled: dict[str, _Compiled | None] = {}
        self._lock = threading.Lock()

    def first(self, *values) -> Model | None:
        using, compiled = self._for_reading()
        if compiled is None:
            return self._build(*values).first()
        params = list(compiled.params)
        for slots, value in zip(compiled.slots, values, strict=True):
            for slot in slots:
                params[slot] = value
        with connections[using].cursor() as cursor:
            cursor.execute(compiled.sql, params)
            row = cursor.fetchone()
        return None if row is None else compiled.build_instance(row)

    def is_prepared(self) -> bool:
        """Whether calls skip the ORM on the database this query reads from."""
        return self._for_reading()[1] is not None

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
        first, second = self._samples
        compiler = self._build(*first)[:1].query.get_compiler(using=using)
        sql, params = compiler.as_sql()
        slots = []
        for index in range(len(first)):
            varied = [*first[:index], second[index], *first[index + 1 :]]
            other = self._build(*varied)[:1].query.get_compiler(using=using)
            other_sql, other_params = other.as_sql()
            if other_sql != sql or len(other_params) != len(params):
                return None
            moved = tuple(
                i for i, (a, b) in enumerate(zip(params, other_params, strict=True)) if a != b
            )
            passed_as_given = all(
                params[i] is first[index] and other_params[i] is second[index] for i in moved
            )
            if not moved or not passed_as_given:
                return None
            slots.append(moved)
        return _Compiled(sql, tuple(params), tuple(slots), _instance_builder(compiler, using))


def _instance_builder(compiler, using: str) -> Callable[[tuple], Model]:
    """Builds a row's model instance as Django's ModelIterable does, from a compiled query."""
    select, klass_info = compiler.select, compiler.klass_info
    converters = compiler.get_converters([column[0] for column in select[: compiler.col_count]])
    select_fields = klass_info["select_fields"]
    start, end = select_fields[0], select_fields[-1] + 1
    init_list = [column[0].target.attname for column in select[start:end]]
    model = klass_info["model"]
    populators = get_related_populators(klass_info, select, using)
    annotations = tuple(compiler.annotation_col_map.items())

    def build(row: tuple) -> Model:
        if converters:
            row = next(iter(compiler.apply_converters([row], converters)))
        instance = model.from_db(using, init_list, row[start:end])
        for populator in populators:
            populator.populate(row, instance)
        for name, position in annotations:
            setattr(instance, name, row[position])
        return instance

    return build
