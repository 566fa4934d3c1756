#!/usr/bin/env python
"""In one process, W3 with the kernel's own row building against Django's, in ABBA blocks.

"new": a record's INSERT compiled once per shape (``core.inserts``) and new processes built
without ``Model.__init__`` (``kernel.engine.spawn._new_process``). "old": Django's
``Model._do_insert`` and ``Process(...)``, switched back in for alternate blocks of 20 customers
(serial order, after 20 to warm up). Both run in the same process against the same database, so
the machine's swings in speed hit both alike; the median of the per-pair ratios is the figure.

  ERPSYS_W3_GENERATED=/tmp/w3gen W3_PG_PORT=5432 ERPSYS_MAIN=$PWD PYTHONPATH=../shared/bench/w3 \\
      .venv/bin/python bench/w3_abba.py --n 660 --db postgres
"""

import os
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import w3_runner  # noqa: E402
import w3common as w3  # noqa: E402

BLOCK = 20


def main():
    args = w3.parse_args(w3_runner.PEER)
    ctx = w3_runner.setup(args)
    from django.db import models

    from applications.base.models import EntityModel
    from kernel.engine import spawn
    from kernel.models import Process

    paths = {
        True: (EntityModel._do_insert, spawn._new_process),
        False: (models.Model._do_insert, Process),
    }

    def use(new: bool) -> None:
        EntityModel._do_insert, spawn._new_process = paths[new]

    for customer in ctx.customers[:BLOCK]:
        w3_runner.serve(ctx, customer)
    rest = ctx.customers[BLOCK:]
    cpu_ratios, wall_ratios = [], []
    at, pair = 0, 0
    while at + 2 * BLOCK <= len(rest):
        spent = {}
        for new in (False, True) if pair % 2 == 0 else (True, False):
            use(new)
            cpu, wall = time.process_time(), time.perf_counter()
            for customer in rest[at : at + BLOCK]:
                w3_runner.serve(ctx, customer)
            spent[new] = (time.process_time() - cpu, time.perf_counter() - wall)
            at += BLOCK
        cpu_ratios.append(spent[True][0] / spent[False][0])
        wall_ratios.append(spent[True][1] / spent[False][1])
        pair += 1
    use(True)
    print(f"command: {' '.join(sys.argv)}")
    print(
        f"pairs={pair} new/old median: cpu {statistics.median(cpu_ratios):.3f}, "
        f"wall {statistics.median(wall_ratios):.3f}"
    )
    print("cpu ratios per pair:", " ".join(f"{r:.2f}" for r in cpu_ratios))
    w3.cleanup(ctx.dbdesc)


if __name__ == "__main__":
    main()
