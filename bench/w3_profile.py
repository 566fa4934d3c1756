#!/usr/bin/env python
"""Profile the kernel's W3 driver (bench/w3_runner.py) outside any timed run.

Same setup as the runner (fresh database, spec published, N customers), then the driver loop
under cProfile; prints CPU time per step (this process: the database server's own time is not
in it), the data statements per step, and the top functions by cumulative and own time.
W3_PROFILE=0 measures the CPU time per step without cProfile (steadier than wall time on a
loaded machine); W3_PROFILE_CPU=1 profiles by this thread's CPU time, leaving out the waits on
the server; W3_PROFILE_SQL=1 prints the statements of one more program.

  ERPSYS_W3_GENERATED=/tmp/w3gen W3_PG_PORT=5432 PYTHONPATH=../shared/bench/w3 \
      .venv/bin/python bench/w3_profile.py --n 300 --db postgres
"""

import cProfile
import os
import pstats
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import w3_runner  # noqa: E402
import w3common as w3  # noqa: E402


def _data(counter):
    skip = {"BEGIN", "SAVEPOINT", "RELEASE", "COMMIT", "ROLLBACK"}
    return sum(c for kind, c in counter.by_kind.items() if kind not in skip)


def _one_program_sql(ctx):
    """The statements of one more program, action by action (W3_PROFILE_SQL=1)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from applications.tenancy import tenant_of  # noqa: F401  (warm imports)

    ctx.args.n = 1
    customer = type(ctx.customers[0])._default_manager.create(label="x", full_name="x")
    with CaptureQueriesContext(connection) as captured:
        program = w3_runner.start(ctx, customer)
        for service in ctx.order:
            w3_runner.submit(ctx, program, service)
    for query in captured.captured_queries:
        print(query["time"], query["sql"][:300])


def main():
    top = int(os.environ.get("W3_PROFILE_TOP", "40"))
    args = w3.parse_args(w3_runner.PEER)
    ctx = w3_runner.setup(args)
    profiling = os.environ.get("W3_PROFILE", "1") != "0"
    profile = (
        cProfile.Profile(time.thread_time)
        if os.environ.get("W3_PROFILE_CPU")
        else cProfile.Profile()
    )
    cpu = time.process_time()
    with w3.Meter(django_db=True) as meter:
        if profiling:
            profile.enable()
        w3_runner.drive(ctx)
        if profiling:
            profile.disable()
    cpu = time.process_time() - cpu
    ok, _rows = w3_runner.verify(ctx)
    steps = 3 * args.n
    print(f"command: {' '.join(sys.argv)}")
    print(
        f"db={args.db} n={args.n} order={args.order} ok={ok} steps={steps} "
        f"cpu/step={1000 * cpu / steps:.2f} ms ({'profiled' if profiling else 'not profiled'}) "
        f"data queries/step={_data(meter.counter) / steps:.2f}"
    )
    if os.environ.get("W3_PROFILE_SQL"):
        _one_program_sql(ctx)
    if not profiling:
        return _end(ctx)
    stats = pstats.Stats(profile)
    stats.sort_stats("cumulative").print_stats(top)
    stats.sort_stats("tottime").print_stats(top)
    _end(ctx)


def _end(ctx):
    if not os.environ.get("W3_KEEP_DB"):
        w3.cleanup(ctx.dbdesc)


if __name__ == "__main__":
    main()
