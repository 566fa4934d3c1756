"""Incidents: a failing rule leaves its process in ERROR with the reason; the work that fired it commits.

A rule's effects run in a savepoint (``attempt``). When they fail, the savepoint rolls back, so
nothing of the rule is half-applied, and ``incident_open`` puts the affected process in ERROR
and records an ``Incident``. The operator's completion (or whatever fired the rule) still
commits. An incident is resolved by ``rule_retry`` (run the rule again, as the tenant's
newest revision defines it) or ``rule_skip`` (carry on as if the rule had not fired).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from operator import attrgetter

from django.db import DatabaseError, OperationalError, router, transaction
from django.utils import timezone

from kernel.engine.compiled import CompiledRevision
from kernel.engine.run import MUTABLE_FIELDS, Run
from kernel.errors import KernelError, KernelErrorCode
from kernel.fsm import Action, State
from kernel.models import Incident, IncidentState, Operator, Process, RuleDef

log = logging.getLogger(__name__)


def attempt(run: Run, effects: Callable[[], object]) -> Exception | None:
    """Run ``effects`` as one unit; on failure undo them and return the exception.

    The savepoint that undoes them is taken just before their first statement
    (``savepoint_on_statement``): effects that only change the run's rows in memory, as
    deferred writes do, cost no SAVEPOINT/RELEASE. Transient database errors (lock timeouts,
    serialization failures) and a runaway program are not a rule's failure: they propagate and
    end the whole transaction.
    """
    mark = _snapshot(run)
    try:
        with savepoint_on_statement():
            effects()
    except OperationalError:
        raise
    except KernelError as exc:
        if exc.code == KernelErrorCode.RUNAWAY:
            raise
        _restore(run, mark)
        return exc
    except Exception as exc:  # an analyst's rule must never undo the work that fired it
        log.exception("rule effects raised")
        _restore(run, mark)
        return exc
    return None


class _Savepoints:
    """The open ``savepoint_on_statement`` blocks of one connection, outermost first."""

    def __init__(self, connection) -> None:
        self.connection = connection
        self.ids: list[str | None] = []  # None: no statement ran in that block yet
        self.taking = False

    def __call__(self, execute, sql, params, many, context):
        if not self.taking and None in self.ids:
            self.taking = True  # the SAVEPOINT statements themselves pass straight through
            try:
                for index, sid in enumerate(self.ids):
                    if sid is None:
                        self.ids[index] = self.connection.savepoint()
            finally:
                self.taking = False
        return execute(sql, params, many, context)


@contextmanager
def savepoint_on_statement() -> Iterator[None]:
    """Like ``transaction.atomic()`` inside a transaction, with the savepoint taken lazily.

    The savepoint is created right before the block's first statement; a block that sends none
    has nothing to undo in the database and sends no SAVEPOINT. On an exception the savepoint
    (if any) is rolled back and the exception propagates; on success it is left to the
    transaction's end (no RELEASE).
    """
    connection = transaction.get_connection(router.db_for_write(Process))
    if not connection.in_atomic_block:
        raise transaction.TransactionManagementError("savepoint_on_statement needs a transaction")
    stack = getattr(connection, "_erpsys_savepoints", None)  # connections are per thread
    outermost = stack is None
    if outermost:
        stack = connection._erpsys_savepoints = _Savepoints(connection)
        wrapper = connection.execute_wrapper(stack)
        wrapper.__enter__()
    stack.ids.append(None)
    try:
        yield
    except BaseException:
        sid = stack.ids.pop()
        if sid is not None:
            try:
                connection.needs_rollback = False
                connection.savepoint_rollback(sid)
                connection.savepoint_commit(sid)
            except DatabaseError:
                connection.needs_rollback = True  # the outer block can only roll back
        raise
    else:
        # No RELEASE: a savepoint ends with its transaction, and the round trip to release it
        # early is a tenth of an operator's action on PostgreSQL. Its name is never used again.
        stack.ids.pop()
    finally:
        if outermost:
            del connection._erpsys_savepoints
            wrapper.__exit__(None, None, None)


_Mark = tuple[int, dict[int, tuple], dict[int, set[str]], dict[int, Process]]


def _snapshot(run: Run) -> _Mark:
    """What the run knew before a savepoint: how many rows, their columns, the unwritten ones
    (changed columns, processes not inserted yet).

    With deferred writes (``batched_run``) the run's rows hold changes the database has not seen
    yet, so the columns are taken from memory, not re-read after a rollback.
    """
    columns = {pk: _mutable(process) for pk, process in run.processes.items()}
    dirty = {pk: set(fields) for pk, fields in run.dirty.items()}
    return len(run.processes), columns, dirty, dict(run.inserts)


# A process's MUTABLE_FIELDS as a tuple, in that order (taken before every rule's effects).
_mutable = attrgetter(*MUTABLE_FIELDS)


def _restore(run: Run, mark: _Mark) -> None:
    """After a savepoint rollback: drop rows the run met inside it, put back the ones it knew.

    The run's map keeps insertion order and never loses entries, so everything from the mark on
    was inserted or locked inside the savepoint (those locks ended with it). The rows locked
    before it are still locked; their columns and pending writes go back to the snapshot.
    """
    count, columns, dirty, inserts = mark
    for pid in list(run.processes)[count:]:
        del run.processes[pid]
    for pk, values in columns.items():
        process = run.processes[pk]
        for name, value in zip(MUTABLE_FIELDS, values, strict=True):
            setattr(process, name, value)
    run.dirty = dirty
    run.inserts = inserts


def _describe(failure: Exception) -> tuple[str, str]:
    """The incident's code and reason: a kernel code, else ``rule_failed`` with the error's text."""
    if isinstance(failure, KernelError):
        return str(failure.code), failure.message
    return str(KernelErrorCode.RULE_FAILED), f"{type(failure).__name__}: {failure}"


def program_roles(compiled: CompiledRevision, program: str) -> list[str]:
    """The roles of a program: its own and those of every service its rules name."""
    names = {program}
    for program_name, service, _event in compiled.rules:
        if program_name == program:
            names.add(service)
            names.update(rule.operand for rule in compiled.rules[(program_name, service, _event)])
    roles: list[str] = []
    for name in sorted(n for n in names if n):
        service = compiled.services.get(name)
        for role in (service.roles if service is not None else None) or []:
            if role not in roles:
                roles.append(role)
    return roles


def incident_open(run: Run, call, failure: Exception) -> Incident:
    """Put the rule's subject (else its program) in ERROR and record why; fires ``failed``."""
    from kernel.engine.rules import failure_target
    from kernel.engine.transitions import change

    code, reason = _describe(failure)
    log.warning("rule %s failed on process %s: %s", call.rule, call.process.pk, reason)
    target = failure_target(run, call.process, call.program)
    affected = target or call.process
    roles = program_roles(call.compiled, call.program.service.name)
    if affected.assigned_role and affected.assigned_role not in roles:
        roles.append(affected.assigned_role)
    incident = Incident.objects.create(
        tenant_id=affected.tenant_id,
        process=affected,
        subject=call.process,
        program=call.program,
        rule=call.rule,
        event=call.event,
        occurrence=call.occurrence,
        code=code,
        reason=reason,
        failed_from=affected.state,
        roles=roles,
    )
    if target is not None:
        change(run, target, Action.FAIL)
    return incident


