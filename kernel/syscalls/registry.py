"""The instruction registry: name -> Syscall instance, filled by each instruction module."""

from __future__ import annotations

from kernel.errors import KernelError, KernelErrorCode
from kernel.syscalls.base import Syscall

SYSCALLS: dict[str, Syscall] = {}


def register(cls: type[Syscall]) -> type[Syscall]:
    """Class decorator: register one instance of the instruction under its ``name``."""
    SYSCALLS[cls.name] = cls()
    return cls


def syscall_get(name: str) -> Syscall:
    """The registered instruction ``name``; a coded error for an unknown one."""
    try:
        return SYSCALLS[name]
    except KeyError:
        raise KernelError(
            KernelErrorCode.UNKNOWN_INSTRUCTION, f"unknown instruction {name!r}"
        ) from None
