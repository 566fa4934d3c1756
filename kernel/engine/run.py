"""Run: the state of one engine entry (a service call, a task, a timer tick) inside one transaction."""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager

from kernel.engine.compiled import CompiledRevision, compiled_revision
from kernel.errors import KernelError, KernelErrorCode
from kernel.models import Process

# Columns a transition may change; re-read under the row lock so no decision uses stale state.
MUTABLE_FIELDS = (
    "state",
    "seq",
    "operator_id",
    "priority",
    "assigned_role",
    "context",
    "context_version",
    "suspended_from",
    "retry_count",
    "scheduled_time",
    "start_time",
    "end_time",
    "record_type_id",
    "record_id",
)

_ENGINE_SAVING: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "erpsys_engine_saving", default=False
)


@contextmanager
def engine_saving() -> Iterator[None]:
    """Mark record saves done by the engine itself, so the record post_save hook stays out."""
    token = _ENGINE_SAVING.set(True)
    try:
        yield
    finally:
        _ENGINE_SAVING.reset(token)


def is_engine_saving() -> bool:
    """True while the engine itself is saving a record."""
    return _ENGINE_SAVING.get()


class Run:
    """An identity map of the processes this transaction has locked, plus a runaway-rule guard.

    Precondition: used inside one ``transaction.atomic`` block; every process it hands out is
    locked (``select_for_update`` on PostgreSQL) or was inserted by this run.
    """

    MAX_STEPS = 5000

    def __init__(self, *, inline_async: bool = False) -> None:
        self.processes: dict[int, Process] = {}
        self.steps = 0
        # True inside the Celery task that performs a queued instruction: run it, do not requeue.
        self.inline_async = inline_async

    def compiled(self, process: Process) -> CompiledRevision:
        """The compiled revision the process runs under."""
        return compiled_revision(process.revision_id)

    def attach(self, process: Process) -> Process:
        """Point the process's service/revision at the cached rows (no query)."""
        if process.revision_id is not None:
            compiled = compiled_revision(process.revision_id)
            if process.service_id is not None:
                process.service = compiled.services_by_id[process.service_id]
            process.revision = compiled.revision
        return process

    def adopt(self, process: Process) -> Process:
        """Register a process this run inserted (it is ours: nobody else can see it yet)."""
        self.processes[process.pk] = process
        return process

    def lock(self, process: Process) -> Process:
        """Lock ``process``'s row and refresh its mutable columns; return the run's instance."""
        known = self.processes.get(process.pk)
        if known is not None:
            return known
        row = (
            Process.objects.select_for_update()
            .filter(pk=process.pk)
            .values(*MUTABLE_FIELDS, "service_id", "revision_id")
            .first()
        )
        if row is None:
            raise KernelError(KernelErrorCode.NOT_FOUND, f"process {process.pk} does not exist")
        for name, value in row.items():
            setattr(process, name, value)
        self.attach(process)
        self.processes[process.pk] = process
        return process

    def get(self, pid: int | None) -> Process | None:
        """The locked process with this pid (from the map, else one locking query)."""
        if pid is None:
            return None
        known = self.processes.get(pid)
        if known is not None:
            return known
        process = Process.objects.select_for_update().filter(pk=pid).first()
        if process is None:
            raise KernelError(KernelErrorCode.NOT_FOUND, f"process {pid} does not exist")
        self.attach(process)
        self.processes[pid] = process
        return process

    def step(self) -> None:
        """Count one rule execution; a program that loops without end fails instead of hanging."""
        self.steps += 1
        if self.steps > self.MAX_STEPS:
            raise KernelError(
                KernelErrorCode.RUNAWAY, "too many rule executions in one transaction"
            )
