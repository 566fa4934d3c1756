"""Rule evaluation: which rules an event of a process triggers, in which program, and running them."""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import transaction
from django.utils.module_loading import import_string

from kernel.engine.run import Run
from kernel.fsm import Action, State, can
from kernel.models import Decision, Process, RuleDef

log = logging.getLogger(__name__)


def programs_of(run: Run, process: Process, event: str) -> list[Process]:
    """The program processes whose rules may speak about ``process``'s ``event``.

    A program's own rules (``service`` = the program, e.g. its ``started``), then the rules of
    the program that contains the process. The containing program row is locked only when the
    revision has a rule for this service and event at all.
    """
    compiled = run.compiled(process)
    name = process.service.name
    found = []
    if process.service.is_program and compiled.rules_for(name, name, event):
        found.append(process)
    if process.program_id is not None:
        program = run.processes.get(process.program_id)
        if program is None:
            if (name, event) not in compiled.listened:
                return found
            program = run.get(process.program_id)
        if program is not process and compiled.rules_for(program.service.name, name, event):
            found.append(program)
    return found


def fire(run: Run, process: Process, event: str, occurrence: str) -> int:
    """Run the rules ``event`` of ``process`` triggers; return how many rules ran or were queued.

    Precondition: inside the run's transaction, ``process`` locked by the run. Deterministic
    rules run in ``order``; the ``decision`` rules sharing this service and event become one
    decision task (answered now if a registered decider answers).
    """
    if process.service is None:
        return 0
    compiled = run.compiled(process)
    count = 0
    for program in programs_of(run, process, event):
        rules = compiled.rules_for(program.service.name, process.service.name, event)
        if not _expression_holds(run, process, event):
            continue
        decisions = [r for r in rules if r.mode == "decision"]
        for rule in rules:
            if rule.mode != "decision":
                execute(
                    run,
                    rule=rule,
                    process=process,
                    program=program,
                    event=event,
                    occurrence=occurrence,
                )
                count += 1
        if decisions:
            decision_open(
                run,
                rules=decisions,
                process=process,
                program=program,
                event=event,
                occurrence=occurrence,
            )
            count += 1
    return count


def _expression_holds(run: Run, process: Process, event: str) -> bool:
    compiled = run.compiled(process)
    expression = compiled.expressions.get(event)
    if expression is None:
        return True
    from kernel.engine.namespace import namespace

    try:
        return bool(expression.evaluate(namespace(run, process, expression.root_names)))
    except Exception as exc:  # an analyst's expression must never crash the engine
        log.warning("event %s expression failed for process %s: %s", event, process.pk, exc)
        return False


def fire_expression_events(run: Run, process: Process) -> int:
    """Fire each spec-defined expression event some rule listens to, at most once per process."""
    if process.service is None:
        return 0
    compiled = run.compiled(process)
    if process.service.name not in compiled.watched_services:
        return 0
    names: list[str] = []
    if process.service.is_program:
        names += compiled.expression_events(process.service.name, process.service.name)
    if process.program_id is not None:
        program = run.get(process.program_id)
        names += compiled.expression_events(program.service.name, process.service.name)
    fired = 0
    for event in dict.fromkeys(names):
        if not _expression_holds(run, process, event):
            continue
        from kernel.effects import effect_once

        if effect_once(key=f"event:{event}:proc:{process.pk}"):
            fired += fire(run, process, event, f"{event}:{process.seq}")
    return fired


def failure_target(run: Run, process: Process, program: Process) -> Process | None:
    """The process a failing instruction puts in ERROR: the subject, else its program."""
    for candidate in (process, program):
        if candidate is not None and can(candidate.state, Action.FAIL):
            return candidate
    return None


def execute(
    run: Run, *, rule: RuleDef, process: Process, program: Process, event: str, occurrence: str
) -> None:
    """Check and perform one rule's instruction (or queue it when asynchronous).

    The rule's effects run in a savepoint; when they fail nothing of them stays, and the
    affected process goes to ERROR as an incident (``kernel.engine.incidents``).
    """
    from kernel.engine.incidents import attempt, incident_open
    from kernel.syscalls import SyscallContext, syscall_get

    run.step()
    call = SyscallContext(
        run=run, rule=rule, process=process, program=program, event=event, occurrence=occurrence
    )

    def effects() -> None:
        syscall = syscall_get(rule.instruction)
        syscall.check(call)
        if syscall.asynchronous and not run.inline_async:
            _enqueue(call)
            return
        syscall.perform(call)

    failure = attempt(run, effects)
    if failure is not None:
        incident_open(run, call, failure)


def _enqueue(call) -> None:
    """Queue an asynchronous instruction after commit, keyed for exactly-once execution.

    The outbox row (same transaction) lets the periodic sweep re-send a message lost between
    commit and broker; ``syscall_run`` deletes it when it performs the instruction.
    """
    from kernel.effects import effect_key
    from kernel.models import PendingInstruction
    from kernel.tasks import syscall_run

    kwargs = {
        "rule_id": call.rule.pk,
        "pid": call.process.pk,
        "program_pid": call.program.pk,
        "event": call.event,
        "occurrence": call.occurrence,
    }
    key = effect_key(rule_id=call.rule.pk, pid=call.process.pk, occurrence=call.occurrence)
    PendingInstruction.objects.get_or_create(key=key, defaults={"kwargs": kwargs})
    transaction.on_commit(lambda: syscall_run.delay(**kwargs))


def decision_open(
    run: Run,
    *,
    rules: list[RuleDef],
    process: Process,
    program: Process,
    event: str,
    occurrence: str,
) -> Decision:
    """Create the one decision task for these rules; a registered decider may answer it at once."""
    roles: list[str] = []
    for rule in rules:
        for role in (rule.params or {}).get("decided_by", []) or []:
            if role not in roles:
                roles.append(role)
    decision, created = Decision.objects.get_or_create(
        process=process,
        event=event,
        occurrence=occurrence,
        defaults={"tenant_id": process.tenant_id, "program": program, "decided_by": roles},
    )
    if created:
        decision.candidates.set(rules)
        decider_path = settings.ERPSYS.get("DECIDER") or ""
        if decider_path:
            chosen = import_string(decider_path)(decision)
            if chosen is not None:
                decision_apply(run, decision=decision, rule=chosen, operator=None)
    return decision


def decision_apply(run: Run, *, decision: Decision, rule: RuleDef, operator) -> None:
    """Mark the decision answered and run the chosen rule with its original subject and program."""
    from django.utils import timezone

    decision.state = "ANSWERED"
    decision.chosen = rule
    decision.answered_by = operator
    decision.answered_time = timezone.now()
    decision.save(update_fields=["state", "chosen", "answered_by", "answered_time"])
    process = run.get(decision.process_id)
    program = run.get(decision.program_id)
    compiled = run.compiled(process)
    execute(
        run,
        rule=compiled.rules_by_id.get(rule.pk, rule),
        process=process,
        program=program,
        event=decision.event,
        occurrence=decision.occurrence,
    )


def is_final(process: Process) -> bool:
    """True for TERMINATED."""
    return process.state == State.TERMINATED
