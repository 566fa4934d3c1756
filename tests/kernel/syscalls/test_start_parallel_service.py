"""start_parallel_service: all children at once; the join fires once when the last one ends."""

import pytest

from kernel.models import Process
from tests.kernel.helpers import complete, operator, publish, rule, start, states, tiny_spec

pytestmark = pytest.mark.django_db


def test_threads_join_when_all_are_done(django_capture_on_commit_callbacks):
    publish(
        tiny_spec(
            "t_par",
            programs={
                "job": [
                    rule(
                        "job", "started", "start_parallel_service", "check", params={"threads": 3}
                    ),
                    rule("check", "children_completed", "start_service", "done"),
                ]
            },
            tasks=["check", "done"],
        )
    )
    with django_capture_on_commit_callbacks(execute=True):
        job = start("t_par", "job")
    checks = list(Process.objects.filter(service__name="check").order_by("pid"))
    assert [c.state for c in checks] == ["READY"] * 3
    assert [c.context["index"] for c in checks] == [0, 1, 2]
    complete(checks[2])
    complete(checks[0])
    assert states(job, "done") == []
    complete(checks[1])
    assert states(job, "done") == ["READY"]


def test_one_per_operator_and_per_role(django_capture_on_commit_callbacks):
    publish(
        tiny_spec(
            "t_par2",
            programs={
                "job": [
                    rule(
                        "job",
                        "started",
                        "start_parallel_service",
                        "check",
                        params={"operators": ["wanda", "bea"]},
                    ),
                    rule(
                        "job",
                        "started",
                        "start_parallel_service",
                        "done",
                        params={"roles": ["worker", "boss"]},
                    ),
                ]
            },
            tasks=["check", "done"],
        )
    )
    with django_capture_on_commit_callbacks(execute=True):
        start("t_par2", "job")
    assigned = list(
        Process.objects.filter(service__name="check")
        .order_by("pid")
        .values_list("operator_id", flat=True)
    )
    assert assigned == [operator("t_par2", "wanda").pk, operator("t_par2", "bea").pk]
    roles = list(
        Process.objects.filter(service__name="done")
        .order_by("pid")
        .values_list("assigned_role", flat=True)
    )
    assert roles == ["worker", "boss"]


def test_bad_params_fail_the_program(django_capture_on_commit_callbacks):
    publish(
        tiny_spec(
            "t_par3",
            programs={
                "job": [
                    rule(
                        "job", "started", "start_parallel_service", "check", params={"threads": 0}
                    ),
                ]
            },
            tasks=["check"],
        )
    )
    with django_capture_on_commit_callbacks(execute=True):
        job = start("t_par3", "job")
    job.refresh_from_db()
    assert job.state == "ERROR"
