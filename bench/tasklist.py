#!/usr/bin/env python
"""Task lists at scale and the live push: board and REST render time, push latency.

1. Board: GET /clinic/ (the workbench board, both tabs with counts) as the receptionist 小林,
   median of ``--repeat`` requests, with 100 and 10,000 open public tasks (target: 10,000 within
   1.2x of 100). REST: GET /clinic/api/tasks/?scope=public (first page) likewise.
2. Push latency on the Redis channel layer: a board socket (``/ws/clinic/tasks/``, the real ASGI
   application through ``channels.testing.WebsocketCommunicator``) is open; the operator
   suspends/resumes her task through ``kernel.services`` (one transaction each); the time from
   the commit returning to the socket's JSON message, p50 and p95 of ``--pushes`` changes
   (target p95 <= 50 ms; it includes the consumer's 25 ms quiet window of coalescing).

Run from the project root (Django test client, no server; DEBUG off; a fresh database):
    .venv/bin/python bench/tasklist.py
    .venv/bin/python bench/tasklist.py --database-url postgres://postgres@127.0.0.1:5432/erpsys_bench_tasklist
Options: --sizes 100 10000, --repeat 15, --pushes 200, --redis-url redis://127.0.0.1:6379/1.
The query counts are pinned by tests (tests/workbench/test_pages.py, 10 vs 1,000 tasks).
The open tasks are inserted with bulk_create (READY 维护客户档案 tasks on one customer, the same
rows the kernel's spawn writes), so the figure is the board's, not the kernel's.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 10000])
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--pushes", type=int, default=200)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/1")
    return parser.parse_args()


def setup(args):
    if args.database_url:
        url = args.database_url
        if url.startswith("postgres"):
            import psycopg

            base, name = url.rsplit("/", 1)
            with psycopg.connect(f"{base}/postgres", autocommit=True) as connection:
                connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
                connection.execute(f'CREATE DATABASE "{name}"')
    else:
        path = Path("/tmp") / f"erpsys-bench-tasklist-{os.getpid()}.sqlite3"
        path.unlink(missing_ok=True)
        url = f"sqlite:///{path}"
    os.environ["DATABASE_URL"] = url
    os.environ["DEBUG"] = "False"
    os.environ["DJANGO_SETTINGS_MODULE"] = "erpsys.settings"
    os.environ.pop("REDIS_URL", None)  # locmem cache, eager Celery: the embedded defaults
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    call_command("migrate", verbosity=0, interactive=False)
    from design.publish import revision_publish
    from design.services import spec_load

    spec_load(folder=ROOT / "meta_specs" / "clinic")
    revision_publish(tenant="clinic")
    return url


def open_tasks(total: int) -> None:
    """Bring the number of open public tasks to ``total`` (bulk insert, as spawn writes them)."""
    from django.apps import apps
    from django.contrib.contenttypes.models import ContentType

    from kernel.models import Process, ServiceDef

    customer_model = apps.get_model("clinic", "Customer")
    customer = customer_model.objects.order_by("pk").first()
    if customer is None:
        customer = customer_model.objects.create(
            label="张女士", full_name="张女士", phone="13800000000", medical_record_number="MR-1"
        )
    service = (
        ServiceDef.objects.filter(revision__tenant__name="clinic", name="maintain_profile")
        .select_related("revision")
        .order_by("-revision__number")
        .first()
    )
    have = Process.objects.filter(service=service, state="READY").count()
    rows = [
        Process(
            tenant_id=service.revision.tenant_id,
            service=service,
            revision=service.revision,
            entity_type=ContentType.objects.get_for_model(customer_model),
            entity_id=customer.pk,
            state="READY",
            seq=1,
        )
        for _ in range(max(0, total - have))
    ]
    Process.objects.bulk_create(rows, batch_size=1000)


def timed(client, url: str, repeat: int) -> float:
    """Median milliseconds of ``repeat`` GETs (after two warm-ups)."""
    for _ in range(2):
        assert client.get(url).status_code == 200, url
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        response = client.get(url)
        samples.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200
    return statistics.median(samples)


def render_times(args) -> list[tuple[int, str, float]]:
    from django.test import Client

    from kernel.models import Operator

    xiaolin = Operator.objects.get(tenant__name="clinic", name="xiaolin")
    client = Client()
    client.force_login(xiaolin.user)
    results = []
    for size in sorted(args.sizes):
        open_tasks(size)
        for name, url in (("board", "/clinic/"), ("rest", "/clinic/api/tasks/?scope=public")):
            median = timed(client, url, args.repeat)
            results.append((size, name, median))
            print(f"  {name:5} {size:>6} open tasks: median {median:7.1f} ms")
    return results


def push_latency(args) -> tuple[float, float, float]:
    from asgiref.sync import async_to_sync, sync_to_async
    from channels.layers import channel_layers
    from channels.testing import WebsocketCommunicator
    from django.apps import apps
    from django.conf import settings
    from django.test import Client

    from erpsys.asgi import application
    from kernel import services
    from kernel.models import Operator

    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [args.redis_url], "prefix": f"bench-{uuid.uuid4().hex[:8]}"},
        }
    }
    channel_layers.backends.clear()
    xiaolin = Operator.objects.get(tenant__name="clinic", name="xiaolin")
    client = Client()
    client.force_login(xiaolin.user)
    cookie = client.cookies["sessionid"].value
    task = services.process_start(
        tenant="clinic",
        program="maintain_profile",
        entity=apps.get_model("clinic", "Customer").objects.order_by("pk").first(),
        operator=xiaolin,
    )
    services.task_claim(process=task, operator=xiaolin)
    state = {"suspended": False}

    def change() -> float:
        if state["suspended"]:
            services.task_resume(process=task, operator=xiaolin)
        else:
            services.task_suspend(process=task, operator=xiaolin)
        state["suspended"] = not state["suspended"]
        return time.perf_counter()  # the transaction has committed (and announced)

    samples: list[float] = []

    async def run() -> None:
        import asyncio

        socket = WebsocketCommunicator(
            application,
            "/ws/clinic/tasks/",
            headers=[
                (b"origin", b"http://testserver"),
                (b"host", b"testserver"),
                (b"cookie", f"sessionid={cookie}".encode()),
            ],
        )
        connected, _ = await socket.connect(timeout=10)
        assert connected
        for index in range(args.pushes + 5):
            committed = await sync_to_async(change, thread_sensitive=True)()
            message = await socket.receive_json_from(timeout=5)
            received = time.perf_counter()
            assert task.pk in message["pids"], message
            if index >= 5:  # warm-up: connections, caches
                samples.append((received - committed) * 1000)
            await asyncio.sleep(0.15)  # past the coalescing window: one push per change
        await socket.disconnect()

    async_to_sync(run)()
    samples.sort()
    p50 = statistics.median(samples)
    p95 = samples[int(0.95 * (len(samples) - 1))]
    return p50, p95, samples[-1]


def main() -> None:
    args = parse_args()
    command = " ".join(["bench/tasklist.py", *sys.argv[1:]])
    url = setup(args)
    print(f"$ .venv/bin/python {command}")
    print(f"database: {url.split('@')[-1]}")
    results = render_times(args)
    sizes = sorted(args.sizes)
    for name in ("board", "rest"):
        small = next(r[2] for r in results if r[0] == sizes[0] and r[1] == name)
        large = next(r[2] for r in results if r[0] == sizes[-1] and r[1] == name)
        print(
            f"{name}: {sizes[-1]} / {sizes[0]} open tasks = {large / small:.2f}x (target <= 1.2x)"
        )
    p50, p95, worst = push_latency(args)
    print(
        f"push latency commit -> socket message (Redis layer, {args.pushes} changes): "
        f"p50 {p50:.1f} ms, p95 {p95:.1f} ms, max {worst:.1f} ms (target p95 <= 50 ms)"
    )


if __name__ == "__main__":
    main()
