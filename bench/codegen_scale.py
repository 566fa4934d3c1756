"""Code generation at scale: the 300-entity synthetic spec, full / no-op / one-field regeneration,
and applying the new app's first migration.

Run: .venv/bin/python bench/codegen_scale.py [--entities 300 --fields 3000] [--no-migrations]
     [--database-url postgres://...]  (default: a temp SQLite file)
Targets: full generation (templates) < 3 s; full generation including the first migration <= 10 s;
migrate of that first migration <= 30 s; no-op < 10 % of full; one-field change < 25 % of full.
"""

from __future__ import annotations

import argparse
import copy
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


CPU: dict[str, float] = {}  # CPU seconds of each step, this process and its subprocesses


def _cpu() -> float:
    own, children = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _timed(label: str, func, results: dict[str, float]):  # noqa: ANN001, ANN202 - bench helper
    start, cpu = time.perf_counter(), _cpu()
    value = func()
    results[label] = time.perf_counter() - start
    CPU[label] = _cpu() - cpu
    return value


def _migrate(generated_dir: Path, database_url: str) -> subprocess.CompletedProcess:
    """``manage.py migrate`` in a fresh process with only the tenants under ``generated_dir``."""
    env = {**os.environ, "ERPSYS_GENERATED_DIR": str(generated_dir), "DATABASE_URL": database_url}
    env.pop("ERPSYS_TEST_DB_NAME", None)
    command = [sys.executable, str(ROOT / "manage.py"), "migrate", "--noinput", "-v", "0"]
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if result.returncode:
        raise SystemExit(f"migrate failed:\n{result.stderr}")
    return result


def main() -> int:
    """Measure and print; exit 1 when a target is missed."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--entities", type=int, default=300)
    parser.add_argument("--fields", type=int, default=3000)
    parser.add_argument("--no-migrations", action="store_true", help="skip the makemigrations runs")
    parser.add_argument("--database-url", default="", help="an empty database to migrate into")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "erpsys.settings")
    import django

    django.setup()
    from bench.synthetic import write_synthetic_spec
    from design.codegen.emit import emit_app
    from design.codegen.formatting import build_app
    from design.specs.validate import validate_folder

    results: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="erpsys-codegen-bench-") as tmp:
        tmp_path = Path(tmp)
        database_url = args.database_url or f"sqlite:///{tmp_path / 'db.sqlite3'}"
        os.environ["DATABASE_URL"] = database_url
        folder = write_synthetic_spec(tmp_path / "spec", entities=args.entities, fields=args.fields)
        spec = _timed("validate", lambda: validate_folder(folder), results)
        files = _timed("full (templates + format)", lambda: build_app(spec), results)
        out = tmp_path / "generated"
        if args.no_migrations:
            from design.codegen.emit import EmitResult, _apply, diff_app, is_up_to_date

            def write_only(s):  # noqa: ANN001, ANN202
                if is_up_to_date(out / s.tenant.name, s, require_migrations=False):
                    return EmitResult(tenant=s.tenant.name)
                built = build_app(s)
                result = EmitResult(tenant=s.tenant.name)
                result.changed, result.removed = diff_app(out / s.tenant.name, built)
                _apply(out / s.tenant.name, built, result)
                return result

            emit = write_only
        else:

            def emit(s):  # noqa: ANN001, ANN202
                return emit_app(spec=s, generated_dir=out)

        first = _timed("full (write + makemigrations)", lambda: emit(spec), results)
        if not args.no_migrations:
            _migrate(tmp_path / "none", database_url)  # the platform's own apps, not timed
            _timed("migrate (first migration)", lambda: _migrate(out, database_url), results)
        noop = _timed("no-op regeneration", lambda: emit(spec), results)
        changed = copy.deepcopy(spec)
        target = next(f for e in changed.entities for f in e.fields if f.type == "char")
        target.max_length = (target.max_length or 255) + 1
        one = _timed("one-field change", lambda: emit(changed), results)
    full = results["full (templates + format)"]
    print(
        f"spec: {args.entities} entities, {args.fields} fields; {len(files)} files,"
        f" models.py {len(files['models.py']) // 1024} KiB"
    )
    for label, seconds in results.items():
        print(f"  {label:32s} {seconds:7.3f} s wall {CPU[label]:7.3f} s CPU")
    print(f"  load average {os.getloadavg()[0]:.1f}")
    print(
        f"  files written: full {len(first.changed)}, no-op {len(noop.changed)}, one-field {len(one.changed)};"
        f" migrations: {len(getattr(first, 'migrations', []))} / {len(getattr(noop, 'migrations', []))}"
        f" / {len(getattr(one, 'migrations', []))}"
    )
    ok_full = full < 3.0
    ok_first = args.no_migrations or results["full (write + makemigrations)"] <= 10.0
    ok_migrate = args.no_migrations or results["migrate (first migration)"] <= 30.0
    ok_noop = results["no-op regeneration"] < 0.10 * results["full (write + makemigrations)"]
    ok_one = results["one-field change"] < 0.25 * results["full (write + makemigrations)"]
    print(
        f"  targets: full templates < 3 s: {ok_full}; full incl. first migration <= 10 s:"
        f" {ok_first}; migrate <= 30 s: {ok_migrate}; no-op < 10 % of full: {ok_noop};"
        f" one-field < 25 % of full: {ok_one}"
    )
    print(
        "command: .venv/bin/python bench/codegen_scale.py"
        + f" --entities {args.entities} --fields {args.fields}"
        + ("" if not args.no_migrations else " --no-migrations")
        + (f" --database-url {args.database_url}" if args.database_url else "")
    )
    return 0 if ok_full and ok_noop and ok_first and ok_migrate else 1


if __name__ == "__main__":
    sys.exit(main())
