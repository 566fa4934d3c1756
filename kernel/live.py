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
with any other layer (Redis) it is written to the pipe of this process's relay process
(``kernel.live_relay``), which sends it (one ``group_send`` per group that has a member, per
drain; at most one drain every ``send_gap()`` seconds while commits keep coming), so the
committing process does not pay for the sending.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import json
import logging
import os
import re
import subprocess
import sys
import threading
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.db import connections, router, transaction

from kernel.live_relay import send

logger = logging.getLogger(__name__)

_NAME = re.compile(r"[A-Za-z0-9_\-]{1,60}")


def enabled() -> bool:
    """Whether the kernel announces changes (``ERPSYS["LIVE"]``, default on)."""
    return getattr(settings, "ERPSYS", {}).get("LIVE", True)


# Seconds without a new message before a socket pushes what it collected, and at most this long
# after the first message of a burst (``ERPSYS["LIVE_QUIET_MS"]``, ``ERPSYS["LIVE_WINDOW_MS"]``).
QUIET = 0.025
WINDOW = 0.1


def quiet_and_window() -> tuple[float, float]:
    """(quiet, window) in seconds: how a socket coalesces the group messages of a burst."""
    options = getattr(settings, "ERPSYS", {})
    return (
        options.get("LIVE_QUIET_MS", QUIET * 1000) / 1000,
        options.get("LIVE_WINDOW_MS", WINDOW * 1000) / 1000,
    )


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


@functools.lru_cache(maxsize=4096)
def groups_of(
    tenant_id: int,
    operator_id: int | None,
    entity_type_id: int | None,
    entity_id: int | None,
    revision_id: int | None,
    service_id: int | None,
    assigned_role: str = "",
) -> tuple[str, ...]:
    """The groups one state of a process row touches (no query once its revision is compiled).

    Remembered per distinct row state: a revision's services never change, and an operator
    action asks again for the same rows (``kernel.engine.compiled.cache_forget`` forgets them
    with the revision).
    """
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
    return tuple(groups)


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


def note_values(pid: int, groups: Sequence[str], using: str | None = None) -> None:
    """Announce ``pid`` to ``groups`` when the current transaction commits (now outside one)."""
    if groups:
        _announce(_batch(using or router.db_for_write(_process_model())), pid, groups)


def _announce(batch: _Batch | None, pid: int, groups: Sequence[str]) -> None:
    """Add ``pid`` to the transaction's ``batch``; with no transaction, send it now."""
    if batch is None:
        publish({group: {pid} for group in groups})
    else:
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


def _groups(process: Any) -> tuple[str, ...]:
    """The groups the process touches in its current in-memory state."""
    return groups_of(
        process.tenant_id,
        process.operator_id,
        process.entity_type_id,
        process.entity_id,
        process.revision_id,
        process.service_id,
        process.assigned_role,
    )


def note(process: Any, using: str | None = None) -> None:
    """Announce the process (in its current in-memory state) when the transaction commits."""
    if not enabled() or process.pk is None:
        return
    note_values(process.pk, _groups(process), using)


def note_many(processes: list[Any], using: str | None = None) -> None:
    """``note`` for every process of a one-statement write (``rows_update``, ``rows_insert``),
    with one look-up of the transaction's batch for all of them."""
    if not enabled() or not processes:
        return
    batch = _batch(using or router.db_for_write(_process_model()))
    for process in processes:
        if process.pk is not None and (groups := _groups(process)):
            _announce(batch, process.pk, groups)


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
            asyncio.run_coroutine_threadsafe(send(layer, groups), loop)
        return
    _relay(layer).put(groups)


def send_gap() -> float:
    """Seconds between the starts of two drains of a busy relay: shorter than the quiet time of
    the sockets, so a burst's messages still make one push."""
    return quiet_and_window()[0] * 0.6


# A write to a pipe of at most this many bytes is whole or not at all (POSIX PIPE_BUF).
_LINE_MAX = 4096


def lines(groups: dict[str, set[int]]) -> list[bytes]:
    """The relay's input for ``groups``: JSON lines of at most ``_LINE_MAX`` bytes. Usually one;
    a transaction that touched very many processes becomes a line per group and 150 pids (the
    sockets merge them again)."""
    whole = json.dumps({group: sorted(pids) for group, pids in groups.items()}).encode() + b"\n"
    if len(whole) <= _LINE_MAX:
        return [whole]
    out = []
    for group, pids in groups.items():
        ordered = sorted(pids)
        for start in range(0, len(ordered), 150):  # 150 ids of 18 digits: under 3,200 bytes
            out.append(json.dumps({group: ordered[start : start + 150]}).encode() + b"\n")
    return out


class _Relay:
    """This process's relay process (``kernel.live_relay``) and the pipe to its input. The
    committing thread writes one line per committed transaction straight into the pipe (a
    non-blocking write of at most ``_LINE_MAX`` bytes: whole or not at all); the relay starts with
    the first line, and again if it has ended. A relay that falls so far behind that the pipe is
    full loses pushes (logged), never the commit."""

    def __init__(self, layer, entry: str) -> None:
        self.layer = layer
        self.entry = entry  # the CHANNEL_LAYERS entry, as JSON
        self.pid = os.getpid()
        self.process: subprocess.Popen | None = None
        self.lock = threading.Lock()

    def put(self, groups: dict[str, set[int]]) -> None:
        for line in lines(groups):
            self._write(line)

    def close(self) -> None:
        """Let the relay send what it holds and end (its input closes)."""
        with self.lock:
            if self.process is not None:
                self.process.stdin.close()
                self.process = None

    def _started(self) -> subprocess.Popen:
        with self.lock:
            if self.process is None:
                self.process = subprocess.Popen(
                    [sys.executable, "-m", "kernel.live_relay"],
                    stdin=subprocess.PIPE,
                    cwd=_PROJECT_ROOT,
                    env={
                        **os.environ,
                        "ERPSYS_LIVE_LAYER": self.entry,
                        "ERPSYS_LIVE_GAP": str(send_gap()),
                    },
                )
                os.set_blocking(self.process.stdin.fileno(), False)
            return self.process

    def _write(self, line: bytes) -> None:
        for _attempt in range(2):
            process = self._started()
            try:
                os.write(process.stdin.fileno(), line)
                return
            except BlockingIOError:
                logger.warning("live: the relay process is behind; a push was dropped")
                return
            except (BrokenPipeError, ValueError):  # the relay ended (or was closed): another
                with self.lock:
                    if self.process is process:
                        self.process = None
                logger.warning("live: the relay process ended; starting another")
        logger.error("live: the relay process does not start; a push was lost")


_PROJECT_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_relay_instance: _Relay | None = None
_relay_lock = threading.Lock()


def _relay(layer) -> _Relay:
    """This process's relay for ``layer`` (a new one when the layer settings have changed)."""
    global _relay_instance
    relay = _relay_instance
    if relay is None or relay.layer is not layer or relay.pid != os.getpid():
        with _relay_lock:
            relay = _relay_instance
            if relay is None or relay.layer is not layer or relay.pid != os.getpid():
                if relay is not None and relay.pid == os.getpid():
                    relay.close()
                entry = json.dumps(settings.CHANNEL_LAYERS["default"], sort_keys=True)
                relay = _relay_instance = _Relay(layer, entry)
    return relay
