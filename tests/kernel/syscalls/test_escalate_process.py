"""escalate_process: raise priority and hand the task to a role or an operator; bad target fails."""

import pytest

from design.specs.model import EventSpec, TimerSpec
from kernel.engine import fire_event
from tests.kernel.helpers import live, operator, publish, rule, start, tiny_spec

pytestmark = pytest.mark.django_db

LATE = EventSpec(name="late", label="Late", timer=TimerSpec(after="PT1H", of="started"))


def test_to_role_and_to_operator():
    publish(
        tiny_spec(
            "t_es",
            programs={
                "job": [
                    rule("job", "started", "start_service", "a"),
                    rule("job", "started", "start_service", "b"),
                    rule("a", "late", "escalate_process", params={"to": "boss", "priority": 5}),
                    rule("b", "late", "escalate_process", params={"to": "bea"}),
                ]
            },
            tasks=["a", "b"],
            events=[LATE],
        )
    )
    job = start("t_es", "job")
    a, b = live(job, "a"), live(job, "b")
    assert fire_event(process=a, event="late", occurrence="t1") == 1
    assert fire_event(process=b, event="late", occurrence="t1") == 1
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.priority, a.assigned_role, a.operator_id, a.state) == (5, "boss", None, "READY")
    assert (b.priority, b.operator_id) == (1, operator("t_es", "bea").pk)


def test_unknown_target_fails_the_task():
    publish(
        tiny_spec(
            "t_es2",
            programs={
                "job": [
                    rule("job", "started", "start_service", "a"),
                    rule("a", "late", "escalate_process", params={"to": "nobody"}),
                ]
            },
            tasks=["a"],
            events=[LATE],
        )
    )
    job = start("t_es2", "job")
    a = live(job, "a")
    fire_event(process=a, event="late", occurrence="t1")
    a.refresh_from_db()
    assert a.state == "ERROR"
