"""Reads compiled to SQL once, then run with new parameter values: for the few queries every member page runs.

The ORM spends ~0.2 ms building and compiling a query that SQLite answers in ~0.01 ms (bench/README.md, "Where
the time goes"): on a member page its four reads cost more than the rest of the page. A `PreparedRead` is
written as an ordinary queryset; the first time it runs on a database connection, the queryset is built with a
stand-in value for each parameter and compiled, and the stand-ins' positions among the SQL parameters are
remembered. Every later run sends the same SQL with the real values, prepared for the database by the field
they are compared with, and turns the rows into model instances (select_related included) or value tuples the
way the ORM's own iterables do, with the converters the compiler chose. The queryset stays the one source of
the query; tests check that both give the same results.

Only for reads whose shape never changes: the parameters must be plain comparisons against fields.
"""

import datetime
import secrets
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.core.exceptions import EmptyResultSet, FullResultSet
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Field, QuerySet
from django.db.models.query import ModelIterable, ValuesListIterable, get_related_populators
from django.db.models.sql.compiler import SQLCompiler

T = TypeVar("T")

_CACHE_ATTRIBUTE = "_prepared_reads"


def _stand_in(field: Field) -> object:
    """A value of the field's type that no real parameter will equal, to find its position after compiling."""
    internal = field.get_internal_type()
    if internal in {"AutoField", "BigAutoField", "IntegerField", "BigIntegerField", "ForeignKey", "OneToOneField"}:
        return -(2**62) - secrets.randbelow(2**30)
    if internal in {"CharField", "TextField", "EmailField", "SlugField"}:
        return f"stand-in-{secrets.token_hex(16)}"
    if internal == "UUIDField":
        return uuid.uuid4()
    if internal == "DateTimeField":
        return datetime.datetime(1901, 2, 3, 4, 5, 6, secrets.randbelow(10**6), tzinfo=datetime.UTC)
    raise TypeError(f"PreparedRead has no stand-in for a {internal}")


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple[object, ...]
    positions: dict[str, int]
    compiler: SQLCompiler
    converters: dict[int, Any]
    to_results: Callable[[list[tuple]], list]


class PreparedRead(Generic[T]):
    """`build(**parameters)` returns the queryset; `fields` names, per parameter, the field it is compared with.

    >>> profiles = PreparedRead(lambda account_id: Profile.objects.filter(account_id=account_id),
    ...                         account_id=Account._meta.pk)
    >>> profiles(account_id=7)  # a list of Profile
    """

    def __init__(self, build: Callable[..., "QuerySet[Any, T]"], *, using: str = DEFAULT_DB_ALIAS, **fields: Field):
        self.build, self.using, self.fields = build, using, fields
        self.key = object()

    def __call__(self, **values: object) -> list[T]:
        if values.keys() != self.fields.keys():
            raise TypeError(f"expected the parameters {sorted(self.fields)}, got {sorted(values)}")
        connection = connections[self.using]
        compiled = self._compiled(connection)
        params: list[Any] = list(compiled.params)
        for name, position in compiled.positions.items():
            params[position] = self.fields[name].get_db_prep_value(values[name], connection, prepared=False)
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            rows = cursor.fetchall()
        if compiled.converters:
            rows = list(compiled.compiler.apply_converters(rows, compiled.converters))
        return compiled.to_results(rows)

    def queryset(self, **values: object) -> "QuerySet[Any, T]":
        """The ORM's own queryset for these values (what tests compare with)."""
        return self.build(**values)

    def _compiled(self, connection: BaseDatabaseWrapper) -> _Compiled:
        # Kept on the connection object: one per thread, and a compiler's converters may read its connection.
        cache: dict[object, _Compiled] = connection.__dict__.setdefault(_CACHE_ATTRIBUTE, {})
        compiled = cache.get(self.key)
        if compiled is None:
            compiled = cache[self.key] = self._compile(connection)
        return compiled

    def _compile(self, connection: BaseDatabaseWrapper) -> _Compiled:
        stand_ins = {name: _stand_in(field) for name, field in self.fields.items()}
        queryset = self.build(**stand_ins)
        compiler = queryset.query.get_compiler(connection=connection)
        try:
            sql, params = compiler.as_sql()
        except (EmptyResultSet, FullResultSet) as error:  # the ORM decided from the stand-in's value alone
            raise TypeError(f"PreparedRead: a parameter of {self.fields} is not a plain comparison") from error
        positions = {}
        for name, stand_in in stand_ins.items():
            prepared = self.fields[name].get_db_prep_value(stand_in, connection, prepared=False)
            found = [index for index, param in enumerate(params) if param == prepared]
            if len(found) != 1 or str(stand_in) in sql:
                raise TypeError(f"PreparedRead: the parameter {name!r} is not one SQL parameter of {sql}")
            positions[name] = found[0]
        fields = [column[0] for column in compiler.select[: compiler.col_count]]
        converters = compiler.get_converters(fields)
        return _Compiled(
            sql=sql,
            params=tuple(params),
            positions=positions,
            compiler=compiler,
            converters=converters,
            to_results=_materializer(queryset, compiler),
        )


def _materializer(queryset: QuerySet, compiler: SQLCompiler) -> Callable[[list[tuple]], list]:
    """Rows (converted) to what iterating the queryset gives: model instances or value tuples."""
    query = queryset.query
    if queryset._iterable_class is ValuesListIterable and not query.extra_select and not query.annotation_select:
        return lambda rows: [tuple(row) for row in rows]
    if queryset._iterable_class is not ModelIterable or compiler.annotation_col_map or query.extra_select:
        raise TypeError("PreparedRead supports model rows and values_list() of fields only")
    db = queryset.db
    klass_info, select = compiler.klass_info, compiler.select
    model = klass_info["model"]
    start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
    attnames: Sequence[str] = [column[0].target.attname for column in select[start:end]]
    # django-stubs describe Django 6's signature (with fetch_mode); this is Django 5.2's.
    populators = get_related_populators(klass_info, select, db)  # type: ignore[call-arg]

    def to_instances(rows: list[tuple]) -> list:
        instances = []
        for row in rows:
            instance = model.from_db(db, attnames, row[start:end])
            for populator in populators:
                populator.populate(row, instance)
            instances.append(instance)
        return instances

    return to_instances
