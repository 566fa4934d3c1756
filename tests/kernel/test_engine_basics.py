"""The engine on a tiny record-less program: start, sibling, call/return, tree termination."""

from __future__ import annotations

import pytest

from kernel import services
from kernel.errors import KernelError, KernelErrorCode
from kernel.fsm import IllegalTransition
from kernel.models import ContextSnapshot, Process
from tests.kernel.helpers import live, operator, publish, rule, tiny_spec, tree

pytestmark = pytest.mark.django_db

JOB_RULES = [
    rule("job", "started", "start_service", "a"),
    rule("a", "completed", "start_service", "b"),
    rule("b", "started", "call_sub_service", "sub"),
    rule("b", "completed", "terminate_process", params={"scope": "tree"}),
]
SUB_RULES = [
    rule("sub", "started", "start_service", "c"),
    rule("c", "completed", "calling_return"),
]


@pytest.fixture
def job_spec():
    spec = tiny_spec(
        "bench_t", programs={"job": JOB_RULES, "sub": SUB_RULES}, tasks=["a", "b", "c"]
    )
    publish(spec)
    return spec


def test_program_runs_to_termination(job_spec):
    wanda = operator("bench_t", "wanda")
    program = services.process_start(tenant="bench_t", program="job", entity=None)
    assert program.state == "RUNNING"
    a = live(program, "a")
    assert (a.state, a.parent_id, a.program_id) == ("READY", program.pk, program.pk)

    services.task_complete(process=a, operator=wanda)
    b = live(program, "b")
    sub = live(program, "sub")
    c = live(program, "c")
    assert b.state == "WAITING" and b.previous_id == a.pk
    assert (sub.parent_id, sub.caller_id, sub.state) == (b.pk, b.pk, "RUNNING")
    assert (c.parent_id, c.program_id, c.state) == (sub.pk, sub.pk, "READY")

    services.task_complete(process=c, operator=wanda)
    b.refresh_from_db()
    sub.refresh_from_db()
    assert b.state == "READY" and sub.state == "TERMINATED"

    services.task_complete(process=b, operator=wanda)
    assert set(s for states in tree(program).values() for s in states) == {"TERMINATED"}


def test_role_enforcement_and_illegal_transition(job_spec):
    program = services.process_start(tenant="bench_t", program="job", entity=None)
    a = live(program, "a")
    with pytest.raises(KernelError) as err:
        services.task_complete(process=a, operator=operator("bench_t", "otto"))
    assert err.value.code == KernelErrorCode.NOT_PERMITTED
    a.refresh_from_db()
    assert a.state == "READY"
    wanda = operator("bench_t", "wanda")
    services.task_complete(process=a, operator=wanda)
    with pytest.raises(IllegalTransition):
        services.task_complete(process=Process.objects.get(pk=a.pk), operator=wanda)
    assert Process.objects.get(pk=a.pk).state == "TERMINATED"


def test_claim_suspend_resume_shift_cancel(job_spec):
    wanda = operator("bench_t", "wanda")
    program = services.process_start(tenant="bench_t", program="job", entity=None)
    a = live(program, "a")
    services.task_claim(process=a, operator=wanda)
    assert (a.state, a.operator_id) == ("RUNNING", wanda.pk)
    services.task_suspend(process=a, operator=wanda)
    assert (a.state, a.suspended_from) == ("SUSPENDED", "RUNNING")
    services.task_resume(process=a, operator=wanda)
    assert a.state == "RUNNING"
    with pytest.raises(KernelError) as err:
        services.task_shift(process=a, operator=wanda, to_operator=operator("bench_t", "otto"))
    assert err.value.code == KernelErrorCode.NOT_PERMITTED
    services.task_cancel(process=a, operator=wanda)
    assert a.state == "TERMINATED"
    assert not Process.objects.filter(service__name="b").exists()  # cancel fires no completed rules


def test_unchanged_publish_makes_no_revision_and_running_keeps_its_rules(job_spec):
    from design.publish import revision_publish

    first, created = revision_publish(tenant="bench_t", spec=job_spec)
    assert created is False and first.number == 1
    program = services.process_start(tenant="bench_t", program="job", entity=None)
    changed = tiny_spec(
        "bench_t",
        programs={"job": [rule("job", "started", "start_service", "c")], "sub": SUB_RULES},
        tasks=["a", "b", "c"],
    )
    second, created = revision_publish(tenant="bench_t", spec=changed)
    assert created and second.number == 2
    services.task_complete(process=live(program, "a"), operator=operator("bench_t", "wanda"))
    assert live(program, "b").revision_id == first.pk  # the old revision's rules still run it
    fresh = services.process_start(tenant="bench_t", program="job", entity=None)
    assert fresh.revision_id == second.pk and live(fresh, "c").state == "READY"


