"""Cancel and terminate reach the whole tree: members, called sub-programs, fan-out items; resources freed."""

import pytest

from design.specs.model import RequirementSpec, ResourceSpec
from kernel import services
from kernel.models import Process
from kernel.models.resource import Allocation, AllocationState
from tests.kernel.helpers import complete, live, operator, publish, rule, start, tiny_spec

pytestmark = pytest.mark.django_db

PROGRAMS = {
    "job": [
        rule("job", "started", "start_service", "a"),
        rule("job", "started", "start_parallel_service", "b", params={"threads": 2}),
        rule("job", "started", "start_service", "d"),
        rule("d", "completed", "call_sub_service", "sub"),
    ],
    "sub": [rule("sub", "started", "start_service", "c")],
}


def tree_spec(tenant: str, programs=None):
    spec = tiny_spec(tenant, programs=programs or PROGRAMS, tasks=["a", "b", "c", "d"])
    spec.resources = [ResourceSpec(name="chair", label="Chair", kind="equipment", capacity=5)]
    for service in spec.services:
        if service.name in ("a", "b", "c"):
            service.requires = [RequirementSpec(resource="chair")]
    return spec


def running_tree(tenant: str, django_capture_on_commit_callbacks) -> Process:
    """job with a RUNNING a, two RUNNING b branches, and a called sub-program with a RUNNING c."""
    with django_capture_on_commit_callbacks(execute=True):
        job = start(tenant, "job")
    wanda = operator(tenant, "wanda")
    complete(live(job, "d"))
    for process in Process.objects.filter(service__name__in=["a", "b", "c"], tenant__name=tenant):
        services.task_claim(process=process, operator=wanda)
    assert set(
        Process.objects.filter(root=job).exclude(service__name="d").values_list("state", flat=True)
    ) == {"RUNNING"}  # a, both b, sub and c run; job waits for sub
    assert Allocation.objects.filter(state=AllocationState.HELD).count() == 4
    return job


def test_cancelling_a_program_cancels_its_tree_and_frees_resources(
    django_capture_on_commit_callbacks,
):
    publish(tree_spec("t_ct"))
    job = running_tree("t_ct", django_capture_on_commit_callbacks)
    services.task_cancel(process=job, operator=operator("t_ct", "wanda"))
    states = set(Process.objects.filter(root=job).values_list("state", flat=True))
    job.refresh_from_db()
    assert job.state == "TERMINATED" and states == {"TERMINATED"}
    assert not Allocation.objects.filter(state=AllocationState.HELD).exists()


def test_cancelling_a_called_sub_program_cancels_its_members(django_capture_on_commit_callbacks):
    publish(tree_spec("t_ct2"))
    job = running_tree("t_ct2", django_capture_on_commit_callbacks)
    sub = live(job, "sub")
    services.task_cancel(process=sub, operator=operator("t_ct2", "wanda"))
    assert Process.objects.get(root=job, service__name="c").state == "TERMINATED"
    assert live(job, "a").state == "RUNNING"  # outside the sub-program: untouched
    assert Allocation.objects.filter(state=AllocationState.HELD).count() == 3


def test_terminate_self_on_a_program_reaches_its_tree(django_capture_on_commit_callbacks):
    programs = {
        **PROGRAMS,
        "job": [*PROGRAMS["job"], rule("job", "suspended", "terminate_process")],
    }
    publish(tree_spec("t_ct3", programs))
    job = running_tree("t_ct3", django_capture_on_commit_callbacks)
    services.task_suspend(process=job, operator=operator("t_ct3", "wanda"))
    states = set(Process.objects.filter(root=job).values_list("state", flat=True))
    job.refresh_from_db()
    assert job.state == "TERMINATED" and states == {"TERMINATED"}
    assert not Allocation.objects.filter(state=AllocationState.HELD).exists()
