"""start_service: siblings, the program's own started event, operator params, a failing operand."""

import pytest

from kernel.models import Process
from tests.kernel.helpers import complete, live, operator, publish, rule, start, states, tiny_spec

pytestmark = pytest.mark.django_db


def test_program_started_makes_a_child_then_siblings_follow():
    publish(
        tiny_spec(
            "t_ss",
            programs={
                "job": [
                    rule("job", "started", "start_service", "a"),
                    rule("a", "completed", "start_service", "b", params={"operator": "same"}),
                    rule("b", "completed", "start_service", "c", params={"operator": "boss"}),
                ]
            },
            tasks=["a", "b", "c"],
        )
    )
    job = start("t_ss", "job")
    a = live(job, "a")
    assert (a.parent_id, a.previous_id, a.program_id) == (job.pk, None, job.pk)
    complete(a)
    b = live(job, "b")
    assert (b.parent_id, b.previous_id, b.operator_id) == (
        job.pk,
        a.pk,
        operator("t_ss", "wanda").pk,
    )
    complete(b)
    c = live(job, "c")
    assert (c.assigned_role, c.operator_id) == ("boss", None)
    complete(c, who="bea")  # the boss role may do it now
    assert states(job, "c") == ["TERMINATED"]


def test_unknown_operand_fails_the_program_and_fires_failed():
    publish(
        tiny_spec(
            "t_ss2",
            programs={
                "job": [
                    rule("job", "started", "start_service", "a"),
                    rule("a", "completed", "start_service", "missing"),
                    rule("job", "failed", "start_service", "b"),
                ]
            },
            tasks=["a", "b"],
        )
    )
    job = start("t_ss2", "job")
    complete(live(job, "a"))
    job.refresh_from_db()
    assert job.state == "ERROR"
    assert states(job, "b") == ["READY"]  # the failed rule ran
    assert Process.objects.filter(service__name="missing").count() == 0
