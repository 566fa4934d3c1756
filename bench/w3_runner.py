#!/usr/bin/env python
"""W3 on the project's own kernel (erpsys, Django 5.2), driven through kernel.services.

The project's own copy of ../shared/bench/w3/erpsys_w3.py (same CLI contract via w3common; run.sh
runs it when it exists). Differences: the spec is bench/w3_spec/ (the shared one without
terminate_process: the program completes by itself when its last live step has ended) and
verify() checks that ending.

The program is a tenant spec in the project's YAML format (erpsys_spec/w3/): it is loaded into the
design DB and published (design.publish.revision_publish) outside the timed region; its record
models are the app the project's code generator made from that spec (setup_erpsys.sh ->
$ERPSYS_W3_GENERATED, installed through the project's own ERPSYS_GENERATED_DIR discovery).

Settings are the project's own module (erpsys.settings, env-driven, embedded defaults: no Redis,
eager Celery, in-memory channel layer, locmem cache) with DATABASE_URL pointing at this run's fresh
database and DEBUG=False (like every other peer). Nothing in the kernel is stubbed or disconnected;
the project has no task-list push (kernel/routing.py has no websocket routes, nothing calls
group_send), so there is nothing to switch on or off. Its post_save receivers stay connected.

Operator actions (one transaction each: every kernel.services function is @transaction.atomic):
  start    : services.process_start(tenant, program, entity=customer, operator)
  submit X : selectors.process_tree(program) to open the READY task (1 SELECT, timed, the
             operator opening the task), then services.task_complete(process, operator, data=
             {kind, note, confirmed}) which writes X's record (pid + master filled by the kernel)
             and completes X; the rules run inside that transaction.

Variants (--variant):
  ""       : W3 order A, B, C. `check_in completed -> call_sub_service treatment_sub`: B is
             TERMINATED when its completed rule runs, so (docs/kernel.md) the caller that waits is
             B's program; treatment_sub starts C; `treatment completed -> calling_return` wakes the
             program (WAITING -> READY -> RUNNING) and completes treatment_sub, the program's last
             live step, so the program completes (seq 6, written in the same UPDATE).
  callerb  : the project's bench/kernel_w3.py structure: `check_in started -> call_sub_service`,
             so B itself is the caller (B waits before its form is submitted), C returns to B, the
             operator then submits B, the last live step, and the program completes. Operator
             order A, C, B.
"""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import w3common as w3  # noqa: E402

PEER = "erpsys"
MAIN = os.environ.get("ERPSYS_MAIN", os.getcwd())  # the project root: run from there
GENERATED = os.environ.get("ERPSYS_W3_GENERATED", "/tmp/w3gen")
SPEC_DIR = os.path.join(HERE, "w3_spec")
TENANT = "w3"

VARIANTS = {
    # program, operator order of the human steps
    "": ("w3_program", ("appointment", "check_in", "treatment")),
    "callerb": ("w3_callerb", ("appointment", "treatment", "check_in")),
}
FORM = {"appointment": "A", "check_in": "B", "treatment": "C"}


def bootstrap(args):
    """Fresh DB for this run, the project's settings module, migrate. Returns the w3common dbdesc."""
    if args.db == "sqlite":
        os.makedirs(w3.SQLITE_DIR, exist_ok=True)
        path = os.path.join(w3.SQLITE_DIR, f"{PEER}-{os.getpid()}.sqlite3")
        for suffix in ("", "-journal", "-wal", "-shm"):
            try:
                os.remove(path + suffix)
            except FileNotFoundError:
                pass
        url = f"sqlite:///{path}"
        dbdesc = {"db": "sqlite", "db_path": path}
    elif args.db == "postgres":
        name = f"w3_{PEER}_{os.getpid()}"
        w3._pg_create_db(name)
        url = f"postgres://{w3.PG_USER}@{w3.PG_HOST}:{w3.PG_PORT}/{name}"
        dbdesc = {"db": "postgres", "db_name": name}
    else:
        raise SystemExit("this peer needs a database")
    os.environ["DATABASE_URL"] = url
    os.environ["DEBUG"] = "False"
    os.environ["ERPSYS_GENERATED_DIR"] = GENERATED
    os.environ["DJANGO_SETTINGS_MODULE"] = "erpsys.settings"
    os.environ.pop("REDIS_URL", None)
    sys.path.insert(1, MAIN)
    import django

    django.setup()
    from django.conf import settings

    assert "generated.w3" in settings.INSTALLED_APPS, settings.INSTALLED_APPS
    assert not settings.DEBUG
    live_switch(settings)
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    return dbdesc


