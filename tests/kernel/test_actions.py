"""System actions: registry, settings paths, unknown names (coded error, system check), exactly once."""

import pytest

from kernel.actions import action_get, register_action, unregister_action
from kernel.checks import check_instructions, check_system_actions
from kernel.errors import KernelError, KernelErrorCode
from kernel.models import Process
from tests.kernel.helpers import publish, rule, start, tiny_spec

pytestmark = pytest.mark.django_db

RAN: list[int] = []


def counting(process):
    RAN.append(process.pk)


def test_unknown_action_is_a_coded_error_and_a_check_failure(django_capture_on_commit_callbacks):
    with pytest.raises(KernelError) as err:
        action_get("no_such_action")
    assert err.value.code == KernelErrorCode.ACTION_NOT_REGISTERED
    publish(
        tiny_spec(
            "t_act",
            programs={"job": [rule("job", "started", "start_service", "ping")]},
            tasks=[],
            system={"ping": "no_such_action"},
        )
    )
    assert [e.id for e in check_system_actions()] == ["kernel.E001"]
    assert check_instructions() == []
    with django_capture_on_commit_callbacks(execute=True):
        start("t_act", "job")
    assert Process.objects.get(service__name="ping").state == "ERROR"


def test_settings_action_runs_once_per_attempt(settings, django_capture_on_commit_callbacks):
    from kernel.engine.system import action_key
    from kernel.tasks import action_run

    settings.ERPSYS = {**settings.ERPSYS, "ACTIONS": {"ping": f"{__name__}.counting"}}
    RAN.clear()
    publish(
        tiny_spec(
            "t_act2",
            programs={"job": [rule("job", "started", "start_service", "ping")]},
            tasks=[],
            system={"ping": "ping"},
        )
    )
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        start("t_act2", "job")
    ping = Process.objects.get(service__name="ping")
    queued = [c for c in callbacks if getattr(c, "__qualname__", "") != "_Batch.send"]
    assert ping.state == "RUNNING" and len(queued) == 1  # the other: live push, kernel events
    key = action_key(ping)
    assert action_run(pid=ping.pk, key=key) == "completed"
    assert action_run(pid=ping.pk, key=key) == "duplicate"  # redelivery does nothing
    assert RAN == [ping.pk] and Process.objects.get(pk=ping.pk).state == "TERMINATED"


def test_register_action_decorator():
    @register_action("t_hello")
    def hello(process):
        return None

    try:
        assert action_get("t_hello") is hello
    finally:
        unregister_action("t_hello")


def test_check_reads_only_each_tenants_newest_revision():
    def spec(action):
        return tiny_spec(
            "t_act_rev",
            programs={"job": [rule("job", "started", "start_service", "ping")]},
            tasks=[],
            system={"ping": action},
        )

    publish(spec("no_such_action"))
    assert [e.id for e in check_system_actions()] == ["kernel.E001"]
    publish(spec("remind_follow_up"))  # revision 2 fixes it; revision 1 still exists
    assert check_system_actions() == []
