"""Safety classes of single operations: new tables and optional text are safe, data loss is not."""

from __future__ import annotations

from django.db import migrations, models
from django.db.migrations.state import ModelState, ProjectState

from design.codegen.migration_plan import DESTRUCTIVE, SAFE, classify


def _state_with_item() -> ProjectState:
    state = ProjectState()
    state.add_model(
        ModelState("shop", "Item", [("id", models.BigAutoField(primary_key=True))], {}, ())
    )
    return state


def _safety(operation: migrations.operations.base.Operation) -> tuple[str, str]:
    planned = classify(operation, app_label="shop", old_state=_state_with_item())
    return planned.safety, planned.reason


def test_a_link_added_to_a_table_this_migration_creates_is_safe() -> None:
    # The autodetector splits a cycle into CreateModel + AddField: the table has no rows yet.
    add = migrations.AddField(
        model_name="step",
        name="master",
        field=models.ForeignKey("shop.item", on_delete=models.CASCADE),
    )
    assert _safety(add) == (SAFE, "the table is created by this migration")


def test_an_optional_text_column_is_safe_because_rows_get_an_empty_string() -> None:
    for field in (models.TextField(blank=True), models.CharField(max_length=20, blank=True)):
        add = migrations.AddField(model_name="item", name="notes", field=field)
        assert _safety(add) == (SAFE, 'existing rows get ""')


def test_a_required_column_without_a_default_on_an_existing_table_stays_destructive() -> None:
    add = migrations.AddField(model_name="item", name="code", field=models.CharField(max_length=20))
    assert _safety(add)[0] == DESTRUCTIVE
    add_number = migrations.AddField(model_name="item", name="n", field=models.IntegerField())
    assert _safety(add_number)[0] == DESTRUCTIVE
