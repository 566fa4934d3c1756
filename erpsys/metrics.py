"""``/metrics``: Prometheus metrics of requests (django-prometheus) and of the kernel.

Protected: a staff session, or ``Authorization: Bearer <ERPSYS_METRICS_TOKEN>``. The kernel's
gauges are read at scrape time (open tasks by state, Celery queue length); transitions are a
counter the kernel increments after each commit (``kernel_transitions_total``, see
``kernel.observe``).
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpResponse
from django.utils.crypto import constant_time_compare
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, generate_latest
from prometheus_client.core import GaugeMetricFamily


def _authorized(request) -> bool:
    token = settings.ERPSYS_METRICS_TOKEN
    header = request.headers.get("Authorization", "")
    if token and header.startswith("Bearer "):
        return constant_time_compare(header.removeprefix("Bearer "), token)
    return request.user.is_authenticated and request.user.is_staff


def metrics(request) -> HttpResponse:
    if not _authorized(request):
        return HttpResponse("authentication required\n", status=401, content_type="text/plain")
    register_collectors()
    return HttpResponse(generate_latest(REGISTRY), content_type=CONTENT_TYPE_LATEST)


class KernelCollector:
    """Processes per tenant and state, and the broker's queue length, read when scraped."""

    def collect(self):
        from django.db.models import Count

        from kernel.models import Process

        processes = GaugeMetricFamily(
            "kernel_processes", "Processes per tenant and state.", labels=["tenant", "state"]
        )
        rows = Process.objects.values_list("tenant__name", "state").annotate(n=Count("pk"))
        for tenant, state, count in rows.order_by():
            processes.add_metric([tenant, str(state)], count)
        yield processes
        queue = GaugeMetricFamily("celery_queue_length", "Messages waiting.", labels=["queue"])
        for name, length in _queue_lengths():
            queue.add_metric([name], length)
        yield queue


def _queue_lengths() -> list[tuple[str, int]]:
    if not settings.REDIS_URL:
        return []
    import redis

    client = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=1)
    try:
        name = settings.CELERY_TASK_DEFAULT_QUEUE
        return [(name, client.llen(name))]
    except redis.RedisError:
        return []
    finally:
        client.close()


_registered = False


def register_collectors() -> None:
    global _registered
    import kernel.observe  # noqa: F401 - registers kernel_transitions_total on import

    if not _registered:
        REGISTRY.register(KernelCollector())
        _registered = True
