"""Kernel throughput: a three-step program (A -> B, B calls sub-program C, C returns, B ends) for N customers.

Run: .venv/bin/python bench/kernel_w3.py [--n 300] [--n 3000 ...] [--database-url postgres://postgres@127.0.0.1:5432/x]
Each run uses a FRESH database (a temp SQLite file, or the named PostgreSQL database, dropped and
re-created), writes the spec into a temp folder, loads and publishes it, then drives every program
through ``kernel.services`` breadth-first (all starts, all A, all C, all B) so the tables hold
every earlier process while later steps run. A step is one service call (process_start or
task_complete); queries are data statements (BEGIN/SAVEPOINT/RELEASE/COMMIT/ROLLBACK excluded).
Targets: at most 8 queries per step; per-step time at the largest N within 15 % of the smallest.
Peak memory comes from a SEPARATE run of the same N under tracemalloc (``--no-memory`` skips it):
tracing every allocation inside the timed loop would slow the steps several times over.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SPEC = {
    "tenant.yaml": "spec_version: 1\ntenant: {name: bench_w3, label: Bench W3}\n",
    "services.yaml": """\
services:
  - {label: Step A, name: step_a, roles: [clerk]}
  - {label: Step B, name: step_b, roles: [clerk]}
  - {label: Step C, name: step_c, roles: [clerk]}
  - label: Sub C
    name: sub_c
    rules:
      - {service: sub_c, event: started, instruction: start_service, operand: step_c}
      - {service: step_c, event: completed, instruction: calling_return}
  - label: Job
    name: job
    manual_start: true
    rules:
      - {service: job, event: started, instruction: start_service, operand: step_a}
      - {service: step_a, event: completed, instruction: start_service, operand: step_b}
      - {service: step_b, event: started, instruction: call_sub_service, operand: sub_c}
roles:
  - {label: Clerk, name: clerk}
operators:
  - {label: Cleo, name: cleo, roles: [clerk]}
""",
}
SKIP = ("BEGIN", "SAVEPOINT", "RELEASE", "COMMIT", "ROLLBACK")


class Counter:
    """connection.execute_wrapper that counts data statements."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        if not sql.lstrip().upper().startswith(SKIP):
            self.count += 1
        return execute(sql, params, many, context)


def _fresh_database(url: str | None, tmp: Path) -> str:
    if not url:
        return f"sqlite:///{tmp / 'bench.sqlite3'}"
    from urllib.parse import urlparse

    import psycopg

    parsed = urlparse(url)
    name = parsed.path.lstrip("/") or "erpsys_bench_kernel"
    admin = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    return parsed._replace(path=f"/{name}").geturl()


def run(n: int, url: str, *, memory: bool = False) -> dict:
    """One fresh-database run for ``n`` customers; returns the figures (``memory``: traced run)."""
    import subprocess

    env = {**os.environ, "DATABASE_URL": url, "PYTHONPATH": str(ROOT)}
    code = (
        "import json,sys; sys.argv=['x']; from bench.kernel_w3 import measure; "
        f"print('RESULT', json.dumps(measure({n}, memory={memory})))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, cwd=ROOT
    )
    if out.returncode != 0:
        raise SystemExit(out.stderr[-4000:])
    line = next(line for line in out.stdout.splitlines() if line.startswith("RESULT "))
    import json

    return json.loads(line[len("RESULT ") :])


def measure(n: int, *, memory: bool = False) -> dict:
    """Inside a process whose DATABASE_URL is fresh: migrate, load, publish, drive, measure.

    ``memory`` traces allocations (tracemalloc) over the drive and reports the peak; its timings
    are not used, since tracing slows every step.
    """
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "erpsys.settings")
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "1"
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    from design.publish import revision_publish
    from design.services import spec_load
    from kernel import services
    from kernel.models import Operator, Process

    with tempfile.TemporaryDirectory() as folder:
        for name, text in SPEC.items():
            Path(folder, name).write_text(text)
        spec_load(folder=Path(folder))
    revision_publish(tenant="bench_w3")
    cleo = Operator.objects.get(tenant__name="bench_w3", name="cleo")
    user_model = get_user_model()
    user_model.objects.bulk_create(user_model(username=f"customer{i}") for i in range(n))
    customers = list(user_model.objects.filter(username__startswith="customer").order_by("pk"))

    counter = Counter()
    elapsed = 0.0
    steps = 0
    if memory:
        tracemalloc.start()

    def timed(call, **kwargs):
        nonlocal elapsed, steps
        with connection.execute_wrapper(counter):
            start = time.perf_counter()
            result = call(**kwargs)
            elapsed += time.perf_counter() - start
        steps += 1
        return result

    def task(root, service) -> Process:  # bookkeeping read, not measured
        return Process.objects.get(root=root, service__name=service, state="READY")

    programs = [
        timed(services.process_start, tenant="bench_w3", program="job", entity=c) for c in customers
    ]
    for service in ("step_a", "step_c", "step_b"):
        for program in programs:
            timed(services.task_complete, process=task(program, service), operator=cleo)
    peak = 0
    if memory:
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    left = Process.objects.exclude(state="TERMINATED").count()
    return {
        "n": n,
        "vendor": connection.vendor,
        "steps": steps,
        "seconds": round(elapsed, 3),
        "steps_per_second": round(steps / elapsed, 1),
        "queries_per_step": round(counter.count / steps, 2),
        "ms_per_step": round(1000 * elapsed / steps, 3),
        "peak_mib": round(peak / 2**20, 1),
        "processes": Process.objects.count(),
        "not_terminated": left,
    }


def main() -> int:
    """Measure each N on a fresh database and print the figures; exit 1 when a target is missed."""
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--n", type=int, action="append", help="customers (repeat to compare); default 300"
    )
    parser.add_argument(
        "--database-url", default="", help="PostgreSQL URL (the database is re-created)"
    )
    parser.add_argument(
        "--no-memory", action="store_true", help="skip the separate tracemalloc run per N"
    )
    args = parser.parse_args()
    sizes = args.n or [300]
    results = []
    with tempfile.TemporaryDirectory(prefix="erpsys-kernel-bench-") as tmp:
        for n in sizes:
            url = _fresh_database(args.database_url or None, Path(tmp) / str(n))
            Path(tmp, str(n)).mkdir(exist_ok=True)
            results.append(run(n, url))
            r = results[-1]
            if not args.no_memory:
                Path(tmp, f"{n}-memory").mkdir(exist_ok=True)
                url = _fresh_database(args.database_url or None, Path(tmp) / f"{n}-memory")
                r["peak_mib"] = run(n, url, memory=True)["peak_mib"]
            print(
                f"{r['vendor']:10} N={r['n']:5}  steps={r['steps']:6}  {r['steps_per_second']:8} steps/s  "
                f"{r['ms_per_step']:7} ms/step  {r['queries_per_step']:5} queries/step  "
                f"peak {r['peak_mib']} MiB  processes={r['processes']} not_terminated={r['not_terminated']}"
            )
    ok = all(r["queries_per_step"] <= 8 and r["not_terminated"] == 0 for r in results)
    if len(results) > 1:
        small, large = results[0], results[-1]
        ratio = large["ms_per_step"] / small["ms_per_step"]
        print(f"per-step time N={large['n']} vs N={small['n']}: x{ratio:.2f}")
        ok = (
            ok
            and ratio <= 1.15
            and abs(large["queries_per_step"] - small["queries_per_step"]) <= 0.05
        )
    print("command:", " ".join([Path(sys.argv[0]).name, *sys.argv[1:]]))
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
