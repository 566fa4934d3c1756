"""Querysets compiled to SQL once per database and run again with other values.

Django compiles a queryset's SQL every time it runs; for the engine's hot reads (the task with
its live tree, the program tree an operator opens) that costs more Python than the statement
itself. A ``Prepared`` query is built and compiled once per database alias, together with what
turns its rows into model instances (the selected fields, the annotations after them, the
database converters of each column); each call then only executes the SQL with its values and
builds the instances. ``params`` must give the values in the order the compiled SQL takes them;
the first compilation checks that it does.

On PostgreSQL the rows come in the binary format: timestamps, numbers and uuids are decoded by
psycopg's compiled loaders instead of parsing text (JSON columns stay text, as Django expects).

Instances are built the way ``Model.from_db`` builds them, without ``Model.__init__``'s pass over
every field: the selected columns go straight into the instance's ``__dict__``. That is only
done where it gives the same instance (``_plain``): no ``pre_init``/``post_init`` receivers, no
``from_db`` of the model's own, and only fields whose attribute is Django's plain deferred one.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

from django.db import connections, models
from django.db.models.base import ModelState
from django.db.models.fields.related_descriptors import ForeignKeyDeferredAttribute
from django.db.models.query_utils import DeferredAttribute
from django.db.models.signals import post_init, pre_init
from psycopg.adapt import Loader
from psycopg.errors import DataError
from psycopg.pq import Format


class _Shape(NamedTuple):
    sql: str
    fields: list[str]  # attnames of the model columns, in select order
    annotations: list[str]  # names of the annotations that follow them
    converters: list[tuple[int, list, Any]]  # (column, converters, expression)
    plain: bool  # instances may be built from the row without Model.__init__ (``_plain``)


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
                _plain(self.model, fields),
            )
        return shape

    def run(self, alias: str, *args: Any) -> list[models.Model]:
        """The rows for these values, as model instances (columns not selected are deferred;
        annotations are attributes)."""
        shape = self.shape(alias, *args)
        connection = connections[alias]
        binary = connection.vendor == "postgresql"
        if binary:
            _binary_jsonb(connection)
        with connection.cursor() as cursor:
            if binary:
                cursor.cursor.format = Format.BINARY
            cursor.execute(shape.sql, list(self.params(*args)))
            rows = cursor.fetchall()
        model = self.model
        fields = shape.fields
        width = len(fields)
        out = []
        for row in rows:
            if shape.converters:
                row = list(row)
                for index, funcs, expression in shape.converters:
                    value = row[index]
                    for convert in funcs:
                        value = convert(value, expression, connection)
                    row[index] = value
            if shape.plain:
                instance = model.__new__(model)
                instance.__dict__.update(zip(fields, row[:width], strict=True))
                state = instance._state = ModelState()
                state.adding = False
                state.db = alias
            else:
                instance = model.from_db(alias, fields, row[:width])
            for offset, name in enumerate(shape.annotations, width):
                setattr(instance, name, row[offset])
            out.append(instance)
        return out


def _binary_jsonb(connection) -> None:
    """jsonb in binary rows loads as text on this connection, as ``JSONField`` expects. Binary
    rows are asked for on the psycopg cursor under Django's own, so Django's execute wrappers
    (and whoever counts queries through them) see the statement as usual."""
    connection.ensure_connection()
    raw = connection.connection
    if raw not in _BINARY_READY:
        raw.adapters.register_loader("jsonb", _JsonbBinaryText)
        _BINARY_READY.add(raw)


def init_receivers(model: type[models.Model]) -> bool:
    """True when ``pre_init`` or ``post_init`` receivers listen to ``model``: an instance must
    then be made by ``Model.__init__``, never put together attribute by attribute."""
    return pre_init.has_listeners(model) or post_init.has_listeners(model)


def _plain(model: type[models.Model], fields: list[str]) -> bool:
    """True when ``Model.__init__`` would only store these columns' values in ``__dict__``."""
    if init_receivers(model):
        return False
    if model.from_db.__func__ is not models.Model.from_db.__func__:
        return False
    # DeferredAttribute (and ForeignKeyDeferredAttribute, whose setter only drops a cached
    # related object a new instance does not have) read the value from ``__dict__``.
    return all(type(getattr(model, name, None)) in _PLAIN_DESCRIPTORS for name in fields)


_PLAIN_DESCRIPTORS = (DeferredAttribute, ForeignKeyDeferredAttribute)

# psycopg connections whose binary jsonb loader gives text (``_binary_jsonb``).
_BINARY_READY: weakref.WeakSet = weakref.WeakSet()


class _JsonbBinaryText(Loader):
    """jsonb in the binary format (a version byte, then the JSON text) as ``str``."""

    format = Format.BINARY

    def load(self, data) -> str:
        data = bytes(data)
        if data[:1] != b"\x01":
            raise DataError(f"unknown jsonb binary format: {data[:1]!r}")
        return data[1:].decode()
