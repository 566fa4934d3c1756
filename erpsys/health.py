"""``/healthz``: database, cache/broker and (when not eager) worker health as JSON.

The endpoint is public (load balancers and probes call it without credentials), so it says only
whether each part is up; the reason for a failure goes to the log, never into the response.
"""

import logging

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.http import require_GET

log = logging.getLogger(__name__)


def _down(part: str, exc: Exception) -> dict:
    log.warning("healthz: %s is down: %r", part, exc)
    return {"ok": False}


def _check_database() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # noqa: BLE001 - any failure is reported, not raised
        return _down("database", exc)
    return {"ok": True, "vendor": connection.vendor}


def _check_cache() -> dict:
    try:
        cache.set("erpsys:healthz", "1", timeout=5)
        ok = cache.get("erpsys:healthz") == "1"
    except Exception as exc:  # noqa: BLE001
        return _down("cache", exc)
    return {"ok": ok, "backend": settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]}


def _check_broker_and_worker() -> tuple[dict, dict]:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return {"ok": True, "mode": "eager"}, {"ok": True, "mode": "eager"}
    from erpsys.celery import app

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        broker = {"ok": True}
    except Exception as exc:  # noqa: BLE001
        return _down("broker", exc), {"ok": False}
    try:
        replies = app.control.ping(timeout=1.0) or []
    except Exception as exc:  # noqa: BLE001
        return broker, _down("worker", exc)
    return broker, {"ok": bool(replies), "workers": len(replies)}


@require_GET
def healthz(request):
    """Report each dependency; 200 when all are healthy, 503 otherwise."""
    broker, worker = _check_broker_and_worker()
    checks = {
        "database": _check_database(),
        "cache": _check_cache(),
        "broker": broker,
        "worker": worker,
    }
    healthy = all(check["ok"] for check in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "error", **checks}, status=200 if healthy else 503
    )
