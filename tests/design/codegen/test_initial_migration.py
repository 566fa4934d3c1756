"""A new tenant's first migration: dependency order, links inline unless a cycle forces a split,
accepted by Django's autodetector, migrates on SQLite and PostgreSQL, same bytes every time."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import psycopg
import pytest
from django.conf import settings

from design.codegen.emit import emit_app
from tests.design.codegen.cycles import cyclic_spec
from tests.design.codegen.helpers import manage, run_python, subprocess_env

pytestmark = pytest.mark.slow

# The links that close a cycle, as (model, field): everything else is created inline.
CYCLE_LINKS = {
    ("step", "master"),  # ticket.current_step -> step, step.master -> ticket
    ("asset", "replacement"),  # asset -> vehicle, vehicle is_a asset
    ("asset", "fleet"),
    ("team", "lead"),  # team.lead -> person, person.team -> team
}


# Rows that use every link of every cycle, read back through the links.
ROUND_TRIP = """
from generated.cyclic import models as m
ticket = m.Ticket.objects.create(title="T")
step = m.Step.objects.create(master=ticket, note="n")
ticket.current_step = step
ticket.save()
asset = m.Asset.objects.create(tag="A")
car = m.Vehicle.objects.create(tag="C", plate="P")
asset.replacement = car
asset.save()
asset.fleet.add(car)
team = m.Team.objects.create()
lead = m.Person.objects.create(team=team)
team.lead = lead
team.save()
assert m.Ticket.objects.get().current_step.master == ticket
assert m.Asset.objects.get(pk=asset.pk).fleet.get() == car
assert m.Team.objects.get().lead.team == team
print("ok")
"""


def _operations(migration: str) -> list[tuple[str, str]]:
    """(operation, model) in file order; AddField as ("AddField", "model.field")."""
    out = []
    pattern = r'migrations\.(CreateModel|AddField)\(\s*(?:name="(\w+)"|model_name="(\w+)",\s*name="(\w+)")'
    for op, created, model, field in re.findall(pattern, migration):
        out.append((op, created.lower() if created else f"{model}.{field}"))
    return out


def _generate_and_migrate(tmp_path: Path, env: dict[str, str]) -> str:
    out = tmp_path / "gen"
    result = emit_app(spec=cyclic_spec(), generated_dir=out)
    assert not result.refused, result.plan
    assert result.migrations == ["migrations/0001_initial.py"]
    assert {p.safety for p in result.plan} == {"safe"}
    text = (out / "cyclic/migrations/0001_initial.py").read_text()
    ops = _operations(text)
    created = [model for op, model in ops if op == "CreateModel"]
    assert sorted(created) == ["asset", "person", "step", "team", "ticket", "vehicle"]
    assert created.index("asset") < created.index("vehicle")  # is_a parent first
    assert created.index("team") < created.index("person")  # person.team inline
    added = {tuple(model.split(".")) for op, model in ops if op == "AddField"}
    assert added == CYCLE_LINKS
    assert ops[-len(added) :] == [op for op in ops if op[0] == "AddField"]  # after every table
    assert "migrations.swappable_dependency(settings.AUTH_USER_MODEL)" in text
    assert "class Migration(InitialMigration):" in text

    migrated = manage("migrate", "--noinput", "-v", "0", env=env)
    assert migrated.returncode == 0, migrated.stderr
    used = run_python(ROUND_TRIP, env=env, cwd=tmp_path)
    assert used.returncode == 0 and used.stdout.strip() == "ok", used.stderr
    unchanged = manage("makemigrations", "cyclic", "--check", "--dry-run", env=env)
    assert unchanged.returncode == 0, unchanged.stdout + unchanged.stderr
    assert emit_app(spec=cyclic_spec(), generated_dir=out, check=True).up_to_date
    return text


def test_a_new_tenant_with_cycles_generates_and_migrates_on_sqlite(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'db.sqlite3'}")
    env = subprocess_env(tmp_path / "gen", tmp_path / "db.sqlite3")
    first = _generate_and_migrate(tmp_path, env)

    again = tmp_path / "again"
    emit_app(spec=cyclic_spec(), generated_dir=again)
    assert (again / "cyclic/migrations/0001_initial.py").read_text() == first  # same bytes

    # Applied one operation at a time, as Django's own Migration does, the schema is the same.
    plain = again / "cyclic/migrations/0001_initial.py"
    plain.write_text(first.replace("(InitialMigration)", "(migrations.Migration)"))
    plain_env = subprocess_env(again, tmp_path / "plain.sqlite3")
    assert manage("migrate", "--noinput", "-v", "0", env=plain_env).returncode == 0
    assert _schema(tmp_path / "plain.sqlite3") == _schema(tmp_path / "db.sqlite3")


def _schema(database: Path) -> list[str]:
    with sqlite3.connect(database) as conn:
        rows = conn.execute(
            "SELECT sql FROM sqlite_master WHERE name LIKE 'cyclic%' ORDER BY name"
        ).fetchall()
    assert rows
    return [sql for (sql,) in rows]


@pytest.fixture
def scratch_postgres() -> str:
    """A fresh PostgreSQL database next to the test database, dropped afterwards."""
    db = settings.DATABASES["default"]
    name = f"{db['NAME']}_cycles"
    admin = f"host={db['HOST'] or '127.0.0.1'} port={db['PORT'] or 5432} user={db['USER']} dbname=postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    yield f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.postgres
def test_a_new_tenant_with_cycles_generates_and_migrates_on_postgresql(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, scratch_postgres: str
) -> None:
    monkeypatch.setenv("DATABASE_URL", scratch_postgres)
    env = {**subprocess_env(tmp_path / "gen", tmp_path / "unused.sqlite3")}
    env["DATABASE_URL"] = scratch_postgres
    _generate_and_migrate(tmp_path, env)
