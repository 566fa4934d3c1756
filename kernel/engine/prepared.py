"""Querysets compiled to SQL once per database and run again with other values.

Django compiles a queryset's SQL every time it runs; for the engine's hot reads (the task with
its live tree, the program tree an operator opens) that costs more Python than the statement
itself. A ``Prepared`` query is built and compiled once per database alias, then run as a raw
query with the values of each call. ``params`` must give the values in the order the compiled
SQL takes them; the first compilation checks that it does.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.db import models
from django.db.models.query import RawQuerySet


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
        self._sql: dict[str, str] = {}

    def sql(self, alias: str, *args: Any) -> str:
        """The compiled SQL for ``alias`` (compiled and checked on first use)."""
        sql = self._sql.get(alias)
        if sql is None:
            query = self.build(*args).query
            sql, compiled = query.get_compiler(using=alias).as_sql()
            expected = tuple(self.params(*args))
            if tuple(compiled) != expected:
                raise ValueError(f"prepared query parameters {compiled!r} != {expected!r}")
            self._sql[alias] = sql
        return sql

    def run(self, alias: str, *args: Any) -> RawQuerySet:
        """The rows for these values, as model instances (columns not selected are deferred)."""
        return self.model.objects.using(alias).raw(self.sql(alias, *args), list(self.params(*args)))
