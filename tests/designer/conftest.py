"""Fixtures of the designer's tests: spec and generated folders copied aside, and the people."""

from __future__ import annotations

import io
import shutil
import sys
import zipfile
from pathlib import Path

import pytest
from django.apps import apps

from tests.conftest import CLINIC_SPEC, REPO_ROOT

ADDED_FIELD = "      - {label: 停车位, name: parking_spot, type: char, max_length: 20}\n"


def clinic_files(*, added_field: bool = False) -> dict[str, str]:
    """The clinic's spec files; with ``added_field`` an optional field on the appointment (and its form)."""
    files = {p.name: p.read_text(encoding="utf-8") for p in sorted(CLINIC_SPEC.glob("*.yaml"))}
    if added_field:
        text = files["entities.yaml"]
        anchor = "      - {label: 客户已到店, name: arrived, type: boolean, default: false}\n"
        assert anchor in text
        text = text.replace(anchor, anchor + ADDED_FIELD, 1)
        form_end = "      - source_note\n      - remark\n\n  - label: 预约确认表"
        assert form_end in text
        text = text.replace(
            form_end,
            "      - source_note\n      - remark\n      - parking_spot\n\n  - label: 预约确认表",
            1,
        )
        files["entities.yaml"] = text
    return files


def zip_of(files: dict[str, str], folder: str = "clinic") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(f"{folder}/{name}" if folder else name, text)
    return buffer.getvalue()


@pytest.fixture
def designer_dirs(settings, tmp_path, monkeypatch):
    """META_SPECS_DIR and GENERATED_DIR copied under tmp_path; the clinic's app is loaded from there."""
    specs = tmp_path / "meta_specs"
    shutil.copytree(CLINIC_SPEC, specs / "clinic")
    generated = tmp_path / "generated"
    shutil.copytree(
        REPO_ROOT / "generated", generated, ignore=shutil.ignore_patterns("__pycache__")
    )
    settings.META_SPECS_DIR = specs
    settings.GENERATED_DIR = generated
    # This process imported generated.clinic from the repo; point it (and its migrations) here.
    config = apps.get_app_config("clinic")
    monkeypatch.setattr(config, "path", str(generated / "clinic"))
    package = sys.modules["generated.clinic"]
    monkeypatch.setattr(package, "__path__", [str(generated / "clinic")])
    migrations = sys.modules.get("generated.clinic.migrations")
    if migrations is not None:
        monkeypatch.setattr(migrations, "__path__", [str(generated / "clinic" / "migrations")])
    for name in [m for m in sys.modules if m.startswith("generated.clinic.migrations.")]:
        monkeypatch.delitem(sys.modules, name)
    return tmp_path


@pytest.fixture
def analyst(django_user_model):
    return django_user_model.objects.create_user("analyst", password="x", is_staff=True)


@pytest.fixture
def analyst_client(client, analyst):
    """Signed in as the analyst, in English (the jobs log in the language of who started them)."""
    client.force_login(analyst)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def folder_bytes(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (caches aside): relative path -> bytes."""
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts
    }
