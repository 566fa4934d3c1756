"""Resource allocation throughput on PostgreSQL with 1, 4 and 8 worker OS processes.

Run: .venv/bin/python bench/resources.py --database-url postgres://postgres@127.0.0.1:5432/erpsys_bench_resources [--cycles 300] [--workers 1 --workers 4 --workers 8]

The database is dropped and re-created, migrated, and given one tenant with an equipment of
capacity 2 and a material of 1,000,000 units. Each worker (a forked OS process with its own
connection) runs ``--cycles`` cycles over its own bare processes: one transaction that
``allocate``s 1 equipment + 1 material (locks both rows, writes the allocations and two ledger
entries), then, when it got them, one transaction that ``release``s with consumption (the
stock update and three ledger entries). A short allocation (both units of the equipment are
held by others) counts as an attempt, not a hold. Reported: holds per second and attempts per
second over the wall time from the common start to the last worker's end, and whether the
ledger still adds up afterwards (``ledger_mismatches``).
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TENANT = "bench_resources"


def _fresh_database(url: str) -> str:
    from urllib.parse import urlparse

    import psycopg

    parsed = urlparse(url)
    name = parsed.path.lstrip("/") or "erpsys_bench_resources"
    admin = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    return parsed._replace(path=f"/{name}").geturl()


def _worker(pids: list[int], cycles: int, barrier, out) -> None:
    from django.db import connections, transaction

    from kernel.models import Process
    from kernel.resources import allocate, release

    processes = list(Process.objects.filter(pk__in=pids).order_by("pk"))
    holds = attempts = 0
    barrier.wait()
    for i in range(cycles):
        process = processes[i % len(processes)]
        with transaction.atomic():
            got = allocate(process=process, requirements=[("bench", 1), ("stock", 1)])
        attempts += 1
        if got:
            holds += 1
            with transaction.atomic():
                release(process=process, consume=True)
    out.put((holds, attempts, time.time()))
    connections.close_all()


def measure(workers: int, cycles: int) -> dict:
    """One run with ``workers`` OS processes on the current (fresh) database."""
    from decimal import Decimal

    from django.core.management import call_command
    from django.db import connection, connections

    from core.models import Tenant
    from kernel.models import EquipmentResource, MaterialResource, Process
    from kernel.resources import ledger_mismatches

    call_command("migrate", verbosity=0)
    tenant, _ = Tenant.objects.get_or_create(name=TENANT, defaults={"label": "Bench"})
    EquipmentResource.objects.create(tenant=tenant, name="bench", label="Bench", capacity=2)
    MaterialResource.objects.create(
        tenant=tenant, name="stock", label="Stock", quantity=Decimal(1_000_000)
    )
    per_worker = 20
    Process.objects.bulk_create(
        Process(tenant=tenant, state="RUNNING") for _ in range(workers * per_worker)
    )
    pids = list(Process.objects.filter(tenant=tenant).order_by("pk").values_list("pk", flat=True))
    vendor = connection.vendor
    connections.close_all()
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(workers + 1)
    out = context.Queue()
    children = [
        context.Process(
            target=_worker,
            args=(pids[w * per_worker : (w + 1) * per_worker], cycles, barrier, out),
        )
        for w in range(workers)
    ]
    for child in children:
        child.start()
    barrier.wait()
    started = time.time()
    reports = [out.get(timeout=1800) for _ in children]
    for child in children:
        child.join()
    ended = max(r[2] for r in reports)
    wall = ended - started
    holds = sum(r[0] for r in reports)
    attempts = sum(r[1] for r in reports)
    return {
        "vendor": vendor,
        "workers": workers,
        "cycles_per_worker": cycles,
        "holds": holds,
        "attempts": attempts,
        "seconds": round(wall, 2),
        "holds_per_second": round(holds / wall, 1),
        "attempts_per_second": round(attempts / wall, 1),
        "ledger_adds_up": ledger_mismatches() == [],
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", required=True, help="PostgreSQL (re-created per run)")
    parser.add_argument("--cycles", type=int, default=300, help="cycles per worker")
    parser.add_argument("--workers", type=int, action="append", help="default: 1, 4 and 8")
    args = parser.parse_args()
    results = []
    for workers in args.workers or [1, 4, 8]:
        url = _fresh_database(args.database_url)
        env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "erpsys.settings"}
        import json
        import subprocess

        code = (
            "import django, json; django.setup(); from bench.resources import measure; "
            f"print('RESULT', json.dumps(measure({workers}, {args.cycles})))"
        )
        done = subprocess.run(
            [sys.executable, "-c", code], env=env, capture_output=True, text=True, cwd=ROOT
        )
        if done.returncode != 0:
            raise SystemExit(done.stderr[-4000:])
        line = next(x for x in done.stdout.splitlines() if x.startswith("RESULT "))
        results.append(json.loads(line[len("RESULT ") :]))
        print(results[-1], flush=True)
    print("command:", " ".join([Path(sys.executable).name, *sys.argv]))
    print("| workers | holds/s | attempts/s | holds | attempts | seconds | ledger adds up |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for r in results:
        print(
            f"| {r['workers']} | {r['holds_per_second']} | {r['attempts_per_second']} | "
            f"{r['holds']} | {r['attempts']} | {r['seconds']} | {r['ledger_adds_up']} |"
        )
    return 0 if all(r["ledger_adds_up"] for r in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
