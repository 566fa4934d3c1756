"""``manage.py serve``: the ASGI app (HTTP and WebSocket) under gunicorn with uvicorn workers.

Checks the database and Redis first and stops with one line when either is unreachable, then
replaces itself with gunicorn (signals and restarts are gunicorn's). Static files are served by
WhiteNoise from STATIC_ROOT: run ``collectstatic`` before (the production settings need it).
"""

from __future__ import annotations

import os
import shutil
import sys

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection


def check_services() -> None:
    """Raise CommandError with one line if the database or Redis cannot be reached."""
    try:
        connection.ensure_connection()
    except Exception as exc:  # noqa: BLE001 - any failure is reported in one line
        raise CommandError(
            f"database unreachable ({connection.vendor}): {exc}".splitlines()[0]
        ) from None
    if settings.REDIS_URL:
        import redis

        try:
            redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2).ping()
        except redis.RedisError as exc:
            raise CommandError(f"Redis unreachable at {settings.REDIS_URL}: {exc}") from None


class Command(BaseCommand):
    help = "Serve the ASGI app (HTTP + WebSocket) with gunicorn and uvicorn workers."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--bind", default=os.environ.get("ERPSYS_BIND", "127.0.0.1:8000"))
        parser.add_argument(
            "--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "2"))
        )
        parser.add_argument("--timeout", type=int, default=60)
        parser.add_argument("--check-only", action="store_true", help="check services and exit")

    def handle(self, *args, bind: str, workers: int, timeout: int, check_only: bool, **options):
        check_services()
        if check_only:
            self.stdout.write("database and Redis reachable")
            return
        gunicorn = shutil.which("gunicorn", path=os.path.dirname(sys.executable)) or "gunicorn"
        argv = [
            gunicorn,
            "erpsys.asgi:application",
            "--worker-class",
            "uvicorn_worker.UvicornWorker",
            "--workers",
            str(workers),
            "--bind",
            bind,
            "--timeout",
            str(timeout),
            "--forwarded-allow-ips",
            os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1"),
        ]
        self.stdout.write(" ".join(argv))
        sys.stdout.flush()
        os.execv(gunicorn, argv)
