"""Kernel reliability: concurrent starts from many OS processes, and a Celery worker SIGKILLed mid-run.

Needs PostgreSQL and Redis. It creates (drops first) its own database on the server of
``--database-url``, migrates it, publishes a tiny tenant built in code (no generated app), then:

(a) ``--procs`` OS processes (multiprocessing, spawn: fresh DB connections) each start
    ``--per-proc`` programs at once (``job_a``: started -> step_a; step_a completed -> step_b;
    step_b completed -> calling_return), then complete every step_a and step_b, again spread
    over the processes. Checks: all pids unique, exactly one step_a and one step_b per program,
    exact final state counts (everything TERMINATED).
(b) A real prefork worker runs ``job_b`` programs (started -> start_parallel_service ping x2, an
    async instruction; ping is a system service whose action runs in the worker; ping
    children_completed -> start_service wrap_up (system); wrap_up completed -> calling_return).
    The worker is SIGKILLed (its whole process group) in the middle and restarted. Checks: every
    exactly-once key exists once (1 instruction key + 3 action keys per program), exactly 2 ping
    and 1 wrap_up children per program, and no process left outside TERMINATED.

    python bench/kernel_reliability.py --database-url postgres://postgres@127.0.0.1:5432/erpsys \
        --redis-url redis://127.0.0.1:6379/4
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import shlex
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
TENANT = "bench_reliability"
# Boots a worker whose unacked messages come back quickly after a SIGKILL (Redis visibility timeout).
WORKER_BOOT = (
    "import sys; from erpsys.celery import app; "
    "app.conf.broker_transport_options = {'visibility_timeout': int(sys.argv[1]), "
    "'unacked_restore_interval': 1, 'unacked_restore_throttle': 1}; "
    "app.worker_main(sys.argv[2:])"
)


def database_url(base: str, name: str) -> str:
    """``base`` with its database name replaced by ``name``."""
    parts = urlsplit(base)
    return urlunsplit(parts._replace(path=f"/{name}"))


def database_recreate(base: str, name: str) -> None:
    """Drop and create the bench database on ``base``'s server."""
    import psycopg

    admin = urlsplit(base)._replace(path="/postgres")
    with psycopg.connect(urlunsplit(admin), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def django_setup(db_url: str, redis_url: str, *, eager: bool) -> None:
    """Point this process at the bench database and broker, then set Django up."""
    os.environ.update(
        DATABASE_URL=db_url,
        REDIS_URL=redis_url,
        CELERY_TASK_ALWAYS_EAGER="1" if eager else "0",
        DJANGO_SETTINGS_MODULE="erpsys.settings",
    )
    os.environ.pop("ERPSYS_TEST_DB_NAME", None)
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def bench_spec():
    """The bench tenant: two programs, services without records (no generated app needed)."""
    from design.specs.model import RuleSpec, ServiceSpec, Spec, TenantSpec

    def rule(service, event, instruction, operand=None, **params):
        return RuleSpec(
            service=service, event=event, instruction=instruction, operand=operand, params=params
        )

    return Spec(
        tenant=TenantSpec(name=TENANT, label="Reliability bench", timezone="Asia/Shanghai"),
        services=[
            ServiceSpec(name="step_a", label="Step A"),
            ServiceSpec(name="step_b", label="Step B"),
            ServiceSpec(name="ping", label="Ping", kind="system", action="remind_follow_up"),
            ServiceSpec(name="wrap_up", label="Wrap up", kind="system", action="remind_follow_up"),
            ServiceSpec(
                name="job_a",
                label="Job A",
                rules=[
                    rule("job_a", "started", "start_service", "step_a"),
                    rule("step_a", "completed", "start_service", "step_b"),
                    rule("step_b", "completed", "calling_return"),
                ],
            ),
            ServiceSpec(
                name="job_b",
                label="Job B",
                rules=[
                    rule("job_b", "started", "start_parallel_service", "ping", threads=2),
                    rule("ping", "children_completed", "start_service", "wrap_up"),
                    rule("wrap_up", "completed", "calling_return"),
                ],
            ),
        ],
    )


# ---------------------------------------------------------------- (a) concurrent OS processes


def _child_start(db_url: str, redis_url: str, count: int, barrier) -> tuple[list[int], float]:
    django_setup(db_url, redis_url, eager=True)
    from kernel.services import process_start

    barrier.wait()
    began = time.perf_counter()
    pids = [process_start(tenant=TENANT, program="job_a", entity=None).pk for _ in range(count)]
    return pids, time.perf_counter() - began


def _child_complete(db_url: str, redis_url: str, pids: list[int], barrier) -> float:
    django_setup(db_url, redis_url, eager=True)
    from kernel.models import Operator, Process
    from kernel.services import task_complete

    operator = Operator.objects.get(tenant__name=TENANT, name="bench")
    barrier.wait()
    began = time.perf_counter()
    for pid in pids:
        task_complete(process=Process.objects.get(pk=pid), operator=operator)
    return time.perf_counter() - began


def _fan_out(pool, manager, procs: int, target, chunks) -> list:
    barrier = manager.Barrier(procs)
    return pool.starmap(target, [(*chunk, barrier) for chunk in chunks])


def part_a(db_url: str, redis_url: str, procs: int, per_proc: int) -> dict:
    from django.db import connections

    from kernel.models import Process

    connections.close_all()
    context = mp.get_context("spawn")
    with context.Manager() as manager, context.Pool(procs) as pool:
        started = _fan_out(
            pool, manager, procs, _child_start, [(db_url, redis_url, per_proc)] * procs
        )
        pids = [pid for chunk, _ in started for pid in chunk]
        start_seconds = max(seconds for _, seconds in started)
        complete_seconds = 0.0
        for step in ("step_a", "step_b"):
            todo = list(
                Process.objects.filter(tenant__name=TENANT, service__name=step, state="READY")
                .order_by("pid")
                .values_list("pid", flat=True)
            )
            connections.close_all()
            chunks = [(db_url, redis_url, todo[i::procs]) for i in range(procs)]
            complete_seconds += max(_fan_out(pool, manager, procs, _child_complete, chunks))
    programs = Process.objects.filter(tenant__name=TENANT, service__name="job_a")
    children = Counter(
        Process.objects.filter(program__in=programs).values_list("program_id", "service__name")
    )
    states = Counter(
        Process.objects.filter(
            tenant__name=TENANT, service__name__in=["job_a", "step_a", "step_b"]
        ).values_list("service__name", "state")
    )
    expected = procs * per_proc
    checks = {
        "pids unique": len(pids) == len(set(pids)) == expected,
        "programs in the database": programs.count() == expected,
        "one step_a and one step_b per program": all(
            children[(pid, "step_a")] == 1 and children[(pid, "step_b")] == 1 for pid in pids
        )
        and sum(children.values()) == 2 * expected,
        "every process TERMINATED": states
        == {(s, "TERMINATED"): expected for s in ("job_a", "step_a", "step_b")},
    }
    return {
        "programs": expected,
        "start_seconds": start_seconds,
        "starts_per_second": expected / start_seconds,
        "complete_seconds": complete_seconds,
        "completions_per_second": 2 * expected / complete_seconds,
        "states": dict(states),
        "checks": checks,
    }


# ------------------------------------------------------- (b) worker SIGKILLed in the middle


def worker_start(db_url: str, redis_url: str, name: str, visibility: int, log: Path):
    """A prefork worker (concurrency 2) in its own process group."""
    env = dict(os.environ, DATABASE_URL=db_url, REDIS_URL=redis_url, CELERY_TASK_ALWAYS_EAGER="0")
    command = [
        sys.executable, "-c", WORKER_BOOT, str(visibility), "worker", "--pool=prefork",
        "--concurrency=2", "-Q", "celery", "--loglevel=warning", "--without-mingle",
        "--without-gossip", "-n", name, "--logfile", str(log),
    ]  # fmt: skip
    return subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
        start_new_session=True,
    )  # fmt: skip


