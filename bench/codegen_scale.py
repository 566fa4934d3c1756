"""Code generation at scale: the 300-entity synthetic spec, full / no-op / one-field regeneration.

Run: .venv/bin/python bench/codegen_scale.py [--entities 300 --fields 3000] [--no-migrations]
Targets: full generation (templates) < 3 s; no-op < 10 % of full; one-field change < 25 % of full.
"""

from __future__ import annotations

import argparse
import copy
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _timed(label: str, func, results: dict[str, float]):  # noqa: ANN001, ANN202 - bench helper
    start = time.perf_counter()
    value = func()
    results[label] = time.perf_counter() - start
    return value


def main() -> int:
    """Measure and print; exit 1 when a target is missed."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--entities", type=int, default=300)
    parser.add_argument("--fields", type=int, default=3000)
    parser.add_argument("--no-migrations", action="store_true", help="skip the makemigrations runs")
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
        os.environ["DATABASE_URL"] = f"sqlite:///{tmp_path / 'db.sqlite3'}"
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
        print(f"  {label:32s} {seconds:7.3f} s")
    print(
        f"  files written: full {len(first.changed)}, no-op {len(noop.changed)}, one-field {len(one.changed)};"
        f" migrations: {len(getattr(first, 'migrations', []))} / {len(getattr(noop, 'migrations', []))}"
        f" / {len(getattr(one, 'migrations', []))}"
    )
    ok_full = full < 3.0
    ok_noop = results["no-op regeneration"] < 0.10 * results["full (write + makemigrations)"]
    ok_one = results["one-field change"] < 0.25 * results["full (write + makemigrations)"]
    print(
        f"  targets: full templates < 3 s: {ok_full}; no-op < 10 % of full: {ok_noop};"
        f" one-field < 25 % of full: {ok_one}"
    )
    print(
        "command: .venv/bin/python bench/codegen_scale.py"
        + ("" if not args.no_migrations else " --no-migrations")
    )
    return 0 if ok_full and ok_noop else 1


if __name__ == "__main__":
    sys.exit(main())
