"""Hostile specs: each either fails validation with a located error, or generates code that
compiles, imports, migrates and never runs the payload."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from design.codegen.emit import emit_app
from design.codegen.errors import CodegenError, CodegenErrorCode
from design.codegen.writer import render_app
from design.specs.errors import SpecInvalid
from design.specs.model import Choice, EntitySpec, FieldSpec, FormSpec, Spec, TenantSpec
from tests.design.codegen.helpers import run_python, subprocess_env

PAYLOAD = "__import__('os').system('touch CANARY')"
NASTY = [
    'it\'s "quoted"',
    '""" triple',
    "''' triple",
    "back\\slash\\",
    "new\nline",
    "{{ jinja }}",
    "{% block %}",
    PAYLOAD,
    "\u202eRTL override",
    "长" * 500,
]


def hostile_spec() -> Spec:
    fields = [
        FieldSpec(name=f"f{i}", label=text, type="char", help=text, default=text, max_length=600)
        for i, text in enumerate(NASTY)
    ]
    fields += [
        FieldSpec(
            name="pick", label=PAYLOAD, type="char", choices=[Choice(t, t) for t in NASTY[:9]]
        ),
        FieldSpec(name="pat", label="p", type="char", pattern="^(?:'|\"|\\\\|\\n|{{|}})*$"),
        FieldSpec(name="calc", label='"""', type="computed", expression="1 + 1"),
        FieldSpec(name="blob", label="b", type="json", default={"k": PAYLOAD, "l": NASTY}),
        # Names that equal Python builtins, soft keywords or Django-ish names, and module names.
        FieldSpec(name="type", label="t", type="integer"),
        FieldSpec(name="match", label="m", type="integer"),
        FieldSpec(name="models", label="m", type="char"),
        FieldSpec(name="validators", label="v", type="integer", min=0),
        FieldSpec(name="decimal", label="d", type="decimal", default="1.5"),
        FieldSpec(name="settings", label="s", type="user"),
    ]
    return Spec(
        tenant=TenantSpec(name="hostile", label=PAYLOAD + "\u202e"),
        entities=[
            EntitySpec(
                name="evil",
                label=NASTY[1] + NASTY[4],
                kind="dict",
                naming="X-{####}'\"",
                rows=[{"label": text} for text in NASTY],
            ),
            EntitySpec(
                name="thing",
                label=NASTY[0],
                fields=fields,
                list_display=["f0", "pick"],
                search=["f7"],
            ),
            EntitySpec(name="child", label=NASTY[5], kind="record", part_of="thing"),
        ],
        forms=[FormSpec(name="thing_form", label=PAYLOAD, entity="thing", inlines=["child"])],
    )


@pytest.mark.slow
def test_hostile_spec_generates_safe_code(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    database = tmp_path / "db.sqlite3"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{database}")
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "gen"
    emit_app(spec=hostile_spec(), generated_dir=out)
    app = out / "hostile"
    for source in app.rglob("*.py"):
        compile(source.read_text(), str(source), "exec")
        assert "\u202e" not in source.read_text()
    code = textwrap.dedent(
        """
        from django.core.management import call_command
        call_command("migrate", verbosity=0, interactive=False)
        import generated.hostile.admin, generated.hostile.api, generated.hostile.forms, generated.hostile.urls
        from generated.hostile import models
        thing = models.Thing.objects.create(label="x")
        thing.refresh_from_db()
        assert thing.f7 == PAYLOAD, thing.f7
        assert thing.blob == {"k": PAYLOAD, "l": NASTY}
        assert models.Thing._meta.get_field("f8").verbose_name == RTL
        evil = models.Evil.objects.create(label="row")
        assert evil.number.startswith("X-")
        print("OK")
        """
    )
    code = f"PAYLOAD = {PAYLOAD!r}\nNASTY = {NASTY!r}\nRTL = {NASTY[8]!r}\n" + code
    result = run_python(code, env=subprocess_env(out, database), cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "OK" in result.stdout
    assert not (tmp_path / "CANARY").exists()
    assert not (Path(__file__).resolve().parents[3] / "CANARY").exists()


@pytest.mark.parametrize(
    "name", ["save_base", "clean_fields", "get_deferred_fields", "assign_number"]
)
def test_fields_shadowing_model_machinery_are_refused(name: str) -> None:
    spec = hostile_spec()
    spec.entities[1].fields.append(FieldSpec(name=name, label="x", type="boolean"))
    with pytest.raises(CodegenError) as info:
        render_app(spec)
    assert info.value.code == CodegenErrorCode.NAME_COLLISION


@pytest.mark.parametrize(
    "entity_yaml",
    [
        "{label: X, name: class, kind: model}",
        "{label: X, name: thing, fields: [{label: Y, name: import, type: char}]}",
        "{label: X, name: thing, fields: [{label: Y, name: objects, type: char}]}",
        "{label: X, name: thing, fields: [{label: Y, name: pk, type: char}]}",
        "{label: X, name: 'Bad-Name', kind: model}",
    ],
)
def test_bad_names_fail_validation_with_a_location(tmp_path: Path, entity_yaml: str) -> None:
    from design.specs.validate import validate_folder

    (tmp_path / "tenant.yaml").write_text("spec_version: 1\ntenant: {name: hostile, label: H}\n")
    (tmp_path / "entities.yaml").write_text(f"entities:\n  - {entity_yaml}\n")
    with pytest.raises(SpecInvalid) as info:
        validate_folder(tmp_path)
    assert info.value.errors
    assert all(error.location is not None for error in info.value.errors)
    assert "entities.yaml" in str(info.value.errors[0])
