"""Generate, migrate and publish one tenant: the steps behind the designer's buttons (and its jobs)."""

from __future__ import annotations

import collections
import difflib
import importlib
import io
import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from django.apps import apps as django_apps
from django.conf import settings
from django.db import connection
from django.utils.translation import gettext as _

from core.models import Tenant
from design.codegen.emit import EmitResult, diff_app, emit_app, is_up_to_date
from design.codegen.formatting import build_app
from design.codegen.migration_plan import DESTRUCTIVE, PlannedOperation
from design.reload import generated_apps_changed
from design.ui.specfiles import SpecState, spec_folder, spec_state
from kernel.models import Process, Revision

LIVE_STATES = ("NEW", "READY", "RUNNING", "WAITING", "SUSPENDED")


class StepRefused(Exception):
    """A step that may not run now; the message says why (shown in place)."""


def app_dir(tenant: str) -> Path:
    return Path(settings.GENERATED_DIR) / tenant


def migration_files(tenant: str) -> list[str]:
    folder = app_dir(tenant) / "migrations"
    if not folder.is_dir():
        return []
    return sorted(p.stem for p in folder.glob("[0-9]*.py"))


def unapplied_migrations(tenant: str) -> list[str]:
    """Migrations of ``generated/<tenant>/`` not yet recorded as applied in this database."""
    from django.db.migrations.recorder import MigrationRecorder

    recorder = MigrationRecorder(connection)
    if not recorder.has_table():
        return migration_files(tenant)
    applied = set(recorder.migration_qs.filter(app=tenant).values_list("name", flat=True))
    return [name for name in migration_files(tenant) if name not in applied]


@dataclass
class TenantStatus:
    """One row of the designer's tenant table."""

    state: SpecState
    generated: bool | None = None  # None: nothing to compare (spec invalid)
    unapplied: list[str] = field(default_factory=list)
    revision: Revision | None = None
    published_current: bool | None = None
    stale_processes: int = 0
    # False: ``generated/<tenant>/`` exists but this server started before it and does not run it
    # (a new tenant: the development server restarts by itself, gunicorn must be restarted).
    served: bool | None = None

    @property
    def name(self) -> str:
        return self.state.tenant


def spec_in_view(state: SpecState):
    """The spec the next step would use (without writing anything), or None."""
    if state.errors:
        return None
    if state.db_changed or (state.loaded and not state.on_disk):
        return state.db_spec
    return state.disk_spec or state.db_spec


def tenant_status(tenant: str) -> TenantStatus:
    from design.publish import spec_hash

    state = spec_state(tenant)
    status = TenantStatus(state=state)
    spec = spec_in_view(state)
    if spec is not None:
        status.generated = is_up_to_date(app_dir(tenant), spec)
    if (app_dir(tenant) / "apps.py").is_file():
        status.served = django_apps.is_installed(f"generated.{tenant}")
    status.unapplied = unapplied_migrations(tenant)
    row = Tenant.objects.filter(name=tenant).first()
    if row is not None:
        status.revision = Revision.objects.filter(tenant=row).order_by("-number").first()
        if status.revision is not None:
            if spec is not None:
                status.published_current = status.revision.spec_hash == spec_hash(spec)
            status.stale_processes = Process.objects.filter(
                tenant=row, state__in=LIVE_STATES, revision__number__lt=status.revision.number
            ).count()
    return status


@dataclass
class FileDiff:
    path: str
    status: str  # "changed" | "new" | "removed"
    diff: str


def code_diff(tenant: str) -> list[FileDiff]:
    """What generating now would change in ``generated/<tenant>/``: a unified diff per file."""
    state = spec_state(tenant)
    spec = spec_in_view(state)
    if spec is None:
        raise StepRefused(state.problem() or _("The spec cannot be read."))
    target = app_dir(tenant)
    files = build_app(spec)
    changed, removed = diff_app(target, files)
    out = []
    for path in changed:
        old_path = target / path
        old = old_path.read_text(encoding="utf-8") if old_path.is_file() else ""
        lines = difflib.unified_diff(
            old.splitlines(keepends=True),
            files[path].splitlines(keepends=True),
            fromfile=f"a/{tenant}/{path}",
            tofile=f"b/{tenant}/{path}",
        )
        out.append(FileDiff(path, "changed" if old_path.is_file() else "new", "".join(lines)))
    for path in removed:
        out.append(FileDiff(path, "removed", ""))
    return out


def migration_plan(tenant: str) -> list[PlannedOperation]:
    """The migration generating now would write, each operation classed (runs makemigrations aside)."""
    state = spec_in_view(spec_state(tenant))
    if state is None:
        raise StepRefused(_("The spec has errors; there is no plan."))
    return emit_app(spec=state, plan_only=True).plan


def plan_is_destructive(plan: list[PlannedOperation]) -> bool:
    return any(item.safety == DESTRUCTIVE for item in plan)


def _ready_spec(tenant: str, log=None):
    state = spec_state(tenant)
    problem = state.problem()
    if problem:
        raise StepRefused(problem)
    writes = state.db_changed or not state.on_disk
    spec = state.current_spec()
    if writes and log is not None:
        log(_("The design DB's spec was written to %(folder)s.") % {"folder": spec_folder(tenant)})
    return spec


