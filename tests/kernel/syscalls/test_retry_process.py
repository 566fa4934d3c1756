"""retry_process: a failing system action is retried with backoff until it succeeds or retries run out."""

import pytest

from kernel.actions import register_action, unregister_action
from kernel.models import Process
from tests.kernel.helpers import publish, rule, start, states, tiny_spec

pytestmark = pytest.mark.django_db

CALLS: list[int] = []


@pytest.fixture
def flaky():
    CALLS.clear()

    @register_action("test_flaky")
    def flaky_action(process):
        CALLS.append(process.retry_count)
        if len(CALLS) <= 2:
            raise RuntimeError("down")

    @register_action("test_broken")
    def broken_action(process):
        CALLS.append(process.retry_count)
        raise RuntimeError("always down")

    yield
    unregister_action("test_flaky")
    unregister_action("test_broken")


def spec(tenant, action, max_retries):
    return tiny_spec(
        tenant,
        programs={
            "job": [
                rule("job", "started", "start_service", "send"),
                rule(
                    "send",
                    "failed",
                    "retry_process",
                    params={"max_retries": max_retries, "backoff": "PT1M"},
                ),
                rule("send", "completed", "start_service", "a"),
            ]
        },
        tasks=["a"],
        system={"send": action},
    )


def test_fails_twice_then_succeeds(flaky, django_capture_on_commit_callbacks):
    publish(spec("t_rt", "test_flaky", 3))
    with django_capture_on_commit_callbacks(execute=True):
        job = start("t_rt", "job")
    send = Process.objects.get(service__name="send")
    assert CALLS == [0, 1, 2]
    assert (send.state, send.retry_count) == ("TERMINATED", 2)
    assert send.scheduled_time is not None  # the backoff scheduled the retry
    assert states(job, "a") == ["READY"]


def test_retries_run_out_and_the_process_stays_failed(flaky, django_capture_on_commit_callbacks):
    publish(spec("t_rt2", "test_broken", 1))
    with django_capture_on_commit_callbacks(execute=True):
        job = start("t_rt2", "job")
    send = Process.objects.get(service__name="send")
    assert CALLS == [0, 1]
    assert (send.state, send.retry_count) == ("ERROR", 1)
    job.refresh_from_db()
    assert job.state == "RUNNING" and states(job, "a") == []
