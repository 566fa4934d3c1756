"""rollback_process: cancel the current step, reopen the previous one with its earlier context."""

import pytest

from design.specs.model import EventSpec, TimerSpec
from kernel.engine import fire_event, snapshots
from kernel.engine.run import Run
from kernel.models import Incident
from tests.kernel.helpers import complete, live, publish, rule, start, states, tiny_spec

pytestmark = pytest.mark.django_db

UNDO = EventSpec(name="undo", label="Undo", timer=TimerSpec(after="P1D", of="started"))


def test_reopens_previous_with_its_snapshot():
    publish(
        tiny_spec(
            "t_rb",
            programs={
                "job": [
                    rule("job", "started", "start_service", "a"),
                    rule("a", "completed", "start_service", "b"),
                    rule("b", "undo", "rollback_process"),
                ]
            },
            tasks=["a", "b"],
            events=[UNDO],
        )
    )
    job = start("t_rb", "job")
    a = live(job, "a")
    snapshots.context_set(Run().lock(a), {"step": "a-done"})
    complete(a)
    b = live(job, "b")
    a.refresh_from_db()
    snapshots.context_set(Run().lock(a), {"step": "changed later"})  # after b started
    fire_event(process=b, event="undo", occurrence="u1")
    a.refresh_from_db()
    assert states(job, "b") == ["TERMINATED"]
    assert a.state == "READY" and a.context == {"step": "a-done"}
    complete(a)  # the reopened step can be done again
    assert states(job, "b") == ["TERMINATED", "READY"]


def test_without_previous_starts_the_step_again():
    publish(
        tiny_spec(
            "t_rb2",
            programs={
                "job": [
                    rule("job", "started", "start_service", "a"),
                    rule("a", "undo", "rollback_process"),
                ]
            },
            tasks=["a"],
            events=[UNDO],
        )
    )
    job = start("t_rb2", "job")
    a = live(job, "a")
    snapshots.context_set(Run().lock(a), {"step": "half done"})
    fire_event(process=a, event="undo", occurrence="u1")
    a.refresh_from_db()
    assert a.state == "TERMINATED"  # a first step has nothing before it: it starts again
    again = live(job, "a")
    assert again.state == "READY" and again.parent_id == job.pk
    assert again.context == {"step": "half done"}  # its variables go with it
    assert not Incident.objects.exists()


def test_a_completed_first_step_rolled_back_is_done_again():
    """The issue's case: rollback_process on a step its program's own start rule started."""
    publish(
        tiny_spec(
            "t_rb3",
            programs={
                "job": [
                    rule("job", "started", "start_service", "a"),
                    rule("a", "completed", "rollback_process"),
                ]
            },
            tasks=["a"],
        )
    )
    job = start("t_rb3", "job")
    complete(live(job, "a"))  # the operator's completion stands
    job.refresh_from_db()
    assert job.state == "RUNNING" and states(job, "a") == ["TERMINATED", "READY"]
    assert not Incident.objects.exists()


def test_first_step_of_a_called_sub_program_rolls_back_to_the_calling_step():
    publish(
        tiny_spec(
            "t_rb4",
            programs={
                "job": [
                    rule("job", "started", "start_service", "a"),
                    rule("a", "completed", "call_sub_service", "sub"),
                ],
                "sub": [
                    rule("sub", "started", "start_service", "c"),
                    rule("c", "completed", "rollback_process"),
                ],
            },
            tasks=["a", "c"],
        )
    )
    job = start("t_rb4", "job")
    a = live(job, "a")
    snapshots.context_set(Run().lock(a), {"step": "a-done"})
    complete(a)
    sub = live(job, "sub")
    complete(live(job, "c"))
    sub.refresh_from_db()
    a.refresh_from_db()
    job.refresh_from_db()
    assert sub.state == "TERMINATED" and states(job, "c") == ["TERMINATED"]
    assert a.state == "READY" and a.context == {"step": "a-done"}
    assert job.state == "WAITING"  # still the caller
    complete(a)  # calls the sub-program afresh
    assert states(job, "sub") == ["TERMINATED", "RUNNING"] and live(job, "c").state == "READY"