def worker_wait(app, name: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not app.control.ping(destination=[name], timeout=1.0):
        if time.monotonic() > deadline:
            raise RuntimeError(f"worker {name} did not answer a ping")


def broker_reset(redis_url: str) -> None:
    """Forget queued and unacked messages of earlier runs in this Redis database."""
    import redis

    client = redis.Redis.from_url(redis_url)
    client.delete("celery", "unacked", "unacked_index", "unacked_mutex")


def part_b(
    db_url: str, redis_url: str, programs: int, kill_at: float, visibility: int, log_dir: Path
):
    from erpsys.celery import app
    from kernel.models import Effect, Process
    from kernel.services import process_start

    app.conf.broker_transport_options = {
        "visibility_timeout": visibility,
        "unacked_restore_interval": 1,
        "unacked_restore_throttle": 1,
    }
    broker_reset(redis_url)
    expected_keys = 4 * programs  # the parallel instruction + two ping actions + the wrap_up action
    first = worker_start(
        db_url, redis_url, "reliability-1@localhost", visibility, log_dir / "w1.log"
    )
    try:
        worker_wait(app, "reliability-1@localhost")
        began = time.perf_counter()
        pids = [
            process_start(tenant=TENANT, program="job_b", entity=None).pk for _ in range(programs)
        ]
        while Effect.objects.count() < kill_at * expected_keys:
            time.sleep(0.05)
        keys_at_kill = Effect.objects.count()
    finally:
        os.killpg(first.pid, signal.SIGKILL)  # the point of the bench; also on any error above
        first.wait()
    import redis

    in_flight = redis.Redis.from_url(redis_url).hlen("unacked")  # redelivered after the timeout
    killed_at = time.perf_counter() - began
    second = worker_start(
        db_url, redis_url, "reliability-2@localhost", visibility, log_dir / "w2.log"
    )
    try:
        worker_wait(app, "reliability-2@localhost")
        deadline = time.monotonic() + visibility + 120
        done = Process.objects.filter(pk__in=pids, state="TERMINATED")
        while done.count() < programs and time.monotonic() < deadline:
            time.sleep(0.5)
        seconds = time.perf_counter() - began
    finally:
        os.killpg(second.pid, signal.SIGTERM)
        second.wait(timeout=30)
    family = Process.objects.filter(
        tenant__name=TENANT, service__name__in=["job_b", "ping", "wrap_up"]
    )
    states = Counter(family.values_list("service__name", "state"))
    children = Counter(
        Process.objects.filter(program_id__in=pids).values_list("program_id", "service__name")
    )
    keys = list(Effect.objects.values_list("key", flat=True))
    stuck = family.exclude(state="TERMINATED").count()
    checks = {
        "effect keys == expected (each once)": len(keys) == len(set(keys)) == expected_keys,
        "exactly 2 ping + 1 wrap_up per program": all(
            children[(p, "ping")] == 2 and children[(p, "wrap_up")] == 1 for p in pids
        ),
        "no process stuck outside TERMINATED": stuck == 0,
    }
    return {
        "programs": programs,
        "expected_keys": expected_keys,
        "keys": len(keys),
        "keys_at_kill": keys_at_kill,
        "in_flight_at_kill": in_flight,
        "killed_after_seconds": killed_at,
        "total_seconds": seconds,
        "stuck": stuck,
        "states": dict(states),
        "checks": checks,
    }


# ---------------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--redis-url", default=os.environ.get("REDIS_URL", ""))
    parser.add_argument("--db-name", default="erpsys_bench_reliability")
    parser.add_argument("--procs", type=int, default=4)
    parser.add_argument("--per-proc", type=int, default=500)
    parser.add_argument("--programs-b", type=int, default=300)
    parser.add_argument(
        "--kill-at", type=float, default=0.4, help="fraction of keys done at the kill"
    )
    parser.add_argument("--visibility-timeout", type=int, default=10)
    parser.add_argument("--skip-a", action="store_true")
    parser.add_argument("--skip-b", action="store_true")
    args = parser.parse_args(argv)
    if not args.database_url.startswith("postgres") or not args.redis_url.startswith("redis"):
        parser.error("needs --database-url postgres://... and --redis-url redis://...")
    print("command:", shlex.join([sys.executable, *sys.argv]), flush=True)
    db_url = database_url(args.database_url, args.db_name)
    database_recreate(args.database_url, args.db_name)
    env = dict(os.environ, DATABASE_URL=db_url, REDIS_URL=args.redis_url)
    env.pop("ERPSYS_TEST_DB_NAME", None)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    django_setup(db_url, args.redis_url, eager=False)
    from design.publish import revision_publish
    from kernel.models import Operator

    revision, _ = revision_publish(tenant=TENANT, spec=bench_spec())
    Operator.objects.create(tenant=revision.tenant, name="bench", label="bench")
    ok = True
    if not args.skip_a:
        a = part_a(db_url, args.redis_url, args.procs, args.per_proc)
        print(
            f"(a) {args.procs} processes x {args.per_proc} programs: "
            f"{a['programs']} started in {a['start_seconds']:.2f}s ({a['starts_per_second']:.0f}/s), "
            f"{2 * a['programs']} tasks completed in {a['complete_seconds']:.2f}s "
            f"({a['completions_per_second']:.0f}/s); states {a['states']}"
        )
        ok &= report(a["checks"])
    if not args.skip_b:
        log_dir = Path(os.environ.get("TMPDIR", "/tmp")) / "erpsys_bench_reliability"
        log_dir.mkdir(exist_ok=True)
        b = part_b(
            db_url, args.redis_url, args.programs_b, args.kill_at, args.visibility_timeout, log_dir
        )
        print(
            f"(b) {b['programs']} programs, worker SIGKILLed after {b['killed_after_seconds']:.2f}s "
            f"at {b['keys_at_kill']}/{b['expected_keys']} keys with {b['in_flight_at_kill']} "
            f"messages unacked (redelivered), restarted; all done in "
            f"{b['total_seconds']:.2f}s; keys {b['keys']}/{b['expected_keys']}, stuck {b['stuck']}; "
            f"states {b['states']} (worker logs in {log_dir})"
        )
        ok &= report(b["checks"])
    return 0 if ok else 1


def report(checks: dict[str, bool]) -> bool:
    for name, passed in checks.items():
        print(f"    [{'ok' if passed else 'FAIL'}] {name}")
    return all(checks.values())


if __name__ == "__main__":
    sys.exit(main())
