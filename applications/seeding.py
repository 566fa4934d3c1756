"""Dict rows: seed ``generated/<tenant>/rows.json`` into the tenant's dict tables, idempotently."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

from django.apps import AppConfig
from django.db import models, transaction

from applications.errors import ApplicationsError, ApplicationsErrorCode
from core.naming import derive_name, pascal_case

logger = logging.getLogger(__name__)

ROWS_FILE = "rows.json"


def read_rows(path: Path) -> dict[str, list[dict[str, Any]]]:
    """Parse a rows file: ``{"<entity>": [{"label": ..., "name": ..., ...}, ...]}``."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ApplicationsError(ApplicationsErrorCode.ROWS_FILE_INVALID, f"{path}: {exc}") from exc
    ok = isinstance(data, dict) and all(
        isinstance(rows, list) and all(isinstance(row, dict) for row in rows)
        for rows in data.values()
    )
    if not ok:
        raise ApplicationsError(
            ApplicationsErrorCode.ROWS_FILE_INVALID,
            f"{path}: expected an object of entity name -> list of row objects",
        )
    return data


def _field_value(model: type[models.Model], field_name: str, value: Any) -> tuple[str, Any]:
    """A reference given as a string is looked up by ``name`` in the target table."""
    field = model._meta.get_field(field_name)
    if field.many_to_one and isinstance(value, str):
        target = field.related_model
        return field.name, target._default_manager.get(name=value)
    return field.name, value


@transaction.atomic
def seed_rows(*, app_config: AppConfig, rows: dict[str, list[dict[str, Any]]]) -> dict[str, int]:
    """Create or update rows by ``name`` (label and values follow the file); never delete any.

    Returns per entity how many rows were created. Existing rows missing from the file are
    left alone: they may be referenced by business records.
    """
    created_counts: dict[str, int] = {}
    for entity, entries in rows.items():
        try:
            model = app_config.get_model(pascal_case(entity))
        except LookupError as exc:
            raise ApplicationsError(
                ApplicationsErrorCode.ROWS_ENTITY_UNKNOWN,
                f"{app_config.name}: rows for unknown entity {entity!r}",
            ) from exc
        created_counts[entity] = 0
        for entry in entries:
            values = dict(entry)
            label = str(values.pop("label", "") or "")
            name = str(values.pop("name", "") or derive_name(label))
            defaults = dict(_field_value(model, key, value) for key, value in values.items())
            defaults["label"] = label
            row = model._default_manager.filter(name=name).order_by("pk").first()
            if row is None:
                model._default_manager.create(name=name, **defaults)
                created_counts[entity] += 1
                continue
            changed = [key for key, value in defaults.items() if getattr(row, key) != value]
            if changed:
                for key in changed:
                    setattr(row, key, defaults[key])
                row.save()
    return created_counts


def seed_app_rows(app_config: AppConfig) -> dict[str, int]:
    """Seed the rows file of one generated app, if it has one."""
    path = Path(app_config.path) / ROWS_FILE
    if not path.is_file():
        return {}
    return seed_rows(app_config=app_config, rows=read_rows(path))


def on_post_migrate(sender: AppConfig, **kwargs: Any) -> None:
    """``post_migrate`` receiver: seed a generated app's dict rows after it migrates."""
    if not sender.name.startswith("generated."):
        return
    counts = seed_app_rows(sender)
    if counts and kwargs.get("verbosity", 1) >= 1:
        logger.info("seeded dict rows of %s: %s", sender.name, counts)
