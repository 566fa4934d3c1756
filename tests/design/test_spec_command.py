"""``manage.py spec validate|load|export``: output, exit status, and nothing written on errors."""

from __future__ import annotations

import shutil
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from tests.conftest import REPO_ROOT
from tests.design.specs.helpers import broken_copy, folder_digest


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("spec", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_validate_a_folder(repair_shop_spec_dir):
    out, err = run("validate", str(repair_shop_spec_dir))
    assert out == "repair_shop: OK (12 entities, 10 services)\n"
    assert err == ""


def test_validate_by_tenant_name_and_all(settings, tmp_path, repair_shop_spec_dir):
    shutil.copytree(repair_shop_spec_dir, tmp_path / "repair_shop")
    settings.META_SPECS_DIR = tmp_path
    assert run("validate", "repair_shop")[0] == "repair_shop: OK (12 entities, 10 services)\n"
    assert run("validate", "--all")[0] == "repair_shop: OK (12 entities, 10 services)\n"


def test_validate_reports_every_error_and_fails(tmp_path):
    folder = broken_copy(
        tmp_path,
        [
            ("services.yaml", "duration: PT15M", "duration: 15m"),
            (
                "entities.yaml",
                "to: device_type, required: true}",
                "to: device_typ, required: true}",
            ),
        ],
    )
    with pytest.raises(CommandError, match=r"^2 error\(s\) in 1 spec folder\(s\)$"):
        out, err = StringIO(), StringIO()
        try:
            call_command("spec", "validate", str(folder), stdout=out, stderr=err)
        finally:
            lines = err.getvalue().splitlines()
    assert lines == [
        f"{folder}/entities.yaml:49:57: entities[4].fields[0].to: unknown entity 'device_typ' (did you mean 'device_type'?)",
        f"{folder}/services.yaml:2:108: services[0].duration: invalid ISO 8601 duration '15m' "
        "(examples: 'PT30M', 'PT1H', 'P3D', 'P1DT2H')",
        f"{folder}: 2 error(s)",
    ]


def test_validate_all_keeps_going_after_a_broken_tenant(settings, tmp_path, repair_shop_spec_dir):
    broken_copy(tmp_path, [("services.yaml", "duration: PT15M", "duration: 15m")], name="a_broken")
    shutil.copytree(repair_shop_spec_dir, tmp_path / "repair_shop")
    settings.META_SPECS_DIR = tmp_path
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError, match="1 error"):
        call_command("spec", "validate", "--all", stdout=out, stderr=err)
    assert out.getvalue() == "repair_shop: OK (12 entities, 10 services)\n"
    assert "services[0].duration: invalid ISO 8601 duration '15m'" in err.getvalue()


def test_validate_needs_exactly_one_target():
    with pytest.raises(CommandError, match="give a tenant name or folder, or --all"):
        run("validate")


@pytest.mark.slow
def test_exit_status_is_1_from_the_shell(tmp_path):
    folder = broken_copy(tmp_path, [("services.yaml", "backoff: PT1M", "backoff: 1m")])
    result = subprocess.run(
        [sys.executable, "manage.py", "spec", "validate", str(folder)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert (
        f"{folder}/services.yaml:50:113: services[9].rules[9].params.backoff: invalid ISO 8601 duration '1m'"
        in (result.stderr)
    )


@pytest.mark.django_db
def test_load_then_broken_load_changes_nothing(tmp_path, repair_shop_spec_dir):
    from django.apps import apps

    def snapshot() -> dict[str, list[str]]:
        models = [
            *apps.get_app_config("core").get_models(),  # the tenant row
            *apps.get_app_config("design").get_models(),
        ]
        return {m.__name__: sorted(map(str, m.objects.values_list())) for m in models}

    out, _ = run("load", str(repair_shop_spec_dir))
    assert out == "repair_shop: loaded into the design database\n"
    before = snapshot()
    assert len(before["Tenant"]) == 1
    folder = broken_copy(
        tmp_path, [("entities.yaml", "    name: fault\n", "    name: device_type\n")]
    )
    digest = folder_digest(folder)
    err = StringIO()
    with pytest.raises(CommandError, match="nothing was written"):
        call_command("spec", "load", str(folder), stdout=StringIO(), stderr=err)
    assert "entities[1].name: duplicate entity name 'device_type'" in err.getvalue()
    assert folder_digest(folder) == digest
    assert snapshot() == before


@pytest.mark.django_db
def test_export_writes_yaml_that_validates_again(tmp_path, repair_shop_spec_dir):
    run("load", str(repair_shop_spec_dir))
    out, _ = run("export", "repair_shop", "--out", str(tmp_path / "out"))
    assert out.startswith("repair_shop: wrote ") and out.endswith(
        f"file(s) to {tmp_path / 'out'}\n"
    )
    assert sorted(p.name for p in (tmp_path / "out").glob("*.yaml"))
    assert (
        run("validate", str(tmp_path / "out"))[0] == "repair_shop: OK (12 entities, 10 services)\n"
    )


def test_tenant_argument_with_slash_is_a_folder(settings, tmp_path):
    from design.management.commands.spec import spec_folder

    settings.META_SPECS_DIR = tmp_path
    assert spec_folder("clinic") == Path(tmp_path) / "clinic"
    assert spec_folder("meta_specs/clinic") == Path("meta_specs/clinic")
