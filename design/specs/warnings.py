"""Warnings about rules that can never do what they say; they never fail validation or publish.

- ``rollback_process`` on a service that is only ever the first step of a top-level program
  (started by that program's own event): it has no previous step, so the rule starts the step
  again instead of reopening an earlier one (docs/kernel.md).
- ``escalate_process`` on ``completed``: the process has terminated, nothing is escalated.
- ``retry_process`` on an event other than ``failed``: it only acts on a process in ERROR.
"""

from __future__ import annotations

from design.specs.errors import SpecError, SpecErrorCode
from design.specs.loader import PathKey, RawSpec, format_path
from design.specs.model import RuleSpec, Spec

# Instructions whose operand's ``previous`` is the event's process (None on the program's own event).
_SIBLING_STARTS = ("start_service", "start_parallel_service")
# Instructions whose operand's ``previous`` is set in every case.
_CHAINED_STARTS = ("call_sub_service", "start_iteration_service")


def rule_warnings(spec: Spec, raw: RawSpec | None = None) -> list[SpecError]:
    """Located warnings (code ``rule_never_works``) for the rules of a valid ``spec``."""
    programs = [s for s in spec.services if s.rules]
    called = {
        rule.operand
        for p in programs
        for rule in p.rules
        if rule.operand and rule.service != p.name
    }
    found: list[SpecError] = []
    for index, service in enumerate(spec.services):
        for position, rule in enumerate(service.rules):
            message = _problem(service.name, rule, programs, called)
            if message is None:
                continue
            path: PathKey = ("services", index, "rules", position)
            location = raw.locate(path) if raw is not None else None
            found.append(
                SpecError(location, format_path(path), message, SpecErrorCode.RULE_NEVER_WORKS)
            )
    return found


def _problem(program: str, rule: RuleSpec, programs: list, called: set[str]) -> str | None:
    if rule.instruction == "escalate_process" and rule.event == "completed":
        return (
            f"warning: escalate_process on {rule.service!r} completed never escalates anything: "
            "the process has terminated by then"
        )
    if rule.instruction == "retry_process" and rule.event != "failed":
        return (
            f"warning: retry_process on {rule.service!r} {rule.event} does nothing unless the "
            "process is in ERROR; use the failed event"
        )
    if rule.instruction == "rollback_process" and _only_first(rule.service, program, programs):
        if program in called:
            return None  # a called sub-program's first step rolls back to the calling step
        return (
            f"warning: rollback_process on {rule.service!r}: it is only ever the first step of "
            f"{program!r} (started only by rules on {program!r} itself), so it has no previous step; "
            "the rule starts it again instead of reopening an earlier step"
        )
    return None


def _only_first(service: str, program: str, programs: list) -> bool:
    """True when every rule that starts ``service`` is the program's own event (no previous)."""
    starts = [
        (p.name, rule)
        for p in programs
        for rule in p.rules
        if rule.operand == service and rule.instruction in (*_SIBLING_STARTS, *_CHAINED_STARTS)
    ]
    if not starts:
        return False  # started by hand (manual_start) or not at all: nothing to say
    return all(
        rule.instruction in _SIBLING_STARTS and rule.service == owner == program
        for owner, rule in starts
    )
