"""Querysets compiled to SQL once per database and run again with other values.

Django compiles a queryset's SQL every time it runs; for the engine's hot reads (the task with
its live tree, the program tree an operator opens) that costs more Python than the statement
itself. A ``Prepared`` query is built and compiled once per database alias, together with what
turns its rows into model instances (the selected fields, the annotations after them, the
database converters of each column); each call then only executes the SQL with its values and
builds the instances. ``params`` must give the values in the order the compiled SQL takes them;
the first compilation checks that it does.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

from django.db import connections, models


class _Shape(NamedTuple):
    sql: str
    fields: list[str]  # attnames of the model columns, in select order
    annotations: list[str]  # names of the annotations that follow them
    converters: list[tuple[int, list, Any]]  # (column, converters, expression)


class Prepared:
    """One shape of query over ``model``: ``build(*args)`` makes it, ``params(*args)`` its values."""

    def __init__(
        self,
        model: type[models.Model],
        build: Callable[..., models.QuerySet],
        params: Callable[..., Sequence[Any]],
    ) -> None:
        self.model = model
        self.build = build
        self.params = params
        self._shapes: dict[str, _Shape] = {}

    def shape(self, alias: str, *args: Any) -> _Shape:
        """The compiled statement for ``alias`` and how to read its rows (compiled once)."""
        shape = self._shapes.get(alias)
        if shape is None:
            compiler = self.build(*args).query.get_compiler(using=alias)
            sql, compiled = compiler.as_sql()
            expected = tuple(self.params(*args))
            if tuple(compiled) != expected:
                raise ValueError(f"prepared query parameters {compiled!r} != {expected!r}")
            fields, annotations = [], []
            for expression, _sql, name in compiler.select:
                if name is None:
                    if annotations:
                        raise ValueError("prepared query: a model column after an annotation")
                    fields.append(expression.target.attname)
                else:
                    annotations.append(name)
            converters = compiler.get_converters([column[0] for column in compiler.select])
            shape = self._shapes[alias] = _Shape(
                sql,
                fields,
                annotations,
                [(index, funcs, expression) for index, (funcs, expression) in converters.items()],
            )
        return shape

    def run(self, alias: str, *args: Any) -> list[models.Model]:
        """The rows for these values, as model instances (columns not selected are deferred;
        annotations are attributes)."""
        shape = self.shape(alias, *args)
        connection = connections[alias]
        with connection.cursor() as cursor:
            cursor.execute(shape.sql, list(self.params(*args)))
            rows = cursor.fetchall()
        from_db = self.model.from_db
        width = len(shape.fields)
        out = []
        for row in rows:
            if shape.converters:
                row = list(row)
                for index, funcs, expression in shape.converters:
                    value = row[index]
                    for convert in funcs:
                        value = convert(value, expression, connection)
                    row[index] = value
            instance = from_db(alias, shape.fields, row[:width])
            for offset, name in enumerate(shape.annotations, width):
                setattr(instance, name, row[offset])
            out.append(instance)
        return out
