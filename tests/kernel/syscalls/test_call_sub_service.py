"""call_sub_service: the caller waits; the callee frame starts with the caller's variables."""

import pytest

from kernel.engine import snapshots
from kernel.engine.run import Run
from kernel.models import Process
from tests.kernel.helpers import complete, live, publish, rule, start, tiny_spec

pytestmark = pytest.mark.django_db

PROGRAMS = {
    "job": [
        rule("job", "started", "start_service", "a"),
        rule("a", "completed", "call_sub_service", "sub"),
        rule("sub", "completed", "start_service", "b"),
    ],
    "sub": [rule("sub", "started", "start_service", "c"), rule("c", "completed", "calling_return")],
}


def test_completed_task_makes_the_program_the_waiting_caller():
    publish(tiny_spec("t_cs", programs=PROGRAMS, tasks=["a", "b", "c"]))
    job = start("t_cs", "job")
    snapshots.context_set(Run().lock(job), {"customer_tier": "gold"})
    complete(live(job, "a"))
    job.refresh_from_db()
    sub = live(job, "sub")
    assert job.state == "WAITING"
    assert (sub.parent_id, sub.caller_id, sub.program_id) == (job.pk, job.pk, job.pk)
    assert sub.context == {
        "customer_tier": "gold"
    }  # the child frame inherits the caller's variables
    assert live(job, "c").parent_id == sub.pk


def test_alive_subject_is_the_caller_and_waits_from_new():
    publish(
        tiny_spec(
            "t_cs2",
            programs={
                "job": [
                    rule("job", "started", "start_service", "a"),
                    rule("a", "started", "call_sub_service", "sub"),
                ],
                "sub": PROGRAMS["sub"],
            },
            tasks=["a", "c"],
        )
    )
    job = start("t_cs2", "job")
    a = Process.objects.get(service__name="a")
    assert a.state == "WAITING"
    complete(live(job, "c"))
    a.refresh_from_db()
    assert a.state == "READY"  # woken: now workable
    complete(a)
    assert Process.objects.get(pk=a.pk).state == "TERMINATED"
