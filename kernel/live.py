"""Live task lists: the kernel announces committed process changes to WebSocket groups.

Every write of a process row (``Process.save``, ``Run.flush``/``rows_update``, the one-UPDATE
cancels of ``kernel.engine.cancel`` and ``terminate_process``) notes the process here, with the
groups its change touches, computed from the row in memory (no query):

- ``erpsys.<tenant_id>.op.<operator_id>``: the task's operator, and the previous one when a task
  is shifted, unclaimed or escalated (``change`` notes the row before and after);
- ``erpsys.<tenant_id>.role.<role>``: the roles of an unclaimed (public) task, before or after;
- ``erpsys.<tenant_id>.entity.<content_type_id>.<entity_pk>``: the entity it serves.

The notes of one transaction (per database connection) are sent once, after the commit
(``transaction.on_commit``): ONE message ``{"type": "tasks.changed", "pids": [...]}`` per group.
A rolled-back transaction sends nothing. ``ERPSYS["LIVE"] = False`` switches all of it off.

Sending never blocks the committing thread: with the in-memory layer the message is handed to
the event loop of this process's consumers (and nothing is done when no socket is open here);
with any other layer (Redis) a sender thread with its own event loop sends it, merging what
queued up meanwhile (one ``group_send`` per group).
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
import queue
import re
import threading
from typing import Any

from django.conf import settings
from django.db import connections, router, transaction

logger = logging.getLogger(__name__)

MESSAGE_TYPE = "tasks.changed"
_NAME = re.compile(r"[A-Za-z0-9_\-]{1,60}")


def enabled() -> bool:
    """Whether the kernel announces changes (``ERPSYS["LIVE"]``, default on)."""
    return getattr(settings, "ERPSYS", {}).get("LIVE", True)


def _safe(name: str) -> str:
    """A channel-layer-safe group name part (ASCII letters, digits, _ and -; else a hash)."""
    if _NAME.fullmatch(name):
        return name
    return "h" + hashlib.sha1(name.encode()).hexdigest()[:16]


def operator_group(tenant_id: int, operator_id: int) -> str:
    return f"erpsys.{tenant_id}.op.{operator_id}"


def role_group(tenant_id: int, role: str) -> str:
    return f"erpsys.{tenant_id}.role.{_safe(role)}"


def team_group(tenant_id: int, role: str) -> str:
    """Supervisors of ``role`` (the board's Team tab): every task of the role, claimed or not."""
    return f"erpsys.{tenant_id}.team.{_safe(role)}"


def entity_group(tenant_id: int, entity_type_id: int, entity_id: int) -> str:
    return f"erpsys.{tenant_id}.entity.{entity_type_id}.{entity_id}"


def service_of(revision_id: int | None, service_id: int | None):
    """The compiled service of a process row (None when it has none)."""
    if revision_id is None or service_id is None:
        return None
    from kernel.engine.compiled import compiled_revision

    return compiled_revision(revision_id).services_by_id.get(service_id)


def groups_of(
    tenant_id: int,
    operator_id: int | None,
    entity_type_id: int | None,
    entity_id: int | None,
    revision_id: int | None,
    service_id: int | None,
    assigned_role: str = "",
) -> list[str]:
    """The groups one state of a process row touches (no query once its revision is compiled)."""
    groups = []
    if operator_id is not None:
        groups.append(operator_group(tenant_id, operator_id))
    if entity_id is not None and entity_type_id is not None:
        groups.append(entity_group(tenant_id, entity_type_id, entity_id))
    service = service_of(revision_id, service_id)
    if service is None or not service.is_program:
        roles = set(service.roles or ()) if service is not None else set()
        if assigned_role:
            roles.add(assigned_role)
        if operator_id is None:  # an unclaimed task: its roles' boards
            groups += [role_group(tenant_id, role) for role in sorted(roles)]
        groups += [team_group(tenant_id, role) for role in sorted(roles)]  # their supervisors
    return groups


class _Batch:
    """The groups (and their pids) one transaction of one connection touched, and its kernel
    events (``kernel.observe``)."""

    __slots__ = ("hooks", "groups", "events", "sent")

    def __init__(self, hooks: list) -> None:
        self.hooks = hooks
        self.groups: dict[str, set[int]] = {}
        self.events: list[tuple] = []
        self.sent = False

    def add(self, pid: int, groups: list[str]) -> None:
        for group in groups:
            pids = self.groups.get(group)
            if pids is None:
                self.groups[group] = {pid}
            else:
                pids.add(pid)

    def send(self) -> None:
        self.sent = True
        if self.groups:
            publish(self.groups)
        if self.events:
            _emit(self.events)


def _batch(using: str) -> _Batch | None:
    """This transaction's batch (registering its on_commit hook once); None outside a transaction."""
    connection = connections[using]
    if not connection.in_atomic_block:
        return None
    batch = getattr(connection, "_erpsys_live", None)
    # The hooks list is replaced when a transaction ends (commit or rollback) or a savepoint
    # rolls back: a batch of an earlier transaction is never reused.
    if batch is not None and not batch.sent and batch.hooks is connection.run_on_commit:
        return batch
    batch = _Batch(connection.run_on_commit)
    connection._erpsys_live = batch
    transaction.on_commit(batch.send, using=using)
    batch.hooks = connection.run_on_commit
    return batch


def note_values(pid: int, groups: list[str], using: str | None = None) -> None:
    """Announce ``pid`` to ``groups`` when the current transaction commits (now outside one)."""
    if not groups:
        return
    batch = _batch(using or router.db_for_write(_process_model()))
    if batch is None:
        publish({group: {pid} for group in groups})
        return
    batch.add(pid, groups)


def keep_events(events: list[tuple], using: str | None = None) -> None:
    """Emit ``kernel.observe`` events when the current transaction commits (now outside one)."""
    batch = _batch(using or router.db_for_write(_process_model()))
    if batch is None:
        _emit(events)
        return
    batch.events.extend(events)


def _emit(events: list[tuple]) -> None:
    from kernel import observe

    try:
        observe.emit(events)
    except Exception:  # noqa: BLE001 - logging and counting must never break a committed change
        logger.exception("kernel events: emitting %d events failed", len(events))


def note(process: Any, using: str | None = None) -> None:
    """Announce the process (in its current in-memory state) when the transaction commits."""
    if not enabled() or process.pk is None:
        return
    note_values(
        process.pk,
        groups_of(
            process.tenant_id,
            process.operator_id,
            process.entity_type_id,
            process.entity_id,
            process.revision_id,
            process.service_id,
            process.assigned_role,
        ),
        using,
    )


def note_many(processes: list[Any], using: str | None = None) -> None:
    """``note`` for every process of a one-statement write (``rows_update``, ``rows_insert``)."""
    if not enabled():
        return
    for process in processes:
        note(process, using)


# Columns ``note_rows`` needs from a ``values_list`` (after pk).
ROW_FIELDS = (
    "tenant_id",
    "operator_id",
    "entity_type_id",
    "entity_id",
    "revision_id",
    "service_id",
    "assigned_role",
)


def note_rows(rows: list[tuple], using: str | None = None) -> None:
    """Announce rows read as ``values_list("pk", *ROW_FIELDS)`` (one-UPDATE cancels)."""
    if not enabled():
        return
    for pk, *values in rows:
        note_values(pk, groups_of(*values), using)


def _process_model():
    from kernel.models import Process

    return Process


# --- sending ------------------------------------------------------------------------------------

_loops: dict[asyncio.AbstractEventLoop, int] = {}
_loops_lock = threading.Lock()


def listening(loop: asyncio.AbstractEventLoop, delta: int) -> None:
    """A consumer of this process opened (+1) or closed (-1) a socket on ``loop``."""
    with _loops_lock:
        count = _loops.get(loop, 0) + delta
        if count > 0:
            _loops[loop] = count
        else:
            _loops.pop(loop, None)


def message(pids: set[int]) -> dict:
    """The group message (and, coalesced, the socket's JSON): ``{"type", "pids"}``."""
    return {"type": MESSAGE_TYPE, "pids": sorted(pids)}


async def _send(layer, groups: dict[str, set[int]]) -> None:
    for group, pids in groups.items():
        try:
            await layer.group_send(group, message(pids))
        except Exception:  # noqa: BLE001 - a lost push must never break the kernel
            logger.exception("live: group_send to %s failed", group)


def publish(groups: dict[str, set[int]]) -> None:
    """Send one message per group, without blocking the caller."""
    from channels.layers import InMemoryChannelLayer, get_channel_layer

    layer = get_channel_layer()
    if layer is None:
        return
    if isinstance(layer, InMemoryChannelLayer):
        # In-memory groups live in this process: only its consumers' loops can hear them.
        with _loops_lock:
            loops = list(_loops)
        for loop in loops:
            if loop.is_closed():
                listening(loop, -(10**9))
                continue
            asyncio.run_coroutine_threadsafe(_send(layer, groups), loop)
        return
    _sender().put(layer, groups)


class _Sender:
    """A thread with its own event loop that sends queued messages (one per group per drain)."""

    def __init__(self) -> None:
        self.queue: queue.SimpleQueue = queue.SimpleQueue()
        self.pid = os.getpid()
        self.thread = threading.Thread(target=self._run, name="erpsys-live", daemon=True)
        self.thread.start()

    def put(self, layer, groups: dict[str, set[int]]) -> None:
        self.queue.put((layer, groups))

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        while True:
            layer, groups = self.queue.get()
            merged = {group: set(pids) for group, pids in groups.items()}
            while True:  # whatever queued meanwhile goes out with it
                try:
                    more_layer, more = self.queue.get_nowait()
                except queue.Empty:
                    break
                if more_layer is not layer:
                    loop.run_until_complete(_send(layer, merged))
                    layer, merged = more_layer, {}
                for group, pids in more.items():
                    merged.setdefault(group, set()).update(pids)
            loop.run_until_complete(_send(layer, merged))


_sender_instance: _Sender | None = None
_sender_lock = threading.Lock()


def _sender() -> _Sender:
    global _sender_instance
    sender = _sender_instance
    if sender is None or sender.pid != os.getpid() or not sender.thread.is_alive():
        with _sender_lock:
            sender = _sender_instance
            if sender is None or sender.pid != os.getpid() or not sender.thread.is_alive():
                sender = _sender_instance = _Sender()
    return sender
