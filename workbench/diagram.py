"""A program drawn as a Mermaid flowchart, with the process's live position highlighted."""

from __future__ import annotations

import re

from kernel.models import EventDef, Process, RuleDef, ServiceDef
from kernel.selectors import CHOICE_VERBS, event_labels

# Process state -> the node's class in the diagram.
STATE_CLASS = {
    "NEW": "live",
    "READY": "live",
    "RUNNING": "live",
    "WAITING": "waiting",
    "SUSPENDED": "waiting",
    "ERROR": "error",
    "TERMINATED": "done",
}
CLASS_DEFS = (
    "classDef live fill:#fff3cd,stroke:#d97706,stroke-width:3px",
    "classDef waiting fill:#ffe5d0,stroke:#fd7e14,stroke-width:2px,stroke-dasharray:4 2",
    "classDef done fill:#d1e7dd,stroke:#198754",
    "classDef error fill:#f8d7da,stroke:#dc3545,stroke-width:3px",
    "classDef current stroke:#0d6efd,stroke-width:5px",
)


def _text(label: str) -> str:
    """A label safe inside Mermaid quotes."""
    return re.sub(r"[\"<>`]", "'", label).replace("\n", " ")


def _node(name: str) -> str:
    return "n_" + re.sub(r"\W", "_", name)


def program_of(process: Process) -> Process:
    """The program whose rules place ``process``: itself when it is a program, else its program."""
    if process.service_id and process.service.is_program:
        return process
    return process.program if process.program_id else process


# How each instruction's edge is drawn: (arrow, mark before the label, class of the target node).
EDGE_STYLE = {
    "start_service": ("-->", "", ""),
    "call_sub_service": ("==>", "", "subprogram"),
    "calling_return": ("-->", "", "returns"),
    "start_iteration_service": ("-->", "\u21bb ", "iterates"),  # ↻
    "start_parallel_service": ("-->", "\u2225 ", "fans_out"),  # ∥
    "retry_process": ("--x", "", "failpath"),
    "terminate_process": ("--x", "", "failpath"),
    "escalate_process": ("--x", "", "failpath"),
    "rollback_process": ("--x", "", "failpath"),
}
SHAPE_CLASS_DEFS = (
    "classDef subprogram stroke:#6f42c1,stroke-width:2px",
    "classDef iterates stroke:#0d6efd,stroke-width:2px,stroke-dasharray:6 3",
    "classDef fans_out stroke:#20c997,stroke-width:3px",
    "classDef failpath fill:#f8d7da,stroke:#dc3545",
    "classDef returns fill:#e9ecef,stroke:#6c757d",
)
EXCEPTION_EVENTS = ("failed",)


def flowchart(
    *,
    program: str,
    rules: list,
    labels: dict[str, str],
    events: dict[str, str],
    timers: frozenset[str] | set[str] = frozenset(),
    verbs: dict[str, str] | None = None,
) -> tuple[list[str], list[str], dict[str, int]]:
    """Mermaid lines of one program's rules, the names drawn, and node id -> index of its first rule.

    ``rules`` need ``service, event, instruction, operand, mode``. Sub-program calls (thick arrow,
    subroutine box), iterations (↻), parallel starts (∥), decisions (dotted arrow, "?"), timers
    (◷) and exception paths (crossed arrow, red end; the ``failed`` event) are drawn distinctly.
    """
    verbs = verbs if verbs is not None else {k: str(v) for k, v in CHOICE_VERBS.items()}
    lines = ["flowchart TD"]
    names = [program]
    for rule in rules:
        for name in (rule.service, rule.operand):
            if name and name in labels and name not in names:
                names.append(name)
    target_class = {}
    first_rule: dict[str, int] = {}
    for index, rule in enumerate(rules):
        if rule.operand and rule.operand in labels:
            target_class.setdefault(rule.operand, EDGE_STYLE.get(rule.instruction, ("", "", ""))[2])
            first_rule.setdefault(_node(rule.operand), index)
        first_rule.setdefault(_node(rule.service), index)
    for name in names:
        text = _text(labels.get(name, name))
        if name == program:
            shape = f'(["{text}"])'
        elif target_class.get(name) == "subprogram":
            shape = f'[["{text}"]]'
        else:
            shape = f'["{text}"]'
        lines.append(f"  {_node(name)}{shape}")
    ends: set[str] = set()
    classed: dict[str, str] = {}
    for index, rule in enumerate(rules):
        arrow, mark, css = EDGE_STYLE.get(rule.instruction, ("-->", "", ""))
        if rule.event in EXCEPTION_EVENTS:
            arrow, css = "--x", "failpath"
        if rule.event in timers:
            mark = "\u25f7 " + mark  # ◷
        if rule.mode == "decision":
            arrow, mark = "-.->", "? " + mark
        event = _text(events.get(rule.event, rule.event))
        verb = _text(str(verbs.get(rule.instruction, rule.instruction)))
        source = _node(rule.service)
        if rule.operand and rule.operand in labels:
            target = _node(rule.operand)
        else:
            target = f"end_{rule.instruction}"
            if target not in ends:
                ends.add(target)
                lines.append(f'  {target}(("{verb}"))')
                first_rule.setdefault(target, index)
            css = css or "returns"
        if css and target not in classed:
            classed[target] = css
        lines.append(f'  {source} {arrow}|"{mark}{event}: {verb}"| {target}')
    lines.extend(f"  {line}" for line in SHAPE_CLASS_DEFS)
    for target, css in classed.items():
        lines.append(f"  class {target} {css}")
    return lines, names, first_rule


def program_diagram(process: Process) -> str:
    """Mermaid text of ``process``'s program; nodes coloured by the state of their latest process."""
    program = program_of(process)
    if program.service_id is None:
        return ""
    revision_id = program.revision_id or program.service.revision_id
    rules = list(
        RuleDef.objects.filter(revision_id=revision_id, program=program.service.name).order_by(
            "order", "pk"
        )
    )
    labels = dict(ServiceDef.objects.filter(revision_id=revision_id).values_list("name", "label"))
    events = event_labels(revision_id=revision_id)
    timers = set(
        EventDef.objects.filter(revision_id=revision_id, timer__isnull=False).values_list(
            "name", flat=True
        )
    )
    latest: dict[str, Process] = {}
    members = Process.objects.filter(program_id=program.pk).select_related("service")
    for member in members.order_by("pid"):
        if member.service_id:
            latest[member.service.name] = member
    latest[program.service.name] = program
    lines, names, _ = flowchart(
        program=program.service.name, rules=rules, labels=labels, events=events, timers=timers
    )
    lines.extend(f"  {line}" for line in CLASS_DEFS)
    for name, member in latest.items():
        if name in names:
            lines.append(f"  class {_node(name)} {STATE_CLASS.get(member.state, 'live')}")
    if process.service_id and process.service.name in names:
        lines.append(f"  class {_node(process.service.name)} current")
    return "\n".join(lines)