def incident_permitted(*, incident: Incident, operator: Operator) -> None:
    """Raise unless ``operator`` (same tenant) holds one of the incident's roles (none: anyone)."""
    from kernel.services import operator_roles

    if operator.tenant_id != incident.tenant_id:
        raise KernelError(KernelErrorCode.TENANT_MISMATCH, "the operator belongs to another tenant")
    if incident.roles and not set(incident.roles) & operator_roles(operator):
        raise KernelError(
            KernelErrorCode.NOT_PERMITTED, f"operator {operator.name} may not resolve this incident"
        )


def _locked_open(incident: Incident, operator: Operator) -> Incident:
    incident = Incident.objects.select_for_update().get(pk=incident.pk)
    incident_permitted(incident=incident, operator=operator)
    if incident.state != IncidentState.OPEN:
        raise KernelError(
            KernelErrorCode.INCIDENT_CLOSED,
            f"incident {incident.pk} is already {incident.get_state_display()}",
        )
    return incident


def reopen(run: Run, process: Process, failed_from: str) -> None:
    """Take ``process`` out of ERROR back to where it failed from (RUNNING and WAITING included)."""
    from kernel.engine.transitions import change, start

    process = run.lock(process)
    if process.state != State.ERROR:
        return  # a ``failed`` rule (retry_process) or a person moved it on already
    if failed_from == State.WAITING:
        change(run, process, Action.RETRY, Action.WAIT)
        return
    change(run, process, Action.RETRY)
    if (
        failed_from == State.RUNNING
        or process.service.is_program
        or process.service.kind == "system"
    ):
        start(run, process)


def rule_current(incident: Incident) -> RuleDef:
    """The failed rule as the tenant's newest revision has it (same program, service, event, order).

    A fix published since the failure is what a retry runs; when the newest revision no longer
    has that rule, the original one runs again.
    """
    from kernel.revisions import revision_latest

    rule = incident.rule
    latest = revision_latest(tenant=incident.tenant)
    if latest.pk == rule.revision_id:
        return rule
    newer = RuleDef.objects.filter(
        revision=latest,
        program=rule.program,
        service=rule.service,
        event=rule.event,
        order=rule.order,
    ).first()
    return newer or rule


def _resolved(incident: Incident, state: IncidentState, operator: Operator) -> Incident:
    incident.state = state
    incident.resolved_by = operator
    incident.resolved_time = timezone.now()
    incident.save(update_fields=["state", "resolved_by", "resolved_time"])
    return incident


def rule_retry(*, incident: Incident, operator: Operator) -> Incident:
    """Run the failed rule again; OPEN with ``attempts + 1`` and the new reason if it fails again.

    Precondition: inside a transaction. The process goes back to where it failed from and the
    rule runs (asynchronous instructions inline), both in one savepoint: a second failure
    leaves the process in ERROR and changes nothing else.
    """
    from kernel.syscalls import SyscallContext, syscall_get

    incident = _locked_open(incident, operator)
    run = Run(inline_async=True)
    call = SyscallContext(
        run=run,
        rule=rule_current(incident),
        process=run.get(incident.subject_id),
        program=run.get(incident.program_id),
        event=incident.event,
        occurrence=incident.occurrence,
    )

    def effects() -> None:
        reopen(run, run.get(incident.process_id), incident.failed_from)
        syscall = syscall_get(call.rule.instruction)
        syscall.check(call)
        syscall.perform(call)

    failure = attempt(run, effects)
    if failure is None:
        return _resolved(incident, IncidentState.RETRIED, operator)
    incident.attempts += 1
    incident.code, incident.reason = _describe(failure)
    incident.save(update_fields=["attempts", "code", "reason"])
    return incident


def rule_skip(*, incident: Incident, operator: Operator) -> Incident:
    """Mark the incident handled and carry on as if the rule had not fired (the process leaves ERROR)."""
    incident = _locked_open(incident, operator)
    run = Run()
    reopen(run, run.get(incident.process_id), incident.failed_from)
    return _resolved(incident, IncidentState.SKIPPED, operator)
