"""The base class of a generated app's first migration: the same operations, applied in bulk.

Django applies a migration one operation at a time, and before each it re-renders every model
related to the one the operation touches. Every generated model links to the kernel's process
and operator tables, so each CreateModel re-renders the whole tenant created so far: quadratic,
minutes for a few hundred models. ``InitialMigration.apply`` moves the state forward through all
leading CreateModels and renders it once, creates the tables, then adds the links that close a
cycle in rounds (the n-th such link of every model per round, one render each). The operations,
and so the migration state Django's autodetector compares with, are unchanged; SQL collection
(``sqlmigrate``), unapplying and any other operation take Django's own path.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations
from django.db.transaction import atomic


def _unrendered(state: Any) -> Any:
    """A copy of ``state`` whose models are not rendered (mutating it re-renders nothing)."""
    clone = state.clone()
    clone.__dict__.pop("apps", None)
    return clone


class InitialMigration(migrations.Migration):
    """A first migration made of CreateModel operations followed by AddField operations."""

    def _bulk_parts(self) -> tuple[list[Any], list[Any]] | None:
        creates = []
        for operation in self.operations:
            if not isinstance(operation, migrations.CreateModel):
                break
            creates.append(operation)
        adds = self.operations[len(creates) :]
        if not all(isinstance(op, migrations.AddField) for op in adds):
            return None
        return creates, adds

    def _forwards(self, operation: Any, schema_editor: Any, from_state: Any, to_state: Any) -> None:
        atomic_operation = operation.atomic or (self.atomic and operation.atomic is not False)
        if not schema_editor.atomic_migration and atomic_operation:
            with atomic(schema_editor.connection.alias):
                operation.database_forwards(self.app_label, schema_editor, from_state, to_state)
        else:
            operation.database_forwards(self.app_label, schema_editor, from_state, to_state)

    def apply(self, project_state: Any, schema_editor: Any, collect_sql: bool = False) -> Any:
        parts = None if collect_sql else self._bulk_parts()
        if parts is None:
            return super().apply(project_state, schema_editor, collect_sql)
        creates, adds = parts
        state = _unrendered(project_state)
        for operation in creates:
            operation.state_forwards(self.app_label, state)
        for operation in creates:
            self._forwards(operation, schema_editor, project_state, state)
        rounds: list[list[Any]] = []
        seen: dict[str, int] = {}
        for operation in adds:
            index = seen.get(operation.model_name_lower, 0)
            seen[operation.model_name_lower] = index + 1
            if index == len(rounds):
                rounds.append([])
            rounds[index].append(operation)
        for batch in rounds:
            after = _unrendered(state)
            for operation in batch:
                operation.state_forwards(self.app_label, after)
            for operation in batch:
                self._forwards(operation, schema_editor, state, after)
            state = after
        return state
