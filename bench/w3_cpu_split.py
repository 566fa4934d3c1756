#!/usr/bin/env python
"""Where a W3 step's time goes on PostgreSQL: this process's CPU, the server backend's CPU, wall.

Runs W3 serially for one peer, the floor (the harness's raw-ORM writes, in the floor's venv) or
this kernel (``bench/w3_runner.py``, in the project's venv), and reads the CPU time of the
PostgreSQL backend serving the run's connection from /proc (the server runs on this machine).
The first 20 customers warm up, uncounted. Nothing is instrumented inside the timed loop: the
three clocks are read before and after it.

  # the kernel (the project's venv), then the floor (the harness's floor venv)
  ERPSYS_W3_GENERATED=/tmp/w3gen W3_PG_PORT=5432 ERPSYS_MAIN=$PWD PYTHONPATH=../shared/bench/w3 \\
      .venv/bin/python bench/w3_cpu_split.py --n 520 --db postgres
  W3_PG_PORT=5432 PYTHONPATH=../shared/bench/w3 \\
      /tmp/w3venv/floor/bin/python bench/w3_cpu_split.py --peer floor --n 520 --db postgres
"""

import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import w3common as w3  # noqa: E402

WARM_UP = 20


def _backend_cpu(pid: int) -> float:
    """User + system CPU seconds of a process on this machine."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _kernel(argv: list[str]):
    """(serve one customer, the entities, the run's database) for this kernel."""
    import w3_runner

    sys.argv = [sys.argv[0], *argv]
    args = w3.parse_args(w3_runner.PEER)
    ctx = w3_runner.setup(args)
    return (lambda customer: w3_runner.serve(ctx, customer)), ctx.customers, ctx.dbdesc


def _floor(argv: list[str]):
    """The same for the floor: the writes of ../shared/bench/w3/floor_w3.py, one customer at a
    time (start, submit A, B, C: one transaction each)."""
    sys.argv = [sys.argv[0], *argv]
    args = w3.parse_args("floor")
    dbdesc = w3.configure_django("floor", args.db, ["floor_app"])
    from django.db import transaction
    from floor_app.models import BusinessRecord, Entity, Process, Service

    a, b, c = (Service.objects.create(name=n) for n in ("appointment", "check-in", "treatment"))
    Entity.objects.bulk_create([Entity(label=f"customer-{i}") for i in range(args.n)])
    new, waiting, done = Process.NEW, Process.WAITING, Process.TERMINATED

    def record(process, kind, note):
        BusinessRecord.objects.create(
            process=process, entity_id=process.entity_id, kind=kind, note=note, confirmed=True
        )

    def serve(entity):
        with transaction.atomic():
            pa = Process.objects.create(service=a, entity=entity, state=new)
        with transaction.atomic():
            record(pa, "A", "appointment form")
            Process.objects.filter(pk=pa.pk).update(state=done)
            pb = Process.objects.create(service=b, entity_id=pa.entity_id, state=new)
        with transaction.atomic():
            record(pb, "B", "check-in form")
            Process.objects.filter(pk=pb.pk).update(state=waiting)
            pc = Process.objects.create(service=c, entity_id=pb.entity_id, parent=pb, state=new)
        with transaction.atomic():
            record(pc, "C", "treatment form")
            Process.objects.filter(pk=pc.pk).update(state=done)
            Process.objects.filter(pk=pc.parent_id, state=waiting).update(state=done)

    return serve, list(Entity.objects.order_by("id")), dbdesc


def peer_setup(argv: list[str]):
    """``--peer floor`` (else this kernel) and the rest of the W3 arguments: (peer, serve one
    customer, the entities, the run's database)."""
    argv = list(argv)
    peer = "erpsys"
    if "--peer" in argv:
        at = argv.index("--peer")
        peer = argv[at + 1]
        del argv[at : at + 2]
    return (peer, *(_floor if peer == "floor" else _kernel)(argv))


def main():
    command = " ".join(sys.argv)
    peer, serve, entities, dbdesc = peer_setup(sys.argv[1:])
    if dbdesc.get("db") != "postgres":
        raise SystemExit("--db postgres: the backend's CPU is read from /proc")
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    for entity in entities[:WARM_UP]:
        serve(entity)
    server, client, wall = _backend_cpu(backend), time.process_time(), time.perf_counter()
    for entity in entities[WARM_UP:]:
        serve(entity)
    wall, client = time.perf_counter() - wall, time.process_time() - client
    server = _backend_cpu(backend) - server
    steps = 3 * (len(entities) - WARM_UP)
    print(f"command: {command}")
    print(
        f"{peer}: steps={steps} wall/step={1000 * wall / steps:.3f} ms "
        f"client cpu/step={1000 * client / steps:.3f} ms server cpu/step={1000 * server / steps:.3f} ms"
    )
    if not os.environ.get("W3_KEEP_DB"):
        w3.cleanup(dbdesc)


if __name__ == "__main__":
    main()
