"""calling_return: returns reach the caller, the sub-program ends with its open members, top level ends."""

import pytest

from kernel import services
from kernel.engine import snapshots
from kernel.engine.run import Run
from kernel.models import ContextSnapshot
from tests.kernel.helpers import live, operator, publish, rule, start, states, tiny_spec

pytestmark = pytest.mark.django_db


def test_subprogram_returns_and_cancels_its_open_members():
    publish(
        tiny_spec(
            "t_cr",
            programs={
                "job": [
                    rule("job", "started", "call_sub_service", "sub"),
                    rule("sub", "completed", "start_service", "b"),
                ],
                "sub": [
                    rule("sub", "started", "start_service", "c"),
                    rule("sub", "started", "start_service", "d"),
                    rule("c", "completed", "calling_return"),
                ],
            },
            tasks=["b", "c", "d"],
        )
    )
    job = start("t_cr", "job")
    assert job.state == "WAITING"
    sub = live(job, "sub")
    snapshots.context_set(Run().lock(sub), {"x": 1})
    services.task_complete(process=live(job, "c"), operator=operator("t_cr", "wanda"))
    job.refresh_from_db()
    assert job.state == "RUNNING"
    assert states(job, "sub") == ["TERMINATED"] and states(job, "d") == ["TERMINATED"]
    assert states(job, "b") == ["READY"]  # sub completed -> the caller's program goes on
    assert ContextSnapshot.objects.filter(process=sub).count() == 1


def test_top_level_return_terminates_the_program():
    publish(
        tiny_spec(
            "t_cr2",
            programs={
                "job": [
                    rule("job", "started", "start_service", "a"),
                    rule("a", "completed", "calling_return"),
                ],
            },
            tasks=["a"],
        )
    )
    job = start("t_cr2", "job")
    services.task_complete(process=live(job, "a"), operator=operator("t_cr2", "wanda"))
    job.refresh_from_db()
    assert job.state == "TERMINATED"
