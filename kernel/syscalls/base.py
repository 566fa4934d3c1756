"""The instruction base class and the context one rule execution gets (modelled on Django operations)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from kernel.engine.compiled import CompiledRevision
from kernel.engine.run import Run
from kernel.errors import KernelError, KernelErrorCode
from kernel.models import Process, RuleDef, ServiceDef


@dataclass
class SyscallContext:
    """One rule firing: the rule, the process the event is about, and the program the rule belongs to."""

    run: Run
    rule: RuleDef
    process: Process
    program: Process
    event: str
    occurrence: str

    @property
    def params(self) -> dict[str, Any]:
        return self.rule.params or {}

    @property
    def compiled(self) -> CompiledRevision:
        return self.run.compiled(self.program)

    def operand(self) -> ServiceDef:
        """The published operand service; a coded error when the rule names none or an unknown one."""
        name = self.rule.operand
        service = self.compiled.services.get(name or "")
        if service is None:
            raise KernelError(
                KernelErrorCode.UNKNOWN_SERVICE,
                f"{self.rule.instruction}: unknown operand {name!r}",
            )
        return service

    def spawn(self, service: ServiceDef, **kwargs: Any) -> Process:
        """Start ``service`` in this program, serving the same entity as the event's process."""
        from kernel.engine.spawn import spawn

        subject = self.process
        kwargs.setdefault("program", self.program)
        kwargs.setdefault("entity_type_id", subject.entity_type_id)
        kwargs.setdefault("entity_id", subject.entity_id)
        kwargs.setdefault("scheduled_time", subject.scheduled_time)
        return spawn(
            self.run,
            compiled=self.compiled,
            service=service,
            tenant_id=subject.tenant_id,
            **kwargs,
        )

    def sibling_parent(self) -> Process | None:
        """Where a sibling goes: the program's own event starts a child of it, else the subject's parent."""
        if self.process is self.program:
            return self.program
        if self.process.parent_id is None:
            return None
        return self.run.processes.get(self.process.parent_id) or Process(pk=self.process.parent_id)


@dataclass
class SyscallResult:
    """What an instruction did: processes it started or changed, and a one-line note."""

    started: list[Process] = field(default_factory=list)
    changed: list[Process] = field(default_factory=list)
    note: str = ""


class Syscall:
    """One instruction: ``check`` validates without writing, ``perform`` does it."""

    name: str = ""
    # True: perform runs in a Celery task after commit, keyed (rule, process, occurrence).
    asynchronous: bool = False

    def check(self, call: SyscallContext) -> None:
        """Raise KernelError when the instruction cannot run; never writes."""

    def perform(self, call: SyscallContext) -> SyscallResult:
        """Do the instruction inside the caller's transaction."""
        raise NotImplementedError

    def describe(self) -> str:
        """One line saying what the instruction does."""
        return (self.__doc__ or self.name).strip().splitlines()[0]
