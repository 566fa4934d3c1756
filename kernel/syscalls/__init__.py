"""The platform's nine instructions, one module each, and their registry."""

from kernel.syscalls import (  # noqa: F401 - importing registers each instruction
    call_sub_service,
    calling_return,
    escalate_process,
    retry_process,
    rollback_process,
    start_iteration_service,
    start_parallel_service,
    start_service,
    terminate_process,
)
from kernel.syscalls.base import Syscall, SyscallContext, SyscallResult
from kernel.syscalls.registry import SYSCALLS, register, syscall_get

__all__ = ["SYSCALLS", "Syscall", "SyscallContext", "SyscallResult", "register", "syscall_get"]
