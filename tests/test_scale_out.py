"""Scale-out: two ASGI servers and two Celery workers on one PostgreSQL and one Redis.

200 clinic programs are started and worked through the two servers alternately while one
worker is killed mid-run; every program must end, with each of its steps exactly once. An
operator's board socket on server A hears a task completed through server B's REST API (the
push crosses servers through the Redis channel layer).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.conftest import REPO_ROOT
from tests.kernel.conftest import CeleryWorker, _ping, stop_worker, wait_for, worker_environment

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.slow]

PROGRAMS = int(os.environ.get("ERPSYS_SCALE_OUT_PROGRAMS", "200"))
PASSWORD = "scale-out-password-1"
PROGRAM = "scale_out_check"


@dataclass
class Server:
    process: subprocess.Popen
    url: str
    log: Path

    def log_tail(self, lines: int = 30) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(environment: dict[str, str], log: Path) -> Server:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "manage.py", "serve", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
        cwd=REPO_ROOT,
        env=environment,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    server = Server(process=process, url=f"http://127.0.0.1:{port}", log=log)

    def up() -> bool:
        try:
            return httpx.get(f"{server.url}/healthz", timeout=2).status_code in (200, 503)
        except httpx.HTTPError:
            return process.poll() is not None  # stop waiting for a server that died

    assert wait_for(up, timeout=60) and process.poll() is None, server.log_tail()
    return server


def stop_server(server: Server) -> None:
    if server.process.poll() is None:
        os.killpg(server.process.pid, signal.SIGTERM)
        try:
            server.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.process.pid, signal.SIGKILL)
            server.process.wait(timeout=20)


def start_worker(environment: dict[str, str], log: Path) -> CeleryWorker:
    from django.conf import settings

    from erpsys.celery import app

    hostname = f"erpsys-scale-{uuid.uuid4().hex[:8]}@localhost"
    command = [
        sys.executable, "-m", "celery", "-A", "erpsys", "worker", "--pool=prefork",
        "--concurrency=1", "-Q", settings.CELERY_TASK_DEFAULT_QUEUE, "--loglevel=warning", "--without-mingle",
        "--without-gossip", "-n", hostname, "--logfile", str(log),
    ]  # fmt: skip
    process = subprocess.Popen(
        command,
        cwd=REPO_ROOT,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    worker = CeleryWorker(process=process, hostname=hostname, database="", log=log)
    assert wait_for(lambda: _ping(app, hostname) or not worker.alive(), timeout=60)
    assert worker.alive(), worker.log_tail()
    return worker


def clinic_with_check_program():
    """The clinic, published with one more program: a person's step, then a system step."""
    from design.publish import revision_publish
    from design.selectors import spec_get
    from design.services import spec_load
    from design.specs.model import RuleSpec, ServiceSpec
    from tests.conftest import CLINIC_SPEC

    spec_load(folder=CLINIC_SPEC)
    spec = spec_get(tenant="clinic")
    rules = [
        RuleSpec(
            service=PROGRAM,
            event="started",
            instruction="start_service",
            operand="maintain_profile",
        ),
        RuleSpec(
            service="maintain_profile",
            event="completed",
            instruction="start_service",
            operand="remind_follow_up",
        ),
        RuleSpec(service="remind_follow_up", event="completed", instruction="calling_return"),
    ]
    spec.services.append(
        ServiceSpec(
            name=PROGRAM,
            label="扩展检查",
            serves="customer",
            roles=["receptionist"],
            manual_start=True,
            rules=rules,
        )
    )
    revision_publish(tenant="clinic", spec=spec)


