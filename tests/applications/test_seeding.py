"""Dict rows from rows.json: created once, updated by name, never deleted."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest
from django.db import connection, models
from django.test.utils import isolate_apps

from applications.base.models import DictModel
from applications.errors import ApplicationsError, ApplicationsErrorCode
from applications.seeding import on_post_migrate, read_rows, seed_app_rows, seed_rows


@pytest.fixture
def fault_table(transactional_db):
    with isolate_apps("applications"):

        class Fault(DictModel):
            severity = models.IntegerField(default=0)

            class Meta(DictModel.Meta):
                app_label = "applications"

        with connection.schema_editor() as editor:
            editor.create_model(Fault)
        yield Fault
        with connection.schema_editor() as editor:
            editor.delete_model(Fault)


def _app(model, path="/nonexistent"):
    def get_model(name):
        if name.lower() != model._meta.model_name:
            raise LookupError(name)
        return model

    return SimpleNamespace(name="generated.test", path=path, get_model=get_model)


def test_seed_creates_then_updates_by_name_and_never_deletes(fault_table):
    app = _app(fault_table)
    rows = {
        "fault": [{"label": "Broken screen"}, {"label": "电池", "name": "battery", "severity": 2}]
    }
    assert seed_rows(app_config=app, rows=rows) == {"fault": 2}
    assert seed_rows(app_config=app, rows=rows) == {"fault": 0}
    assert list(fault_table.objects.values_list("name", "label", "pym", "severity")) == [
        ("broken_screen", "Broken screen", "bs", 0),
        ("battery", "电池", "dc", 2),
    ]
    extra = fault_table.objects.create(name="kept", label="Kept")
    changed = {"fault": [{"label": "Battery (dead)", "name": "battery", "severity": 3}]}
    assert seed_rows(app_config=app, rows=changed) == {"fault": 0}
    battery = fault_table.objects.get(name="battery")
    assert (battery.label, battery.severity, battery.pym) == ("Battery (dead)", 3, "bd")
    assert fault_table.objects.filter(pk=extra.pk).exists()
    assert fault_table.objects.count() == 3


def test_seed_app_rows_reads_the_file_next_to_the_app(fault_table, tmp_path):
    (tmp_path / "rows.json").write_text(json.dumps({"fault": [{"label": "Water"}]}), "utf-8")
    assert seed_app_rows(_app(fault_table, str(tmp_path))) == {"fault": 1}
    assert seed_app_rows(_app(fault_table, str(tmp_path / "none"))) == {}


def test_unknown_entity_is_an_error(fault_table):
    with pytest.raises(ApplicationsError) as info:
        seed_rows(app_config=_app(fault_table), rows={"nope": [{"label": "x"}]})
    assert info.value.code == ApplicationsErrorCode.ROWS_ENTITY_UNKNOWN


@pytest.mark.parametrize("text", ["not json", "[1, 2]", '{"fault": [1]}', '{"fault": {}}'])
def test_malformed_rows_file_is_an_error(tmp_path, text):
    path = tmp_path / "rows.json"
    path.write_text(text, "utf-8")
    with pytest.raises(ApplicationsError) as info:
        read_rows(path)
    assert info.value.code == ApplicationsErrorCode.ROWS_FILE_INVALID


def test_post_migrate_only_seeds_generated_apps(tmp_path):
    (tmp_path / "rows.json").write_text("not json", "utf-8")
    on_post_migrate(SimpleNamespace(name="kernel", path=str(tmp_path)))  # ignored: not generated
    with pytest.raises(ApplicationsError):
        on_post_migrate(SimpleNamespace(name="generated.x", path=str(tmp_path)))
