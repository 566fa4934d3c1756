"""Kernel events for operations: every committed state change of a process, logged and counted.

Each change is one log line on the ``kernel.events`` logger (JSON in production, see
``LOGGING``) with ``tenant``, ``pid``, ``service``, ``from_state``, ``to_state`` and ``action``,
and one increment of the Prometheus counter ``kernel_transitions_total{tenant, action, state}``
(served at ``/metrics``). A process the kernel creates is one ``create`` event from no state.

The kernel reports changes where it writes them (``kernel.engine.transitions.change``, the
inserts of ``kernel.engine.run`` and the one-UPDATE cancels); they are kept with the
transaction's batch (``kernel.live``) and emitted after the commit, so a rolled-back change is
neither logged nor counted. ``ERPSYS["KERNEL_EVENTS"] = False`` switches it off.

The committing thread only names each event (tenant and service, from the compiled revision) and
hands the transaction's events to a writer thread in one put; the writer counts them and makes
the log lines, while the committing thread goes on with its work (an operator action changes
five or six processes, and a log line and a counter increment each cost more than naming them).
Lines keep their order. ``flush()`` waits until everything handed over is written (at exit, and
in tests before they read the lines or the counter); a forked child starts its own writer.
"""

from __future__ import annotations

import atexit
import logging
import os
import queue
import threading
from typing import Any

from django.conf import settings
from prometheus_client import Counter

logger = logging.getLogger("kernel.events")

TRANSITIONS = Counter(
    "kernel_transitions",
    "Committed process state changes, by tenant, action and the state entered.",
    ["tenant", "action", "state"],
)

# (tenant_id, pid, revision_id, service_id, from_state, to_state, action)
Event = tuple[int, int, int | None, int | None, str, str, str]


def enabled() -> bool:
    return getattr(settings, "ERPSYS", {}).get("KERNEL_EVENTS", True)


def changed(process: Any, old: str, action: str, using: str | None = None) -> None:
    """``process`` (in memory, already in its new state) changed from ``old`` by ``action``."""
    if enabled():
        _keep(
            [
                (
                    process.tenant_id,
                    process.pk,
                    process.revision_id,
                    process.service_id,
                    str(old),
                    str(process.state),
                    str(action),
                )
            ],
            using,
        )


def created(processes: list[Any], using: str | None = None) -> None:
    """The kernel inserted these processes (in the state they were inserted in)."""
    if enabled() and processes:
        _keep(
            [
                (p.tenant_id, p.pk, p.revision_id, p.service_id, "", str(p.state), "create")
                for p in processes
            ],
            using,
        )


def cancelled(rows: list[tuple], using: str | None = None) -> None:
    """One-UPDATE cancels: rows ``(pk, state, *kernel.live.ROW_FIELDS)`` read before the UPDATE."""
    if enabled() and rows:
        _keep(
            [
                (tenant_id, pk, revision_id, service_id, str(state), "TERMINATED", "cancel")
                for pk, state, tenant_id, _op, _et, _eid, revision_id, service_id, _role in rows
            ],
            using,
        )


def _keep(events: list[Event], using: str | None) -> None:
    from kernel import live

    live.keep_events(events, using)


# The counter's child per (tenant, action, state): ``labels`` checks and locks on every call.
_counters: dict[tuple[str, str, str], Any] = {}


def _count(tenant: str, action: str, state: str) -> None:
    key = (tenant, action, state)
    child = _counters.get(key)
    if child is None:
        child = _counters[key] = TRANSITIONS.labels(tenant, action, state)
    child.inc()


def emit(events: list[Event]) -> None:
    """Log and count committed events (called by ``kernel.live`` after the commit): named here,
    written by the writer thread."""
    named = [
        (_tenant_name(tenant_id, revision_id), pid, _service_name(revision_id, service_id), *rest)
        for tenant_id, pid, revision_id, service_id, *rest in events
    ]
    _writer.put(named)


def flush(timeout: float = 10.0) -> bool:
    """Wait until every event handed over so far is logged and counted; False on timeout."""
    return _writer.flush(timeout)


# (tenant name, pid, service name, from_state, to_state, action)
Named = tuple[str, int, str, str, str, str]


def _write(named: list[Named]) -> None:
    """Count and log named events (in the writer thread)."""
    log = logger.isEnabledFor(logging.INFO)
    for tenant, pid, service, old, new, action in named:
        _count(tenant, action, new)
        if log:
            logger.info(
                "kernel transition",
                extra={
                    "tenant": tenant,
                    "pid": pid,
                    "service": service,
                    "from_state": old,
                    "to_state": new,
                    "action": action,
                },
            )


class _Writer:
    """A daemon thread that writes the events handed to it, in order (started on first use, and
    again in a forked child, whose copy of the parent's thread does not run)."""

    def __init__(self) -> None:
        self.pid = 0
        self.queue: queue.SimpleQueue = queue.SimpleQueue()
        self.lock = threading.Lock()
        atexit.register(self.flush)

    def put(self, named: list[Named]) -> None:
        if self.pid != os.getpid():
            self._start()
        self.queue.put(named)

    def flush(self, timeout: float = 10.0) -> bool:
        if self.pid != os.getpid():
            return True  # nothing was handed over in this process
        done = threading.Event()
        self.queue.put(done)
        return done.wait(timeout)

    def _start(self) -> None:
        with self.lock:
            if self.pid == os.getpid():
                return
            self.queue = queue.SimpleQueue()
            threading.Thread(
                target=self._run, args=(self.queue,), name="kernel-events", daemon=True
            ).start()
            self.pid = os.getpid()

    @staticmethod
    def _run(items: queue.SimpleQueue) -> None:
        while True:
            item = items.get()
            if isinstance(item, threading.Event):
                item.set()
                continue
            try:
                _write(item)
            except Exception:  # noqa: BLE001 - the writer outlives any one bad batch
                logger.exception("kernel events: writing %d events failed", len(item))


_writer = _Writer()


def _tenant_name(tenant_id: int, revision_id: int | None) -> str:
    """From the compiled revision (no query once compiled); a query for a row with none."""
    if revision_id is not None:
        from kernel.engine.compiled import compiled_revision

        return compiled_revision(revision_id).revision.tenant.name
    from core.models import Tenant

    name = Tenant.objects.filter(pk=tenant_id).values_list("name", flat=True).first()
    return name or str(tenant_id)


def _service_name(revision_id: int | None, service_id: int | None) -> str:
    from kernel.live import service_of

    service = service_of(revision_id, service_id)
    return service.name if service is not None else ""
