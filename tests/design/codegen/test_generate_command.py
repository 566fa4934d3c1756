"""``manage.py generate``: bad specs write nothing, --from-db gives the same bytes, --all --check."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from django.core.management import call_command

from design.codegen.formatting import build_app
from design.specs.validate import validate_folder

REPO = Path(__file__).resolve().parents[3]


def test_bad_spec_exits_1_with_located_errors_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec_dir = tmp_path / "spec"
    spec_dir.mkdir()
    (spec_dir / "tenant.yaml").write_text("spec_version: 1\ntenant: {name: broken, label: B}\n")
    (spec_dir / "entities.yaml").write_text(
        "entities:\n  - {label: A, name: a, fields: [{label: R, name: r, type: ref, to: nowhere}]}\n"
    )
    out = tmp_path / "gen"
    with pytest.raises(SystemExit) as info:
        call_command("generate", "broken", spec_dir=str(spec_dir), generated_dir=str(out))
    assert info.value.code == 1
    err = capsys.readouterr().err
    assert "entities.yaml:2:" in err and "nowhere" in err
    assert not out.exists()


def test_tenant_or_all_is_required() -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("generate")


@pytest.mark.django_db
def test_from_db_renders_the_same_bytes(repair_shop_spec_dir: Path) -> None:
    from design.selectors import spec_get
    from design.services import spec_load

    spec_load(folder=repair_shop_spec_dir)
    assert build_app(spec_get(tenant="repair_shop")) == build_app(
        validate_folder(repair_shop_spec_dir)
    )


def test_committed_repair_shop_matches_its_spec(repair_shop_spec_dir: Path) -> None:
    built = build_app(validate_folder(repair_shop_spec_dir))
    app = REPO / "generated" / "repair_shop"
    for path, text in built.items():
        assert (app / path).read_text(encoding="utf-8") == text, path
    assert (app / "migrations" / "0001_initial.py").is_file()


@pytest.mark.slow
def test_all_check_passes_on_the_committed_tree(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'db.sqlite3'}")
    call_command("generate", "--all", "--check")  # raises SystemExit(1) when anything would change


@pytest.mark.slow
def test_check_reports_a_hand_edit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, repair_shop_spec_dir: Path
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'db.sqlite3'}")
    out = tmp_path / "gen"
    shutil.copytree(
        REPO / "generated" / "repair_shop",
        out / "repair_shop",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    with (out / "repair_shop" / "admin.py").open("a") as handle:
        handle.write("# hand edit\n")
    with pytest.raises(SystemExit) as info:
        call_command(
            "generate",
            "repair_shop",
            spec_dir=str(repair_shop_spec_dir),
            generated_dir=str(out),
            check=True,
        )
    assert info.value.code == 1
    assert (
        (out / "repair_shop" / "admin.py").read_text().endswith("# hand edit\n")
    )  # --check wrote nothing
