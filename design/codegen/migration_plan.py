"""The pending migration of a generated app, each operation classed safe / needs data copy / destructive.

Run in a fresh Django process (``python -m design.codegen.migration_plan <tenant> [--write NAME]``)
so the app's new models.py is what Django loads; prints the plan as JSON on stdout.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

PLAN_MARKER = "ERPSYS-PLAN "
SAFE, DATA_COPY, DESTRUCTIVE = "safe", "needs data copy", "destructive"
# (old class, new class) pairs that only widen a column.
WIDENING = {
    ("IntegerField", "BigIntegerField"),
    ("SmallIntegerField", "IntegerField"),
    ("SmallIntegerField", "BigIntegerField"),
    ("CharField", "TextField"),
    ("IntegerField", "DecimalField"),
    ("DateField", "DateTimeField"),
}
NARROWING = {(new, old) for old, new in WIDENING}


@dataclass
class PlannedOperation:
    """One operation of the pending migration and how risky it is for stored data."""

    operation: str
    description: str
    safety: str
    reason: str = ""


def _longest_stored(table: str, column: str) -> int | None:
    """Longest stored text in a column, or None when the table does not exist yet."""
    from django.db import connection

    if table not in connection.introspection.table_names():
        return None
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT MAX(LENGTH({qn(column)})) FROM {qn(table)}"
        )  # names from model state
        row = cursor.fetchone()
    return int(row[0] or 0)


def _target(field: Any) -> str | None:
    """``app_label.model_name`` (lower case) a relation field points at, or None."""
    remote = getattr(field, "remote_field", None)
    if remote is None:
        return None
    model = remote.model
    return model.lower() if isinstance(model, str) else model._meta.label_lower


def _dangling_links(table: str, column: str, target_table: str, target_column: str) -> int | None:
    """Distinct ids stored in ``table.column`` that ``target_table`` lacks; None when either
    table does not exist yet."""
    from django.db import connection

    tables = set(connection.introspection.table_names())
    if table not in tables or target_table not in tables:
        return None
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(  # names from model state
            f"SELECT COUNT(DISTINCT s.{qn(column)}) FROM {qn(table)} s "
            f"WHERE s.{qn(column)} IS NOT NULL AND NOT EXISTS "
            f"(SELECT 1 FROM {qn(target_table)} t WHERE t.{qn(target_column)} = s.{qn(column)})"
        )
        return int(cursor.fetchone()[0] or 0)


def _classify_retarget(
    old: Any, new: Any, *, app_label: str, model_name: str, name: str
) -> tuple[str, str]:
    """A link that now points at another table: safe only if every stored id exists there."""
    from django.apps import apps

    old_target, new_target = _target(old), _target(new)
    moves = f"links move from {old_target} to {new_target}"
    try:
        target = apps.get_model(new_target)
        field = apps.get_model(app_label, model_name)._meta.get_field(name)
    except (LookupError, ValueError):
        return DATA_COPY, f"{moves}: stored ids must exist there"
    if field.many_to_many:
        table = field.remote_field.through._meta.db_table
        column = f"{old_target.rpartition('.')[2]}_id"
    else:
        table, column = field.model._meta.db_table, old.db_column or f"{name}_id"
    missing = _dangling_links(table, column, target._meta.db_table, target._meta.pk.column)
    if missing is None:
        return DATA_COPY, f"{moves}: stored ids must exist there (a table is not created yet)"
    if missing:
        return DESTRUCTIVE, f"{moves}, which lacks {missing} of the stored ids"
    return SAFE, f"{moves}; every stored id exists there"


def _classify_alter(old: Any, new: Any, table: str) -> tuple[str, str]:
    old_type, new_type = type(old).__name__, type(new).__name__
    if old_type != new_type:
        if (old_type, new_type) in WIDENING:
            return SAFE, f"widens {old_type} to {new_type}"
        if (old_type, new_type) in NARROWING:
            return DESTRUCTIVE, f"narrows {old_type} to {new_type}"
        return DATA_COPY, f"changes type {old_type} to {new_type}"
    old_len, new_len = getattr(old, "max_length", None), getattr(new, "max_length", None)
    if old_len and new_len and new_len < old_len:
        longest = _longest_stored(table, old.column or old.name)
        if longest is not None and longest > new_len:
            return (
                DESTRUCTIVE,
                f"max_length {old_len} -> {new_len} but a stored value has {longest}",
            )
        return SAFE, f"max_length {old_len} -> {new_len}; stored values fit"
    if new_type == "DecimalField" and (
        new.max_digits < old.max_digits or new.decimal_places < old.decimal_places
    ):
        return DESTRUCTIVE, "fewer decimal digits: stored values would be rounded or rejected"
    if old.null and not new.null:
        if new.has_default():
            return DATA_COPY, "becomes required: NULLs must be filled with the default"
        return DESTRUCTIVE, "becomes required without a default: rows holding NULL cannot stay"
    return SAFE, ""


def classify(operation: Any, *, app_label: str, old_state: Any) -> PlannedOperation:
    """Class one migration operation against the app's current migration state."""
    from django.db.migrations import operations as ops

    name, text = type(operation).__name__, operation.describe()
    if isinstance(operation, ops.DeleteModel):
        return PlannedOperation(name, text, DESTRUCTIVE, "drops a table and its rows")
    if isinstance(operation, ops.RemoveField):
        return PlannedOperation(name, text, DESTRUCTIVE, "drops a column and its values")
    if isinstance(operation, ops.AddField):
        field = operation.field
        if (app_label, operation.model_name_lower) not in old_state.models:
            return PlannedOperation(name, text, SAFE, "the table is created by this migration")
        if (
            field.many_to_many
            or field.null
            or field.has_default()
            or field.has_db_default()
            or not operation.preserve_default
        ):
            return PlannedOperation(name, text, SAFE)
        if field.blank and field.empty_strings_allowed:
            return PlannedOperation(name, text, SAFE, 'existing rows get ""')
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            return PlannedOperation(name, text, SAFE)
        return PlannedOperation(
            name,
            text,
            DESTRUCTIVE,
            "required column without a default: existing rows have no value",
        )
    if isinstance(operation, ops.AlterField):
        model_state = old_state.models[(app_label, operation.model_name_lower)]
        old_field = model_state.fields[operation.name]
        table = model_state.options.get("db_table") or f"{app_label}_{operation.model_name_lower}"
        if _target(old_field) != _target(operation.field):
            safety, reason = _classify_retarget(
                old_field,
                operation.field,
                app_label=app_label,
                model_name=operation.model_name_lower,
                name=operation.name,
            )
        else:
            safety, reason = _classify_alter(old_field, operation.field, table)
        return PlannedOperation(name, text, safety, reason)
    if isinstance(operation, ops.RenameField | ops.RenameModel):
        return PlannedOperation(name, text, DATA_COPY, "renames keep data but break old readers")
    return PlannedOperation(name, text, SAFE)


