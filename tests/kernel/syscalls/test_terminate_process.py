"""terminate_process: ``self`` cancels the event's process; ``tree`` every live process of the program."""

import pytest

from tests.kernel.helpers import complete, live, publish, rule, start, states, tiny_spec

pytestmark = pytest.mark.django_db


def test_scope_self_cancels_only_the_subject():
    publish(
        tiny_spec(
            "t_tp",
            programs={
                "job": [
                    rule("job", "started", "start_service", "a"),
                    rule("job", "started", "start_service", "b"),
                    rule("b", "started", "terminate_process", params={"scope": "self"}),
                ]
            },
            tasks=["a", "b"],
        )
    )
    job = start("t_tp", "job")
    assert states(job, "b") == ["TERMINATED"] and states(job, "a") == ["READY"]


def test_scope_tree_ends_everything_without_firing_rules():
    publish(
        tiny_spec(
            "t_tp2",
            programs={
                "job": [
                    rule("job", "started", "start_service", "a"),
                    rule("job", "started", "start_service", "b"),
                    rule("a", "completed", "terminate_process", params={"scope": "tree"}),
                    rule("b", "completed", "start_service", "c"),
                ]
            },
            tasks=["a", "b", "c"],
        )
    )
    job = start("t_tp2", "job")
    complete(live(job, "a"))
    job.refresh_from_db()
    assert job.state == "TERMINATED" and states(job, "b") == ["TERMINATED"]
    assert states(job, "c") == []  # cancelled processes fire no completed rules
