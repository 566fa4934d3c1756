"""Kernel test fixtures. Sections are owned by different helpers; keep each one self-contained."""

from __future__ import annotations

# ---------------------------------------------------------------------------------------------
# Real Celery worker (infrastructure helper).
#
# ``celery_worker_process`` starts ``celery -A erpsys worker`` as a subprocess against the SAME
# PostgreSQL test database pytest-django created and the Redis broker at REDIS_URL, and waits
# until it answers a ping. Use it from tests marked ``postgres`` and ``redis`` that use
# ``transactional_db`` (the worker only sees committed rows). The worker is shared by the whole
# session and killed (its whole process group) at teardown, before the test database is dropped.
# ---------------------------------------------------------------------------------------------
import os
import signal
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
CELERY_BIN = Path(sys.executable).with_name("celery")
WORKER_START_TIMEOUT = 60.0


@dataclass
class CeleryWorker:
    """A running worker subprocess: its Popen, node name, database name and log file."""

    process: subprocess.Popen
    hostname: str
    database: str
    log: Path

    def log_tail(self, lines: int = 40) -> str:
        """The last lines the worker wrote (for assertion messages)."""
        if not self.log.exists():
            return ""
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])

    def alive(self) -> bool:
        return self.process.poll() is None


def worker_environment(database_name: str) -> dict[str, str]:
    """The environment of a worker that uses ``database_name`` on this run's PostgreSQL server."""
    from django.conf import settings

    db = settings.DATABASES["default"]
    user = db.get("USER") or "postgres"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    env = dict(os.environ)
    env.update(
        DATABASE_URL=f"postgres://{user}{password}@{host}:{port}/{database_name}",
        REDIS_URL=os.environ["REDIS_URL"],
        CELERY_TASK_ALWAYS_EAGER="0",
        DJANGO_SETTINGS_MODULE="erpsys.settings",
        PYTHONUNBUFFERED="1",
    )
    env.pop("ERPSYS_TEST_DB_NAME", None)
    return env


def _ping(app, hostname: str) -> bool:
    try:
        return bool(app.control.ping(destination=[hostname], timeout=1.0))
    except Exception:  # noqa: BLE001 - broker hiccups while the worker boots: try again
        return False


def stop_worker(worker: CeleryWorker, *, timeout: float = 20.0) -> None:
    """SIGTERM the worker's process group (warm shutdown), SIGKILL it if it lingers."""
    if not worker.alive():
        return
    try:
        os.killpg(worker.process.pid, signal.SIGTERM)
        worker.process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(worker.process.pid, signal.SIGKILL)
        worker.process.wait(timeout=timeout)
    except ProcessLookupError:
        pass


@pytest.fixture(scope="session")
def celery_worker_process(django_db_setup, django_db_blocker, tmp_path_factory):
    """A real prefork Celery worker (concurrency 2) on the test database; yields CeleryWorker."""
    from django.conf import settings
    from django.db import connection

    from tests.conftest import _postgres_problem, _redis_problem, services_required

    problem = _postgres_problem() or _redis_problem()
    if problem:
        if services_required():
            pytest.fail(f"ERPSYS_REQUIRE_SERVICES=1 but {problem}", pytrace=False)
        pytest.skip(problem)
    from erpsys.celery import app

    with django_db_blocker.unblock():
        database = connection.settings_dict["NAME"]
    hostname = f"erpsys-test-{uuid.uuid4().hex[:8]}@localhost"
    log = tmp_path_factory.mktemp("celery") / "worker.log"
    command = [
        str(CELERY_BIN), "-A", "erpsys", "worker", "--pool=prefork", "--concurrency=2",
        "-Q", settings.CELERY_TASK_DEFAULT_QUEUE, "--loglevel=warning", "--purge", "--without-mingle", "--without-gossip",
        "-n", hostname, "--logfile", str(log),
    ]  # fmt: skip
    process = subprocess.Popen(
        command,
        cwd=REPO_ROOT,
        env=worker_environment(database),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group, so teardown reaches the pool children
    )
    worker = CeleryWorker(process=process, hostname=hostname, database=database, log=log)
    eager = (settings.CELERY_TASK_ALWAYS_EAGER, app.conf.task_always_eager)
    settings.CELERY_TASK_ALWAYS_EAGER = app.conf.task_always_eager = False
    try:
        deadline = time.monotonic() + WORKER_START_TIMEOUT
        while not _ping(app, hostname):
            if not worker.alive() or time.monotonic() > deadline:
                pytest.fail(f"the Celery worker did not start:\n{worker.log_tail()}")
            time.sleep(0.5)
        yield worker
    finally:
        settings.CELERY_TASK_ALWAYS_EAGER, app.conf.task_always_eager = eager
        stop_worker(worker)


def wait_for(predicate, *, timeout: float = 30.0, interval: float = 0.2) -> bool:
    """Poll ``predicate`` until it is truthy or ``timeout`` seconds pass; return its last value."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(interval)


# ----------------------------------- end of the Celery worker section -----------------------