def token(server: Server, username: str) -> dict[str, str]:
    response = httpx.post(
        f"{server.url}/api/token/", json={"username": username, "password": PASSWORD}, timeout=30
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access']}"}


def websocket_open(server: Server, user):
    """The operator's board socket on ``server`` (session cookie, like the browser's)."""
    from django.test import Client
    from websockets.sync.client import connect

    client = Client()
    client.force_login(user)
    cookie = client.cookies["sessionid"].value
    return connect(
        server.url.replace("http://", "ws://") + "/ws/clinic/tasks/",
        additional_headers={"Cookie": f"sessionid={cookie}"},
        origin=server.url,
        open_timeout=30,
    )


def websocket_pushes_until(live_socket, pid: int, timeout: float = 20.0) -> None:
    """Read pushes until one names ``pid``; fails after ``timeout`` seconds."""
    import json
    import time

    deadline = time.monotonic() + timeout
    while True:
        left = deadline - time.monotonic()
        assert left > 0, f"no push naming {pid} within {timeout} s"
        message = json.loads(live_socket.recv(timeout=left))
        assert message["type"] == "tasks.changed"
        if pid in message["pids"]:
            return


def test_two_servers_two_workers_one_killed_every_program_ends_once(transactional_db, tmp_path):
    from django.apps import apps
    from django.db import connection
    from django.db.models import Count

    from kernel.models import Operator, Process

    clinic_with_check_program()
    receptionist = Operator.objects.get(tenant__name="clinic", name="xiaolin").user
    receptionist.set_password(PASSWORD)
    receptionist.save()
    customer_model = apps.get_model("clinic", "Customer")
    customers = [
        customer_model.objects.create(full_name=f"客户{i}", label=f"客户{i}", phone=f"139{i:08d}")
        for i in range(PROGRAMS)
    ]

    environment = worker_environment(connection.settings_dict["NAME"])
    # a task the killed worker had taken comes back after 15 s instead of 10 minutes
    environment.update(
        CELERY_VISIBILITY_TIMEOUT="15",
        THROTTLE_USER="100000/minute",
        LOG_FORMAT="text",
        LOG_LEVEL="WARNING",
    )
    servers = [start_server(environment, tmp_path / f"server{i}.log") for i in range(2)]
    workers = [start_worker(environment, tmp_path / f"worker{i}.log") for i in range(2)]
    try:
        headers = [token(server, receptionist.username) for server in servers]
        live_socket = websocket_open(servers[0], receptionist)  # xiaolin's board, on server A
        programs = []
        for i, customer in enumerate(customers):
            side = i % 2
            if i == PROGRAMS // 2:
                os.killpg(workers[0].process.pid, signal.SIGKILL)  # mid-run, no warning
            started = httpx.post(
                f"{servers[side].url}/clinic/api/processes/start/",
                json={"program": PROGRAM, "entity": {"type": "customer", "id": customer.pk}},
                headers=headers[side],
                timeout=60,
            )
            assert started.status_code == 201, started.text
            programs.append(started.json()["pid"])
            step = Process.objects.get(root_id=programs[-1], service__name="maintain_profile")
            if i == 0:
                websocket_pushes_until(live_socket, step.pk)  # the start's own push, through A
            other = 1 - side  # the person's step is completed through the other server
            done = httpx.post(
                f"{servers[other].url}/clinic/api/tasks/{step.pk}/complete/",
                json={},
                headers=headers[other],
                timeout=60,
            )
            assert done.status_code == 200, done.text
            if i == 0:  # completed through server B: A's socket hears it (over Redis)
                assert side == 0 and other == 1
                websocket_pushes_until(live_socket, step.pk)
                live_socket.close()

        def all_ended() -> bool:
            return not Process.objects.filter(pk__in=programs).exclude(state="TERMINATED").exists()

        def states() -> list:
            rows = Process.objects.filter(root_id__in=programs[:3]) | Process.objects.filter(
                pk__in=programs[:3]
            )
            return list(rows.values_list("pk", "service__name", "state").order_by("pk"))

        assert wait_for(all_ended, timeout=240), (states(), workers[1].log_tail())
        steps = (
            Process.objects.filter(root_id__in=programs)
            .values("root_id", "service__name")
            .annotate(n=Count("pk"))
        )
        counts = {(row["root_id"], row["service__name"]): row["n"] for row in steps}
        for pid in programs:
            assert counts.get((pid, "maintain_profile")) == 1, pid  # no lost, no doubled step
            assert counts.get((pid, "remind_follow_up")) == 1, pid
        assert not Process.objects.filter(root_id__in=programs).exclude(state="TERMINATED").exists()
        assert all(server.process.poll() is None for server in servers)
    finally:
        for worker in workers:
            stop_worker(worker)
        for server in servers:
            stop_server(server)
