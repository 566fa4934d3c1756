"""A brand-new tenant's app, which this process does not run: migrated in a fresh process, the
development server told to restart, the status saying the server does not run it yet.

The whole flow in a browser is tests/browser/test_new_tenant.py.
"""

from __future__ import annotations

import os
import sys
import types

import pytest
from django.utils import translation

from design import reload
from design.ui import steps

pytestmark = pytest.mark.django_db


def fake_manage(tmp_path, *, lines: list[str], code: int):
    (tmp_path / "manage.py").write_text(
        "import sys\n"
        f"for line in {lines!r}:\n    print(line, flush=True)\n"
        f"print('args', ' '.join(sys.argv[1:]))\n"
        f"sys.exit({code})\n",
        encoding="utf-8",
    )


def test_a_new_app_is_migrated_in_a_fresh_process(settings, tmp_path, monkeypatch):
    settings.BASE_DIR = tmp_path
    monkeypatch.setattr(steps, "subprocess_environment", lambda: dict(os.environ))
    fake_manage(tmp_path, lines=["Operations to perform:", "  Applying bakery.0001_initial... OK"], code=0)  # fmt: skip
    said: list[str] = []
    steps.migrate_in_subprocess("bakery", log=said.append)
    assert said[1:] == [
        "Operations to perform:",
        "  Applying bakery.0001_initial... OK",
        "args migrate bakery --noinput",
    ]


def test_a_failed_migration_fails_the_step_with_its_last_lines(settings, tmp_path, monkeypatch):
    settings.BASE_DIR = tmp_path
    monkeypatch.setattr(steps, "subprocess_environment", lambda: dict(os.environ))
    fake_manage(tmp_path, lines=["django.db.utils.OperationalError: boom"], code=3)
    said: list[str] = []
    with pytest.raises(steps.StepRefused) as refused, translation.override("en"):
        steps.migrate_in_subprocess("bakery", log=said.append)
    assert "exit status 3" in str(refused.value)
    assert "OperationalError: boom" in str(refused.value)


def test_the_subprocess_gets_this_process_folders_and_database(settings, tmp_path):
    from django.db import connection

    settings.GENERATED_DIR = tmp_path / "generated"
    settings.META_SPECS_DIR = tmp_path / "meta_specs"
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        with pytest.raises(steps.StepRefused):
            steps.subprocess_environment()
        return
    env = steps.subprocess_environment()
    assert env["ERPSYS_GENERATED_DIR"] == str(tmp_path / "generated")
    assert env["ERPSYS_META_SPECS_DIR"] == str(tmp_path / "meta_specs")
    assert env["ERPSYS_DATABASE_NAME"] == str(connection.settings_dict["NAME"])
    assert "ERPSYS_TEST_DB_NAME" not in env


def test_the_development_server_watches_the_stamp_and_generate_touches_it(settings, tmp_path):
    settings.GENERATED_DIR = tmp_path
    reloader = types.SimpleNamespace(extra_files=set())
    reload.watch_generated_apps(reloader)
    assert reloader.extra_files == set()  # no stamp: nothing watched
    assert reload.generated_apps_changed() is False
    stamp = tmp_path / "__init__.py"
    stamp.write_text("")
    os.utime(stamp, (1_000_000, 1_000_000))
    reload.watch_generated_apps(reloader)
    assert reloader.extra_files == {stamp.resolve()}
    assert reload.generated_apps_changed() is True
    assert stamp.stat().st_mtime > 1_000_000
    assert stamp.read_text() == ""


def test_the_status_says_this_server_does_not_run_a_new_app(settings, tmp_path):
    settings.GENERATED_DIR = tmp_path
    settings.META_SPECS_DIR = tmp_path / "meta_specs"
    (tmp_path / "bakery").mkdir()
    assert steps.tenant_status("bakery").served is None  # nothing generated yet
    (tmp_path / "bakery" / "apps.py").write_text("")
    assert steps.tenant_status("bakery").served is False
    (tmp_path / "clinic").mkdir()
    (tmp_path / "clinic" / "apps.py").write_text("")
    assert steps.tenant_status("clinic").served is True


def test_a_new_app_runs_the_subprocess_from_migrate(settings, tmp_path, monkeypatch):
    settings.GENERATED_DIR = tmp_path
    (tmp_path / "bakery" / "migrations").mkdir(parents=True)
    (tmp_path / "bakery" / "migrations" / "0001_initial.py").write_text("")
    called = []
    monkeypatch.setattr(steps, "migrate_in_subprocess", lambda tenant, log: called.append(tenant))
    assert steps.migrate("bakery", log=lambda line: None) == ["0001_initial"]
    assert called == ["bakery"]
    assert sys.modules.get("generated.bakery") is None


def test_role_rights_on_models_this_process_does_not_run(db):
    """Publish in a worker that started before the tenant's app: found by content type."""
    from django.contrib.auth.models import Permission
    from django.contrib.contenttypes.models import ContentType

    from applications.permissions import _permissions_not_loaded

    content_type = ContentType.objects.create(app_label="bakery", model="cakeorder")
    for action in ("view", "add", "change", "delete"):
        Permission.objects.create(
            content_type=content_type, codename=f"{action}_cakeorder", name=action
        )
    found = _permissions_not_loaded("bakery", "cake_order", ("view", "add"))
    assert sorted(p.codename for p in found) == ["add_cakeorder", "view_cakeorder"]
    assert _permissions_not_loaded("bakery", "customer", ("view",)) == []  # never migrated


def test_generate_touches_the_stamp_whenever_it_wrote_code(settings, tmp_path, monkeypatch):
    """An existing app's changed models need a restart too: the stamp is touched for it."""
    from design.codegen.emit import EmitResult

    settings.GENERATED_DIR = tmp_path
    stamp = tmp_path / "__init__.py"
    stamp.write_text("")
    monkeypatch.setattr(steps, "_ready_spec", lambda tenant, log: None)
    wrote = EmitResult(tenant="clinic", changed=["models.py"])
    monkeypatch.setattr(steps, "emit_app", lambda **kwargs: wrote)
    os.utime(stamp, (1_000_000, 1_000_000))
    said: list[str] = []
    with translation.override("en"):
        steps.generate("clinic", allow_destructive=False, log=said.append)
    assert stamp.stat().st_mtime > 1_000_000
    assert "restart" in said[-1]
    monkeypatch.setattr(steps, "emit_app", lambda **kwargs: EmitResult(tenant="clinic"))
    os.utime(stamp, (1_000_000, 1_000_000))
    steps.generate("clinic", allow_destructive=False, log=said.append)
    assert stamp.stat().st_mtime == 1_000_000  # nothing written: nobody restarts


def test_the_reload_path_unit_watches_the_stamp_and_restarts_web_and_workers():
    import configparser

    from tests.conftest import REPO_ROOT

    path = configparser.ConfigParser(strict=False)
    path.read(REPO_ROOT / "deploy" / "erpsys-reload.path")
    service = configparser.ConfigParser(strict=False)
    service.read(REPO_ROOT / "deploy" / "erpsys-reload.service")
    web = configparser.ConfigParser(strict=False)
    web.read(REPO_ROOT / "deploy" / "erpsys-web.service")
    root = web["Service"]["WorkingDirectory"]
    assert path["Path"]["PathChanged"] == f"{root}/generated/__init__.py"
    assert path["Path"]["Unit"] == "erpsys-reload.service"
    restart = service["Service"]["ExecStart"].split()
    assert restart[1:3] == ["try-restart", "erpsys-web.service"]
    assert "erpsys-worker.service" in restart
