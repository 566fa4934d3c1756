"""retry_process: restart a failed process (ERROR -> READY), at most ``max_retries`` times, after ``backoff``."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from kernel.engine.transitions import change, start
from kernel.errors import KernelError, KernelErrorCode
from kernel.fsm import Action, State
from kernel.syscalls.base import Syscall, SyscallContext, SyscallResult
from kernel.syscalls.registry import register

DEFAULT_MAX_RETRIES = 3


def backoff_of(call: SyscallContext) -> timedelta:
    """The ``backoff`` param as a timedelta (zero when absent)."""
    text = call.params.get("backoff")
    if not text:
        return timedelta(0)
    from core.durations import parse_duration

    try:
        return parse_duration(str(text))
    except ValueError as exc:
        raise KernelError(
            KernelErrorCode.INVALID_PARAMS, f"retry_process: bad backoff {text!r}"
        ) from exc


@register
class RetryProcess(Syscall):
    """Restart a failed process; beyond ``max_retries`` (default 3) it stays in ERROR."""

    name = "retry_process"

    def check(self, call: SyscallContext) -> None:
        limit = call.params.get("max_retries", DEFAULT_MAX_RETRIES)
        if not isinstance(limit, int) or isinstance(limit, bool) or limit < 0:
            raise KernelError(
                KernelErrorCode.INVALID_PARAMS, "retry_process: max_retries must be >= 0"
            )
        backoff_of(call)

    def perform(self, call: SyscallContext) -> SyscallResult:
        process = call.run.lock(call.process)
        limit = call.params.get("max_retries", DEFAULT_MAX_RETRIES)
        # Exhausted (or not failed): do nothing; failing here would only fail the program instead.
        if process.state != State.ERROR or process.retry_count >= limit:
            return SyscallResult(note="not retried")
        backoff = backoff_of(call)
        change(
            call.run,
            process,
            Action.RETRY,
            retry_count=process.retry_count + 1,
            scheduled_time=timezone.now() + backoff if backoff else process.scheduled_time,
        )
        service = process.service
        if service is not None and (service.kind == "system" or service.is_program):
            start(call.run, process, countdown=backoff.total_seconds() or None)
        return SyscallResult(changed=[process], note=f"retry {process.retry_count}")