def live_switch(settings):
    """``ERPSYS_W3_LIVE``: the kernel's task-list push (kernel/live.py) during the run.

    ``memory`` (default, the embedded settings): announced, but with the in-memory layer and no
    socket open in this process nothing is sent; ``redis``: the Redis channel layer at
    ``ERPSYS_W3_LIVE_REDIS`` (default redis://127.0.0.1:6379/1), every commit's groups are sent
    (nobody listens: the full sending cost); ``off``: ``ERPSYS["LIVE"] = False``.
    """
    mode = os.environ.get("ERPSYS_W3_LIVE", "memory")
    if mode == "off":
        settings.ERPSYS = {**settings.ERPSYS, "LIVE": False}
    elif mode == "redis":
        url = os.environ.get("ERPSYS_W3_LIVE_REDIS", "redis://127.0.0.1:6379/1")
        settings.CHANNEL_LAYERS = {
            "default": {
                "BACKEND": "channels_redis.core.RedisChannelLayer",
                "CONFIG": {"hosts": [url]},
            }
        }
    elif mode != "memory":
        raise SystemExit(f"ERPSYS_W3_LIVE is memory, redis or off, not {mode!r}")


class W3:
    """Seeded state of one run (what the driver needs); built outside the timed region."""


def setup(args):
    """Fresh DB, spec load + publish, operator, N customers (not timed)."""
    if args.variant not in VARIANTS:
        raise SystemExit(f"unknown variant {args.variant!r}: {sorted(VARIANTS)}")
    ctx = W3()
    ctx.args = args
    ctx.program_name, ctx.order = VARIANTS[args.variant]
    ctx.dbdesc = bootstrap(args)
    from pathlib import Path

    from django.apps import apps

    from design.publish import revision_publish
    from design.services import spec_load
    from kernel import selectors, services
    from kernel.models import Operator

    spec_load(folder=Path(SPEC_DIR))
    ctx.revision, _created = revision_publish(tenant=TENANT)
    cleo = Operator.objects.select_related("tenant").get(tenant__name=TENANT, name="cleo")
    services.operator_roles(cleo)  # the REST layer's operator object would have it too
    Customer = apps.get_model("w3", "Customer")
    Customer.objects.bulk_create(
        [Customer(label=f"customer-{i}", full_name=f"customer {i}") for i in range(args.n)]
    )
    ctx.customers = list(Customer.objects.order_by("id"))
    ctx.cleo = cleo
    ctx.tenant = cleo.tenant  # what kernel/api/views.py passes
    ctx.services = services
    ctx.selectors = selectors
    return ctx


def start(ctx, customer):
    """Operator action: start the program on a customer (one transaction)."""
    return ctx.services.process_start(
        tenant=ctx.tenant, program=ctx.program_name, entity=customer, operator=ctx.cleo
    )


def open_task(ctx, program, service):
    """The operator opens the task: the READY process of ``service`` in the program's tree."""
    for p in ctx.selectors.process_tree(process=program):
        if p.service.name == service and p.state == "READY":
            return p
    raise RuntimeError(f"no READY {service} in program {program.pk}")


def submit(ctx, program, service):
    """Operator action: open the task, submit its form (one transaction: task_complete)."""
    task = open_task(ctx, program, service)
    ctx.services.task_complete(
        process=task,
        operator=ctx.cleo,
        data={"kind": FORM[service], "note": f"{service} form", "confirmed": True},
    )


