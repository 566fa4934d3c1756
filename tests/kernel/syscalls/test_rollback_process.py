"""rollback_process: cancel the current step, reopen the previous one with its earlier context."""

import pytest

from design.specs.model import EventSpec, TimerSpec
from kernel.engine import fire_event, snapshots
from kernel.engine.run import Run
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


def test_without_previous_fails():
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
    fire_event(process=a, event="undo", occurrence="u1")
    a.refresh_from_db()
    assert a.state == "ERROR"
