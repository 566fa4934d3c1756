"""A model's single-row INSERT compiled once per shape, then only executed.

``Model.save`` has Django build an ``InsertQuery`` and compile its SQL for every new row; for the
narrow rows an operator's form writes, that costs about as much Python as sending the statement.
``insert_row`` keeps, per (model, database, columns, returned columns), the SQL Django compiled
the first time and afterwards only computes the values the way Django's compiler does
(``pre_save`` then ``get_db_prep_save`` of each field).

It falls back to Django's own path, which it never changes, whenever the result could differ:
raw saves, a value that is an expression (``F()``, a subquery...), a field with a placeholder of
its own (``get_placeholder``), returned columns that need converting, or a backend that cannot
return columns from an INSERT.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from django.db import connections, models
from django.db.models.sql import InsertQuery


class _Compiled(NamedTuple):
    sql: str
    returning_params: tuple


# (model, alias, column attnames, returned attnames) -> compiled INSERT, or None: never fast
_COMPILED: dict[tuple, _Compiled | None] = {}
_MISSING: Any = object()  # a shape not met yet


def insert_row(
    instance: models.Model,
    manager: models.Manager,
    using: str,
    fields: list[models.Field],
    returning_fields: list[models.Field] | None,
    raw: bool,
) -> list[tuple] | None:
    """What ``Model._do_insert`` returns (the returned columns' rows), or None when this INSERT
    must take Django's own path."""
    if raw or not returning_fields:
        return None
    model = manager.model  # an is_a parent's table is inserted through the parent's manager
    key = (
        model,
        using,
        tuple(f.attname for f in fields),
        tuple(f.attname for f in returning_fields),
    )
    compiled = _COMPILED.get(key, _MISSING)
    if compiled is None:
        return None
    connection = connections[using]
    if compiled is _MISSING:
        compiled = _COMPILED[key] = _compile(model, connection, fields, returning_fields, instance)
        if compiled is None:
            return None
    values = []
    for field in fields:
        value = field.pre_save(instance, True)
        if hasattr(value, "resolve_expression"):
            return None  # Django's path repeats pre_save, which a new row takes as it is
        values.append(field.get_db_prep_save(value, connection=connection))
    with connection.cursor() as cursor:
        cursor.execute(compiled.sql, values)
        return [connection.ops.fetch_returned_insert_columns(cursor, compiled.returning_params)]


def _compile(model, connection, fields, returning_fields, instance) -> _Compiled | None:
    """Django's own compilation of this INSERT, kept when it is one statement with one plain
    ``%s`` per field, and the returned columns come back as they are."""
    if not fields or not connection.features.can_return_columns_from_insert:
        return None
    if any(hasattr(field, "get_placeholder") for field in fields):
        return None
    query = InsertQuery(model)
    query.insert_values(fields, [instance])
    compiler = query.get_compiler(connection=connection)
    compiler.returning_fields = returning_fields
    statements = compiler.as_sql()
    if len(statements) != 1:
        return None
    sql, params = statements[0]
    placeholders = f"({', '.join(['%s'] * len(fields))})"
    if len(params) != len(fields) or placeholders not in sql:
        return None
    opts = model._meta
    if compiler.get_converters([f.get_col(opts.db_table) for f in returning_fields]):
        return None
    return _Compiled(sql, tuple(compiler.returning_params))
