"""How a program ends: it completes by itself when its last live step ends; terminate_process cancels."""

from __future__ import annotations

import pytest

from kernel.models import Process
from tests.kernel.helpers import complete, live, publish, rule, start, states, tiny_spec

pytestmark = pytest.mark.django_db

# W3's structure: a -> b; b completed -> the program calls sub (it waits); c returns; no ending rule.
JOB = [
    rule("job", "started", "start_service", "a"),
    rule("a", "completed", "start_service", "b"),
    rule("b", "completed", "call_sub_service", "sub"),
]
SUB = [rule("sub", "started", "start_service", "c"), rule("c", "completed", "calling_return")]
# The outer program starts job and, only when job's ``completed`` fires, starts z.
OUTER = [
    rule("outer", "started", "start_service", "job"),
    rule("job", "completed", "start_service", "z"),
]


def _publish(job_rules):
    publish(
        tiny_spec(
            "end_t",
            programs={"outer": OUTER, "job": job_rules, "sub": SUB},
            tasks=["a", "b", "c", "d", "z"],
        )
    )


def _job(outer: Process) -> Process:
    return live(outer, "job")


def test_program_completes_when_its_last_step_ends():
    _publish(JOB)
    outer = start("end_t", "outer")
    job = _job(outer)
    complete(live(outer, "a"))
    complete(live(outer, "b"))
    job.refresh_from_db()
    assert job.state == "WAITING"  # b completed: the rule's program is the caller that waits
    sub = live(outer, "sub")
    assert (sub.caller_id, sub.parent_id, sub.previous.service.name) == (job.pk, job.pk, "b")
    complete(live(outer, "c"))
    job.refresh_from_db()
    assert job.state == "TERMINATED"
    assert job.seq == 6  # RUNNING(2) -> WAITING -> READY -> RUNNING -> TERMINATED
    assert states(outer, "sub") == ["TERMINATED"]
    # ``completed`` fired (not a cancel): outer's rule on it started z
    assert states(outer, "z") == ["READY"]
    complete(live(outer, "z"))
    outer.refresh_from_db()
    assert outer.state == "TERMINATED"


def test_program_keeps_running_while_a_step_is_live():
    _publish(
        [rule("job", "started", "start_service", "a"), rule("job", "started", "start_service", "d")]
    )
    outer = start("end_t", "outer")
    job = _job(outer)
    complete(live(outer, "a"))
    job.refresh_from_db()
    assert job.state == "RUNNING" and states(outer, "d") == ["READY"]
    assert not states(outer, "z")
    complete(live(outer, "d"))
    job.refresh_from_db()
    assert job.state == "TERMINATED" and states(outer, "z") == ["READY"]


def test_terminate_process_still_cancels_without_completed():
    _publish(
        [
            *JOB[:2],
            rule("b", "completed", "terminate_process", params={"scope": "self"}),
            rule("a", "completed", "terminate_process", params={"scope": "tree"}),
        ]
    )
    outer = start("end_t", "outer")
    complete(live(outer, "a"))
    assert set(Process.objects.filter(root_id=outer.pk).values_list("state", flat=True)) == {
        "TERMINATED"
    }
    outer.refresh_from_db()
    assert outer.state == "TERMINATED"
    assert not states(outer, "z")  # a cancel fires no completed rules


def test_a_called_program_that_ends_by_itself_returns_to_its_caller():
    # sub has no calling_return: it completes when c ends, and wakes the waiting job
    publish(
        tiny_spec(
            "end_t",
            programs={"outer": OUTER, "job": JOB, "sub": [SUB[0]]},
            tasks=["a", "b", "c", "d", "z"],
        )
    )
    outer = start("end_t", "outer")
    complete(live(outer, "a"))
    complete(live(outer, "b"))
    complete(live(outer, "c"))
    assert states(outer, "sub") == ["TERMINATED"]
    assert states(outer, "job") == ["TERMINATED"] and states(outer, "z") == ["READY"]
