#!/usr/bin/env python
"""PostgreSQL's own time per W3 program, statement by statement, for this kernel or the floor.

Runs W3 serially (100 customers to warm up, then the rest) with ``log_min_duration_statement = 0``
set on the run's connection only, and sums the durations the server logged for them (parse, bind
and execute separately; BEGIN and COMMIT as statements). Needs the server on this machine, its
log readable at ``W3_PG_LOG`` (default: Debian's PostgreSQL 15 log) and a superuser connection.
Nothing is timed on the client: this is where the server's share of a step goes.

  ERPSYS_W3_GENERATED=/tmp/w3gen W3_PG_PORT=5432 ERPSYS_MAIN=$PWD PYTHONPATH=../shared/bench/w3 \\
      .venv/bin/python bench/w3_server_time.py --n 300 --db postgres
  W3_PG_PORT=5432 PYTHONPATH=../shared/bench/w3 \\
      /tmp/w3venv/floor/bin/python bench/w3_server_time.py --peer floor --n 300 --db postgres
"""

import collections
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import w3_cpu_split  # noqa: E402
import w3common as w3  # noqa: E402

WARM_UP = 100
LOG = os.environ.get("W3_PG_LOG", "/var/log/postgresql/postgresql-15-main.log")
_LINE = re.compile(r"duration: ([\d.]+) ms  (\w+)(?: [^:]*)?: (.{0,48})")


def _logged(connection, value: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"SET log_min_duration_statement = {value}")


def main():
    command = " ".join(sys.argv)
    peer, serve, entities, dbdesc = w3_cpu_split.peer_setup(sys.argv[1:])
    from django.db import connection

    for entity in entities[:WARM_UP]:
        serve(entity)
    start = os.path.getsize(LOG)
    _logged(connection, "0")
    for entity in entities[WARM_UP:]:
        serve(entity)
    _logged(connection, "-1")
    programs = len(entities) - WARM_UP
    total, count = collections.defaultdict(float), collections.Counter()
    with open(LOG) as log:
        log.seek(start)
        for line in log:
            match = _LINE.search(line)
            if match and "log_min_duration_statement" not in line:
                key = f"{match.group(2):9} {match.group(3)}"
                total[key] += float(match.group(1))
                count[key] += 1
    print(f"command: {command}")
    print(
        f"{peer}: {programs} programs, server time {1000 * sum(total.values()) / programs:.0f} us/program"
    )
    for key, ms in sorted(total.items(), key=lambda item: -item[1])[:12]:
        print(
            f"{1000 * ms / programs:7.0f} us/program {count[key] / programs:5.2f}/program "
            f"{1000 * ms / count[key]:6.0f} us each  {key}"
        )
    w3.cleanup(dbdesc)


if __name__ == "__main__":
    main()
