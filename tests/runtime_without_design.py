"""Import every runtime module with the design layer made unimportable; print what happened as JSON.

Run as a script by ``tests/test_layering.py`` (a fresh interpreter, so nothing is imported yet):
``DJANGO_SETTINGS_MODULE=tests.settings_without_design python tests/runtime_without_design.py``.
"""

from __future__ import annotations

import importlib
import importlib.abc
import json
import pkgutil
import sys
import traceback
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
RUNTIME = ("core", "kernel", "applications", "generated")
attempts: list[str] = []


class NoDesign(importlib.abc.MetaPathFinder):
    """Refuses ``design`` and ``design.*``, remembering who asked (a caught ImportError still counts)."""

    def find_spec(self, fullname, path, target=None):
        if fullname == "design" or fullname.startswith("design."):
            attempts.append(fullname)
            raise ImportError(f"the runtime may not import the design layer ({fullname})")
        return None


def runtime_modules() -> list[str]:
    """Every module and package under the runtime folders, found on disk (nothing imported)."""
    names = []
    for package in RUNTIME:
        names.append(package)
        folder = REPO_ROOT / package
        for info in pkgutil.walk_packages([str(folder)], prefix=f"{package}."):
            names.append(info.name)
    return sorted(names)


def design_relations() -> list[str]:
    """Relations of installed models that still name a design model (left unresolved as strings)."""
    from django.apps import apps

    found = []
    for model in apps.get_models():
        for field in model._meta.get_fields(include_hidden=True):
            target = getattr(getattr(field, "remote_field", None), "model", None)
            if isinstance(target, str) and target.lower().startswith("design."):
                found.append(f"{model._meta.label}.{field.name} -> {target}")
    return sorted(found)


def main() -> None:
    sys.path.insert(0, str(REPO_ROOT))
    sys.meta_path.insert(0, NoDesign())
    import django

    django.setup()
    failures = {}
    modules = runtime_modules()
    for name in modules:
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001 - every failure is reported, the test decides
            failures[name] = traceback.format_exc(limit=3)
    runtime_attempts = list(attempts)
    try:
        importlib.import_module("design.specs.model")
        guard = "design.specs.model imported: the guard does not work"
    except ImportError:
        guard = "refused"
    print(
        json.dumps(
            {
                "modules": modules,
                "failures": failures,
                "attempts": runtime_attempts,
                "guard": guard,
                "design_relations": design_relations(),
            }
        )
    )


if __name__ == "__main__":
    main()
