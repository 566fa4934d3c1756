"""Process ids reserved ahead from the database's sequence, so new processes can wait in memory.

A run that defers its writes (``batched_run``) inserts the processes it creates at ``flush``, all
in one INSERT. Rules need a new process's pid at once (its children point at it), so the pid is
taken from a block this worker reserved from the ``kernel_process`` sequence with one statement
(the hi/lo pattern). A sequence never rolls back and never hands a number out twice, so a block
is safe across transactions and workers; an unused rest leaves a gap, as a rolled-back INSERT
does. Only PostgreSQL has such a sequence: elsewhere ``pid_reserve`` returns None and the
process is inserted at once (SQLite runs in-process, where a statement costs little).
"""

from __future__ import annotations

import os
import threading

from django.db import connections, router

from kernel.models import Process

# How many pids one reservation takes (one statement per BLOCK new processes).
BLOCK = 32

_POOL: dict[tuple[int, str, str], list[int]] = {}
_LOCK = threading.Lock()


def pid_reserve() -> int | None:
    """A fresh pid for a process not inserted yet, or None when the backend has no sequence."""
    alias = router.db_for_write(Process)
    connection = connections[alias]
    if connection.vendor != "postgresql":
        return None
    # A forked child (a prefork worker) inherits the parent's pool: the pids are this process's.
    key = (os.getpid(), alias, str(connection.settings_dict.get("NAME")))
    with _LOCK:
        pool = _POOL.setdefault(key, [])
        if not pool:
            meta = Process._meta
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                    [meta.db_table, meta.pk.column, BLOCK],
                )
                pool.extend(sorted((row[0] for row in cursor.fetchall()), reverse=True))
        return pool.pop()


def pids_forget() -> None:
    """Drop the reserved blocks (a test that recreates its database or resets sequences)."""
    with _LOCK:
        _POOL.clear()