def drive(ctx):
    """The W3 driver loop (the timed region)."""
    if ctx.args.order == "serial":
        for c in ctx.customers:
            serve(ctx, c)
    else:
        programs = [start(ctx, c) for c in ctx.customers]
        for service in ctx.order:
            for p in programs:
                submit(ctx, p, service)


def serve(ctx, customer):
    """One customer's whole program in serial order: start it, then submit each step."""
    program = start(ctx, customer)
    for service in ctx.order:
        submit(ctx, program, service)


def verify(ctx):
    """End state: N programs ended, 3N linked records, the call/return links. Returns (ok, rows)."""
    from django.apps import apps
    from django.db.models import Count

    from kernel.models import ContextSnapshot, Effect, Process

    n = ctx.args.n
    program_name = ctx.program_name
    records = {
        name: apps.get_model("w3", name).objects.filter(pid__isnull=False).count()
        for name in ("AppointmentRecord", "CheckInRecord", "TreatmentRecord")
    }
    procs = Process.objects.filter(tenant=ctx.tenant)
    by_service_state = {
        f"{s}:{st}": c
        for s, st, c in procs.values_list("service__name", "state").annotate(c=Count("pid"))
    }
    programs_ended = procs.filter(service__name=program_name, state="TERMINATED").count()
    not_ended = procs.exclude(state="TERMINATED").count()
    subs = procs.filter(service__name="treatment_sub")
    cs = procs.filter(service__name="treatment")
    # each task links its record (record_type/record_id) and each record its process (pid)
    linked = procs.filter(
        service__name__in=("appointment", "check_in", "treatment"), record_id__isnull=False
    ).count()
    if ctx.args.variant == "callerb":
        # C (the sub-program treatment_sub and its task) was called by B itself
        caller_ok = subs.filter(
            caller__service__name="check_in", caller__state="TERMINATED"
        ).count()
    else:
        # B's program is the caller; the call came from B's completion (previous = B)
        caller_ok = subs.filter(
            caller__service__name=program_name,
            caller_id=models_F("program_id"),
            previous__service__name="check_in",
        ).count()
    c_in_sub = cs.filter(parent__service__name="treatment_sub", caller__isnull=True).count()
    # primary: the program went RUNNING(seq 2) -> WAITING -> READY -> RUNNING -> TERMINATED (tree)
    program_seqs = dict(
        procs.filter(service__name=program_name).values_list("seq").annotate(c=Count("pid"))
    )
    ok = (
        programs_ended == n
        and not_ended == 0
        and sum(records.values()) == 3 * n
        and all(v == n for v in records.values())
        and linked == 3 * n
        and subs.count() == n
        and caller_ok == n
        and c_in_sub == n
        and procs.count() == 5 * n
    )
    if ctx.args.variant == "":
        ok = ok and program_seqs == {6: n}
    rows = {
        "processes": procs.count(),
        "records": records,
        "context_snapshots": ContextSnapshot.objects.count(),
        "effects": Effect.objects.count(),
        "by_service_state": by_service_state,
        "program_seq": program_seqs,
        "caller_ok": caller_ok,
    }
    return ok, rows


def main():
    args = w3.parse_args(PEER)
    ctx = setup(args)
    with w3.Meter(django_db=True) as m:
        drive(ctx)
    ok, rows = verify(ctx)
    import django

    w3.emit(
        PEER,
        args,
        ctx.dbdesc,
        3 * args.n,
        m,
        ok,
        transactions=4 * args.n,
        engine_rows=rows,
        versions={
            "django": django.get_version(),
            "erpsys": _git_head(MAIN),
            "revision": ctx.revision.number,
        },
    )
    if not os.environ.get("W3_KEEP_DB"):
        w3.cleanup(ctx.dbdesc)


def models_F(name):
    from django.db.models import F

    return F(name)


def _git_head(path):
    try:
        import subprocess

        return subprocess.run(
            ["git", "-C", path, "rev-parse", "--short", "HEAD"], capture_output=True, text=True
        ).stdout.strip()
    except Exception:
        return ""


if __name__ == "__main__":
    main()
