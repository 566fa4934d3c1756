"""The house: the runtime (core, kernel, applications, generated apps) never imports the design layer.

A fresh interpreter imports every runtime module with ``design`` refused by an import hook and
left out of INSTALLED_APPS (``tests/runtime_without_design.py``); this module reads its report.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.conftest import REPO_ROOT

RUNTIME_APPS = ("core", "kernel", "applications")


@pytest.fixture(scope="module")
def report() -> dict:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings_without_design"}
    done = subprocess.run(
        [sys.executable, str(REPO_ROOT / "tests" / "runtime_without_design.py")],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def _under(names, packages) -> list[str]:
    return [n for n in names if n.split(".")[0] in packages]


def test_the_import_hook_refuses_the_design_layer(report):
    assert report["guard"] == "refused"


def test_every_runtime_module_is_found(report):
    modules = report["modules"]
    for name in ("core.models", "kernel.services", "kernel.checks", "applications.sites"):
        assert name in modules
    assert _under(modules, ("generated",)), "the generated apps are imported too"


def test_no_runtime_module_asks_for_the_design_layer(report):
    assert report["attempts"] == []


def test_core_kernel_and_applications_import_without_the_design_layer(report):
    assert {
        name: trace
        for name, trace in report["failures"].items()
        if name.split(".")[0] in RUNTIME_APPS
    } == {}


def test_no_core_kernel_or_applications_model_relates_to_a_design_model(report):
    relations = [r for r in report["design_relations"] if r.split(".")[0] in RUNTIME_APPS]
    assert relations == []


def test_generated_apps_import_and_relate_without_the_design_layer(report):
    assert _under(report["failures"], ("generated",)) == []
    assert report["design_relations"] == []


# Written before the built-in targets moved to the kernel and applied by existing databases, so
# they stay as they are: the clinic's first migration created links to design.Service (a later
# clinic migration moves them to kernel.Service). Every newer generated migration, and every
# new tenant's first one, depends on the kernel only.
HISTORICAL_DESIGN_DEPENDENCIES = {("clinic", "0001_initial")}


def test_generated_migrations_depend_on_the_design_layer_only_where_history_does():
    from django.db.migrations.loader import MigrationLoader

    loader = MigrationLoader(None, ignore_no_migrations=True)
    generated = {
        key: migration
        for key, migration in loader.disk_migrations.items()
        if type(migration).__module__.startswith("generated.")
    }
    assert {app for app, _name in generated} >= {"clinic", "repair_shop"}
    on_design = {
        key
        for key, migration in generated.items()
        if any(app == "design" for app, _name in migration.dependencies)
    }
    assert on_design <= HISTORICAL_DESIGN_DEPENDENCIES
    for app in {app for app, _name in generated}:
        (leaf,) = loader.graph.leaf_nodes(app)
        state = loader.project_state(leaf, at_end=True)
        relations = [
            f"{app}.{model}.{name}"
            for (label, model), model_state in state.models.items()
            if label == app
            for name, field in model_state.fields.items()
            if field.is_relation
            and str(getattr(field.remote_field, "model", "")).lower().startswith("design.")
        ]
        assert relations == [], "the latest migration state still links to the design layer"
