"""Semantic pass over events: an expression over the process, or a timer (after a duration, or cron)."""

from __future__ import annotations

from core.cron import parse_cron
from design.specs.errors import SpecErrorCode
from design.specs.expressions import PROCESS_NAMES, check_expression
from design.specs.model import EventSpec, TimerSpec
from design.specs.names import Checker
from design.specs.programs import Programs, check_duration


def check_events(checker: Checker, programs: Programs) -> list[EventSpec]:
    """Events: exactly one of expression / timer; timer `after` + `of`, or `cron`."""
    out: list[EventSpec] = []
    for named in programs.named["events"]:
        data, path = named.data, named.path
        event = EventSpec(name=named.name, label=named.label, expression=data.get("expression"))
        if ("expression" in data) == ("timer" in data):
            checker.error(
                path,
                "an event needs exactly one of `expression` and `timer`",
                SpecErrorCode.INVALID_VALUE,
            )
        if event.expression is not None:
            check_expression(
                checker, event.expression, (*path, "expression"), PROCESS_NAMES, "event expression"
            )
        timer = data.get("timer")
        if timer is not None:
            tpath = (*path, "timer")
            event.timer = TimerSpec(
                after=timer.get("after"), of=timer.get("of"), cron=timer.get("cron")
            )
            if ("after" in timer) == ("cron" in timer):
                checker.error(
                    tpath,
                    "a timer needs exactly one of `after` and `cron`",
                    SpecErrorCode.INVALID_VALUE,
                )
            if "after" in timer:
                check_duration(checker, timer["after"], (*tpath, "after"))
                if "of" not in timer:
                    checker.error(
                        tpath,
                        "a timer with `after` needs `of` (started or scheduled_time)",
                        SpecErrorCode.MISSING,
                    )
            if "cron" in timer:
                try:
                    parse_cron(timer["cron"])
                except ValueError as exc:
                    checker.error(
                        (*tpath, "cron"), f"invalid cron: {exc}", SpecErrorCode.INVALID_CRON
                    )
                if "of" in timer:
                    checker.error(
                        (*tpath, "of"),
                        "`of` goes with `after`, not with `cron`",
                        SpecErrorCode.INVALID_VALUE,
                        key=True,
                    )
        out.append(event)
    return out