def pending_changes(app_label: str, *, name: str = "") -> tuple[dict, Any]:
    """(autodetector changes for ``app_label``, the current migration state), as makemigrations sees them."""
    from django.apps import apps
    from django.db.migrations.autodetector import MigrationAutodetector
    from django.db.migrations.loader import MigrationLoader
    from django.db.migrations.questioner import NonInteractiveMigrationQuestioner
    from django.db.migrations.state import ProjectState

    from design.codegen.initial_migration import initial_migration, is_new_app

    loader = MigrationLoader(None, ignore_no_migrations=True)
    old_state = loader.project_state()
    if is_new_app(app_label, loader.graph):
        # A brand-new app: its first migration in dependency order, without the autodetector.
        return {app_label: [initial_migration(app_label, apps, loader.graph)]}, old_state
    autodetector = MigrationAutodetector(
        old_state,
        ProjectState.from_apps(apps),
        NonInteractiveMigrationQuestioner(specified_apps={app_label}, dry_run=True),
    )
    changes = autodetector.changes(
        graph=loader.graph,
        trim_to_apps={app_label},
        convert_apps={app_label},
        migration_name=name or None,
    )
    return changes, old_state


def pending_plan(app_label: str) -> list[PlannedOperation]:
    """Operations makemigrations would write for ``app_label`` now, classed."""
    changes, old_state = pending_changes(app_label)
    return _classify_all(changes, app_label, old_state)


def _classify_all(changes: dict, app_label: str, old_state: Any) -> list[PlannedOperation]:
    return [
        classify(op, app_label=app_label, old_state=old_state)
        for migration in changes.get(app_label, [])
        for op in migration.operations
    ]


BULK_BASE = "applications.base.migrations.InitialMigration"


def write_initial(migration: Any) -> None:
    """Write a new app's first migration with Django's writer, based on ``InitialMigration``."""
    from django.db.migrations.writer import MigrationWriter

    writer = MigrationWriter(migration, include_header=True)
    module, _, name = BULK_BASE.rpartition(".")
    text = writer.as_string()
    base = "class Migration(migrations.Migration):"
    if text.count(base) != 1:
        raise RuntimeError("unexpected migration template")
    text = text.replace(base, f"class Migration({name}):")
    text = re.sub(
        r"^from django\.db import migrations.*$",
        lambda match: f"{match.group(0)}\nfrom {module} import {name}",
        text,
        count=1,
        flags=re.MULTILINE,
    )
    path = Path(writer.path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def write_changes(changes: dict) -> None:
    """Write the migrations through makemigrations' own writer (one autodetector run, not two)."""
    from django.core.management.commands.makemigrations import Command as MakeMigrations

    command = MakeMigrations()
    command.verbosity, command.dry_run, command.include_header = 0, False, True
    command.scriptable, command.update, command.written_files = False, False, []
    command.write_migration_files(changes)


def main(argv: list[str] | None = None) -> int:
    """Print the plan as JSON; with ``--write`` also run makemigrations unless it is refused."""
    parser = argparse.ArgumentParser()
    parser.add_argument("app_label")
    parser.add_argument("--write", action="store_true")
    parser.add_argument("--name", default="")
    parser.add_argument("--allow-destructive", action="store_true")
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "erpsys.settings")
    import django

    django.setup()
    from django.utils import translation

    # Like makemigrations (@no_translations): lazy verbose names compare in their source language.
    translation.deactivate_all()
    changes, old_state = pending_changes(args.app_label, name=args.name)
    plan = _classify_all(changes, args.app_label, old_state)
    destructive = any(item.safety == DESTRUCTIVE for item in plan)
    refused = bool(args.write and destructive and not args.allow_destructive)
    written = False
    if args.write and plan and not refused:
        migration = changes[args.app_label][0]
        if getattr(migration, "bulk", False):
            write_initial(migration)
        else:
            write_changes(changes)
        written = True
    out = {"operations": [asdict(item) for item in plan], "refused": refused, "written": written}
    sys.stdout.write(PLAN_MARKER + json.dumps(out) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
