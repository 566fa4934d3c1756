"""start_iteration_service: one child at a time with item/index, join, zero items, exactly-once task."""

import pytest

from kernel.models import FanOut, Process, RuleDef
from tests.kernel.helpers import complete, live, publish, rule, start, states, tiny_spec

pytestmark = pytest.mark.django_db


def programs(params):
    return {
        "job": [
            rule("job", "started", "start_iteration_service", "step", params=params),
            rule("step", "children_completed", "start_service", "done"),
        ]
    }


def test_runs_in_sequence_then_children_completed(django_capture_on_commit_callbacks):
    publish(
        tiny_spec("t_it", programs=programs({"over": "['x', 'y', 'z']"}), tasks=["step", "done"])
    )
    with django_capture_on_commit_callbacks(execute=True):
        job = start("t_it", "job")
    seen = []
    for _ in range(3):
        assert states(job, "done") == []
        step = live(job, "step")  # exactly one live at a time
        seen.append((step.context["item"], step.context["index"]))
        with django_capture_on_commit_callbacks(execute=True):
            complete(step)
    assert seen == [("x", 0), ("y", 1), ("z", 2)]
    assert states(job, "done") == ["READY"]
    assert FanOut.objects.get().done == 3


def test_zero_iterations_join_at_once(django_capture_on_commit_callbacks):
    publish(
        tiny_spec(
            "t_it0",
            programs={
                "job": [
                    rule(
                        "job",
                        "started",
                        "start_iteration_service",
                        "step",
                        params={"iterations": 0},
                    ),
                    rule("job", "children_completed", "start_service", "done"),
                ]
            },
            tasks=["step", "done"],
        )
    )
    with django_capture_on_commit_callbacks(execute=True):
        job = start("t_it0", "job")
    assert states(job, "step") == [] and states(job, "done") == ["READY"]


def test_redelivered_task_creates_no_second_fanout(django_capture_on_commit_callbacks):
    from kernel.tasks import syscall_run

    publish(tiny_spec("t_it2", programs=programs({"iterations": 2}), tasks=["step", "done"]))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = start("t_it2", "job")
    # one syscall queued (the other hook is the transaction's live push and kernel events)
    queued = [c for c in callbacks if getattr(c, "__qualname__", "") != "_Batch.send"]
    assert len(queued) == 1 and not Process.objects.filter(service__name="step").exists()
    rule_id = RuleDef.objects.get(instruction="start_iteration_service").pk
    args = {
        "rule_id": rule_id,
        "pid": job.pk,
        "program_pid": job.pk,
        "event": "started",
        "occurrence": "started:0",
    }
    assert syscall_run(**args) == "done"
    assert syscall_run(**args) == "duplicate"  # a redelivery
    assert FanOut.objects.count() == 1 and Process.objects.filter(service__name="step").count() == 1
