#!/usr/bin/env python
"""What the live task-list push costs the kernel: W3 with the push off and on, interleaved in ONE
process on one database, so that a machine whose speed drifts (a shared VM) slows both alike.

    ERPSYS_W3_LIVE=redis ERPSYS_W3_GENERATED=/tmp/w3gen ERPSYS_MAIN=$PWD \\
      PYTHONPATH=../shared/bench/w3 .venv/bin/python bench/live_push.py --n 2450 --db postgres

The W3 programs of ``bench/w3_runner.py`` (serial order: start, A, B, C per customer) run in
segments of ``--segment`` programs (default 50), the push switched per segment
(``ERPSYS["LIVE"]``) in the order off, on, on, off, ... (ABBA: a steady drift cancels). One
warm-up segment with the push on comes first and is not counted (it starts the relay process and
fills the caches). ``ERPSYS_W3_LIVE`` picks the layer: ``redis`` (the relay and Redis, nobody
listening: the full sending cost) or ``memory``.

Prints one JSON line: steps/s with the push off and on (all their segments together), the ratio
on/off, the median and range of the ratios of each ABBA block, and the command line.
"""

import json
import os
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import w3_runner  # noqa: E402
import w3common as w3  # noqa: E402


def segment(ctx, customers) -> float:
    """Run the W3 programs of ``customers`` (serial order); seconds taken."""
    began = time.perf_counter()
    for customer in customers:
        w3_runner.serve(ctx, customer)
    return time.perf_counter() - began


def main() -> None:
    size = 50
    if "--segment" in sys.argv:
        at = sys.argv.index("--segment")
        size = int(sys.argv[at + 1])
        del sys.argv[at : at + 2]
    args = w3.parse_args(w3_runner.PEER)
    ctx = w3_runner.setup(args)
    from django.conf import settings

    def switch(on: bool) -> None:
        settings.ERPSYS = {**settings.ERPSYS, "LIVE": on}

    chunks = [ctx.customers[i : i + size] for i in range(0, len(ctx.customers), size)]
    switch(True)
    segment(ctx, chunks[0])  # warm-up: not counted
    pattern = (False, True, True, False)
    seconds = {False: 0.0, True: 0.0}
    programs = {False: 0, True: 0}
    blocks, block = [], {False: 0.0, True: 0.0}
    counted = chunks[1 : 1 + (len(chunks) - 1) // 4 * 4]
    for index, customers in enumerate(counted):
        on = pattern[index % 4]
        switch(on)
        taken = segment(ctx, customers)
        seconds[on] += taken
        programs[on] += len(customers)
        block[on] += taken
        if index % 4 == 3:
            blocks.append(block[False] / block[True])  # same programs each: time off / time on
            block = {False: 0.0, True: 0.0}
    switch(True)
    for customers in chunks[1 + len(counted) :]:  # what does not fill a block: not counted
        segment(ctx, customers)
    steps_per_s = {on: 3 * programs[on] / seconds[on] for on in (False, True)}
    ok, _rows = w3_runner.verify(ctx)
    print(
        json.dumps(
            {
                "bench": "live_push",
                "layer": os.environ.get("ERPSYS_W3_LIVE", "memory"),
                "db": args.db,
                "n": args.n,
                "segment": size,
                "blocks": len(blocks),
                "steps_per_s_off": round(steps_per_s[False], 1),
                "steps_per_s_on": round(steps_per_s[True], 1),
                "on_over_off": round(steps_per_s[True] / steps_per_s[False], 3),
                "block_ratio_median": round(statistics.median(blocks), 3),
                "block_ratio_range": [round(min(blocks), 3), round(max(blocks), 3)],
                "ok": ok,
                "command": " ".join(
                    [f"ERPSYS_W3_LIVE={os.environ.get('ERPSYS_W3_LIVE', 'memory')}", "python"]
                    + sys.argv
                    + ([] if size == 50 else ["--segment", str(size)])
                ),
            }
        )
    )
    if not os.environ.get("W3_KEEP_DB"):
        w3.cleanup(ctx.dbdesc)


if __name__ == "__main__":
    main()
