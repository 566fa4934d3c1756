"""An escalated RUNNING task lands on the target role's public list, still RUNNING with its resources."""

import pytest

from design.specs.model import EventSpec, RequirementSpec, ResourceSpec, TimerSpec
from kernel import selectors, services
from kernel.engine import fire_event
from kernel.models.resource import Allocation, AllocationState
from tests.kernel.helpers import live, operator, publish, rule, start, tiny_spec

pytestmark = pytest.mark.django_db

LATE = EventSpec(name="late", label="Late", timer=TimerSpec(after="PT1H", of="started"))


def test_escalated_running_task_is_on_the_role_list_with_its_resources():
    spec = tiny_spec(
        "t_er",
        programs={
            "job": [
                rule("job", "started", "start_service", "a"),
                rule("a", "late", "escalate_process", params={"to": "boss"}),
            ]
        },
        tasks=["a"],
        events=[LATE],
    )
    spec.resources = [ResourceSpec(name="chair", label="Chair", kind="equipment", capacity=1)]
    spec.services[0].requires = [RequirementSpec(resource="chair")]
    publish(spec)
    job = start("t_er", "job")
    a = services.task_claim(process=live(job, "a"), operator=operator("t_er", "wanda"))
    assert a.state == "RUNNING" and Allocation.objects.get(process=a).state == "HELD"

    assert fire_event(process=a, event="late", occurrence="t1") == 1
    a.refresh_from_db()
    assert (a.state, a.operator_id, a.assigned_role, a.priority) == ("RUNNING", None, "boss", 1)
    assert Allocation.objects.get(process=a).state == AllocationState.HELD
    bea = operator("t_er", "bea")
    assert [p.pk for p in selectors.task_list(operator=bea, scope="public")] == [a.pk]
    assert selectors.task_list(operator=operator("t_er", "wanda"), scope="mine") == []

    services.task_claim(process=a, operator=bea)  # the boss takes it over, chair and all
    a.refresh_from_db()
    assert (a.state, a.operator_id) == ("RUNNING", bea.pk)
    assert Allocation.objects.filter(process=a, state=AllocationState.HELD).count() == 1
    assert selectors.task_list(operator=bea, scope="public") == []
    assert [p.pk for p in selectors.task_list(operator=bea, scope="mine")] == [a.pk]
