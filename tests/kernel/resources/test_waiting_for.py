"""waiting_for: which WAITING processes a freed resource may wake, in wake order."""

from __future__ import annotations

import pytest

from kernel.models import Process, ProcessState, Revision, ServiceDef
from kernel.resources import allocate, release, requirements_of, waiting_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def services(tenant):
    revision = Revision.objects.create(tenant=tenant, number=1, spec_hash="x" * 64)
    return {
        "inject": ServiceDef.objects.create(
            revision=revision,
            name="inject",
            label="注射",
            requires=[{"resource": "room", "quantity": 1}, {"resource": "botox", "quantity": 2}],
        ),
        "scan": ServiceDef.objects.create(
            revision=revision,
            name="scan",
            label="检查",
            requires=[{"resource": "scope", "quantity": 1}],
        ),
        "talk": ServiceDef.objects.create(revision=revision, name="talk", label="咨询"),
    }


def proc(tenant, service, state=ProcessState.WAITING, priority=0) -> Process:
    return Process.objects.create(
        tenant=tenant, service=service, revision=service.revision, state=state, priority=priority
    )


def test_requirements_of_reads_the_service(tenant, services):
    assert requirements_of(proc(tenant, services["inject"])) == [("room", 1), ("botox", 2)]
    assert requirements_of(proc(tenant, services["talk"])) == []
    assert requirements_of(Process.objects.create(tenant=tenant)) == []


def test_waiting_processes_needing_the_resource_in_wake_order(tenant, services, stock):
    low_old = proc(tenant, services["inject"])
    high = proc(tenant, services["inject"], priority=5)
    low_new = proc(tenant, services["inject"])
    proc(tenant, services["scan"])  # waits for another resource
    proc(tenant, services["inject"], state=ProcessState.READY)  # not waiting
    proc(tenant, services["talk"])  # needs nothing
    woken = waiting_for(tenant=tenant, resources=[stock["room"]])
    assert list(woken) == [high, low_old, low_new]


def test_processes_already_holding_resources_wait_for_something_else(tenant, services, stock):
    caller = proc(tenant, services["inject"], state=ProcessState.RUNNING)
    assert allocate(process=caller, requirements=requirements_of(caller))
    Process.objects.filter(pk=caller.pk).update(state=ProcessState.WAITING)  # e.g. a sub-service
    short = proc(tenant, services["inject"])
    assert list(waiting_for(tenant=tenant, resources=[stock["botox"]])) == [short]


def test_release_then_waiting_for_wakes_the_blocked_process(tenant, services, stock):
    holder = proc(tenant, services["scan"], state=ProcessState.RUNNING)
    assert allocate(process=holder, requirements=requirements_of(holder))
    blocked = proc(tenant, services["scan"], state=ProcessState.READY)
    assert not allocate(process=blocked, requirements=requirements_of(blocked))
    Process.objects.filter(pk=blocked.pk).update(state=ProcessState.WAITING)
    freed = release(process=holder, consume=True)
    assert list(waiting_for(tenant=tenant, resources=freed)) == [blocked]
    assert allocate(process=blocked, requirements=requirements_of(blocked))


def test_no_resources_no_query(tenant, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert list(waiting_for(tenant=tenant, resources=[])) == []


def test_other_tenants_are_not_woken(tenant, services, stock):
    from core.models import Tenant

    other = Tenant.objects.create(name="other", label="Other")
    Process.objects.create(tenant=other, service=services["inject"], state=ProcessState.WAITING)
    assert list(waiting_for(tenant=tenant, resources=[stock["room"]])) == []