def generate(tenant: str, *, allow_destructive: bool, log) -> EmitResult:
    """Write the spec files, then generate the app (a destructive migration needs ``allow_destructive``)."""
    spec = _ready_spec(tenant, log)
    result = emit_app(spec=spec, allow_destructive=allow_destructive)
    for item in result.plan:
        log(f"[{item.safety}] {item.description}" + (f" - {item.reason}" if item.reason else ""))
    if result.refused:
        raise StepRefused(
            _(
                "The migration is destructive: confirm it by typing the tenant name; nothing was written."
            )
        )
    for path in [*result.changed, *result.migrations]:
        log(_("%(path)s: written") % {"path": f"{tenant}/{path}"})
    for path in result.removed:
        log(_("%(path)s: removed") % {"path": f"{tenant}/{path}"})
    if not (result.changed or result.migrations or result.removed):
        log(_("The generated code was up to date."))
    elif generated_apps_changed():  # the development server and deploy/erpsys-reload.path restart
        if not django_apps.is_installed(f"generated.{tenant}"):
            log(
                _(
                    "%(tenant)s is a new app: the development server restarts to load it; "
                    "other servers load it when they are restarted."
                )
                % {"tenant": tenant}
            )
        else:
            log(
                _(
                    "The web server and the workers load the new code when they restart "
                    "(the development server and the deploy/ services restart by themselves)."
                )
            )
    return result


def migrate(tenant: str, *, log) -> list[str]:
    """Apply the generated app's migrations to the database."""
    from django.core.management import call_command

    pending = unapplied_migrations(tenant)
    if not pending:
        log(_("No migration to apply."))
        return []
    if not django_apps.is_installed(f"generated.{tenant}"):
        # A brand-new tenant: this process started before its app existed. A fresh process
        # finds it under GENERATED_DIR (settings.discover_generated_apps) and migrates it.
        migrate_in_subprocess(tenant, log=log)
        return pending
    loaded_from = Path(django_apps.get_app_config(tenant).path).resolve()
    if loaded_from != app_dir(tenant).resolve():
        raise StepRefused(
            _("This process runs the code of %(tenant)s from %(path)s, not from GENERATED_DIR.")
            % {"tenant": tenant, "path": loaded_from}
        )
    importlib.invalidate_caches()
    out = io.StringIO()
    call_command("migrate", tenant, interactive=False, stdout=out, verbosity=1)
    for line in out.getvalue().splitlines():
        if line.strip():
            log(line.rstrip())
    return pending


def subprocess_environment() -> dict[str, str]:
    """The environment of a fresh ``manage.py`` on this process's folders and database."""
    db = connection.settings_dict
    name = str(db["NAME"])
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        raise StepRefused(
            _(
                "The database is in memory: another process cannot migrate it; restart, then migrate."
            )
        )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "erpsys.settings"),
        "ERPSYS_META_SPECS_DIR": str(settings.META_SPECS_DIR),
        "ERPSYS_GENERATED_DIR": str(settings.GENERATED_DIR),
        # The database this process uses (a test run's test database included).
        "ERPSYS_DATABASE_NAME": name,
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("ERPSYS_TEST_DB_NAME", None)
    return env


def migrate_in_subprocess(tenant: str, *, log, timeout: float = 600) -> None:
    """``manage.py migrate <tenant>`` in a fresh process, its output line by line into ``log``."""
    command = [sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), "migrate", tenant,
               "--noinput"]  # fmt: skip
    log(_("The app of %(tenant)s is new to this process: migrating it in a new process.")
        % {"tenant": tenant})  # fmt: skip
    tail: collections.deque[str] = collections.deque(maxlen=20)
    process = subprocess.Popen(
        command,
        cwd=settings.BASE_DIR,
        env=subprocess_environment(),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        encoding="utf-8",
        errors="replace",
    )
    deadline = time.monotonic() + timeout
    assert process.stdout is not None
    for line in process.stdout:
        line = line.rstrip()
        if line.strip():
            tail.append(line)
            log(line)
        if time.monotonic() > deadline:
            process.kill()
            break
    try:
        code = process.wait(timeout=max(1.0, deadline - time.monotonic()))
    except subprocess.TimeoutExpired:
        process.kill()
        code = process.wait()
    if code != 0:
        raise StepRefused(
            _("manage.py migrate %(tenant)s failed (exit status %(code)s): %(tail)s")
            % {"tenant": tenant, "code": code, "tail": " / ".join(list(tail)[-5:])}
        )


def publish(tenant: str, *, user, log) -> Revision:
    """Publish the spec as a new revision (generated code must be current and migrated first)."""
    from design.publish import revision_publish

    spec = _ready_spec(tenant, log)
    if not is_up_to_date(app_dir(tenant), spec):
        raise StepRefused(_("The generated code is not up to date: generate first."))
    if unapplied_migrations(tenant):
        raise StepRefused(_("Migrations are waiting: migrate first."))
    revision, created = revision_publish(tenant=tenant, spec=spec, user=user)
    if created:
        log(_("Published revision %(number)d.") % {"number": revision.number})
    else:
        log(
            _("The spec is unchanged: revision %(number)d stays current.")
            % {"number": revision.number}
        )
    return revision