def test_calling_return_hands_back_context(job_spec):
    wanda = operator("bench_t", "wanda")
    program = services.process_start(tenant="bench_t", program="job", entity=None)
    services.task_complete(process=live(program, "a"), operator=wanda)
    sub = live(program, "sub")
    b = live(program, "b")
    from kernel.engine import snapshots

    sub.context = {}
    assert snapshots.context_set(sub, {"answer": 42})
    assert not snapshots.context_set(sub, {"answer": 42})  # same hash: no new snapshot
    assert ContextSnapshot.objects.filter(process=sub).count() == 1
    assert snapshots.restore(sub, 1) == {"answer": 42}
    assert b.state == "WAITING"


def test_process_start_checks_program_roles_and_tenant():
    from design.specs.model import ServiceSpec

    spec = tiny_spec(
        "t_roles", programs={"job": JOB_RULES, "sub": SUB_RULES}, tasks=["a", "b", "c"]
    )
    spec.service("job").roles = ["boss"]
    assert isinstance(spec.service("job"), ServiceSpec)
    publish(spec)
    with pytest.raises(KernelError) as err:
        services.process_start(
            tenant="t_roles", program="job", entity=None, operator=operator("t_roles", "wanda")
        )
    assert err.value.code == KernelErrorCode.NOT_PERMITTED
    job = services.process_start(
        tenant="t_roles", program="job", entity=None, operator=operator("t_roles", "bea")
    )
    assert job.creator_id == operator("t_roles", "bea").pk
    with pytest.raises(KernelError) as err:
        services.process_start(tenant="t_roles", program="nope", entity=None)
    assert err.value.code == KernelErrorCode.UNKNOWN_SERVICE


def test_a_new_process_is_built_as_the_model_builds_it(job_spec):
    from kernel.engine.spawn import _new_process

    program = services.process_start(tenant="bench_t", program="job", entity=None)
    a = live(program, "a")
    values = {
        "tenant_id": program.tenant_id,
        "service": a.service,
        "revision": a.revision,
        "parent": program,
        "program": program,
        "root_id": program.pk,
        "caller": None,
        "previous": a,
        "entity_type_id": None,
        "operator_id": None,
        "context": {"k": 1},
        "context_version": 1,
        "priority": 3,
        "assigned_role": "desk",
    }
    built, made = _new_process(**dict(values)), Process(**dict(values))
    columns = [f.attname for f in Process._meta.concrete_fields if f.attname != "erpsys_id"]
    assert {c: getattr(built, c) for c in columns} == {c: getattr(made, c) for c in columns}
    assert built.erpsys_id and built.erpsys_id != made.erpsys_id  # each a fresh uuid4
    assert built._state.adding and built._state.db is None
    assert (built.parent, built.previous, built.service) == (program, a, a.service)
    assert built.caller is None
    with pytest.raises(TypeError, match="no_such"):
        _new_process(no_such=1)


def test_the_flush_hands_the_database_what_django_would(job_spec):
    """``_prepared`` skips ``get_db_prep_save`` only where it would return the value unchanged."""
    import datetime as dt

    from django.db import connection

    from kernel.engine.run import _INSERT_FIELDS, _insert_prep, _prepared

    program = services.process_start(tenant="bench_t", program="job", entity=None)
    process = live(program, "a")
    process.context = {"note": "报修", "n": 2}
    process.start_time = dt.datetime(2026, 12, 7, 9, 30, tzinfo=dt.UTC)
    process.scheduled_time = dt.datetime(2026, 12, 8, 8, 0)  # naive: Django makes it aware
    fields = _INSERT_FIELDS[True]
    params: list = []
    with pytest.warns(RuntimeWarning, match="naive datetime"):
        _prepared(params, process, _insert_prep(True, connection.vendor), connection)
        expected = [f.get_db_prep_save(getattr(process, f.attname), connection) for f in fields]
    assert len(params) == len(expected)
    for field, got, want in zip(fields, params, expected, strict=True):
        if field.attname == "context":  # an adapter object for JSON: compare what it holds
            assert getattr(got, "obj", got) == getattr(want, "obj", want)
        else:
            assert (field.attname, got) == (field.attname, want)
