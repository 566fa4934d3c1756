"""A failing rule never undoes the work that fired it: an incident, visible and resolvable."""

import pytest

from design.specs.model import OperatorSpec, RequirementSpec, ResourceSpec
from kernel import selectors, services
from kernel.errors import KernelError
from kernel.models import Incident, Process
from tests.kernel.helpers import complete, live, operator, publish, rule, start, tiny_spec

pytestmark = pytest.mark.django_db


def call_spec(tenant: str, *, with_resource: bool):
    """``a completed`` calls ``sub``, a program that needs the resource ``lamp``."""
    spec = tiny_spec(
        tenant,
        programs={
            "job": [
                rule("job", "started", "start_service", "a"),
                rule("a", "completed", "call_sub_service", "sub"),
            ],
            "sub": [rule("sub", "started", "start_service", "b")],
        },
        tasks=["a", "b"],
    )
    next(s for s in spec.services if s.name == "sub").requires = [RequirementSpec(resource="lamp")]
    if with_resource:
        spec.resources = [ResourceSpec(name="lamp", label="Lamp", kind="knowledge")]
    return spec


def test_completion_commits_and_the_failing_rule_leaves_nothing_half_done():
    publish(call_spec("t_in", with_resource=False))
    job = start("t_in", "job")
    a = live(job, "a")
    complete(a)  # the call fails: lamp is unknown
    a.refresh_from_db()
    job.refresh_from_db()
    assert a.state == "TERMINATED"  # the operator's work stands
    assert job.state == "ERROR"
    assert not Process.objects.filter(service__name="sub").exists()  # the call left nothing
    incident = Incident.objects.get()
    assert (incident.process_id, incident.subject_id, incident.program_id) == (job.pk, a.pk, job.pk)
    assert (incident.code, incident.failed_from, incident.state) == (
        "unknown_resource",
        "RUNNING",
        "OPEN",
    )
    assert "lamp" in incident.reason and incident.roles == ["worker"]
    wanda = operator("t_in", "wanda")
    assert [p.pk for p in selectors.task_list(operator=wanda, scope="public")] == [job.pk]
    assert selectors.incident_list(operator=wanda) == [incident]
    assert selectors.incident_list(operator=operator("t_in", "otto")) == []

    # Retried before the fix: fails again, stays open, still nothing half-done.
    again = services.incident_retry(incident=incident, operator=wanda)
    job.refresh_from_db()
    assert (again.state, again.attempts, job.state) == ("OPEN", 2, "ERROR")
    assert not Process.objects.filter(service__name="sub").exists()

    publish(call_spec("t_in", with_resource=True))  # the fix: the resource exists now
    done = services.incident_retry(incident=incident, operator=wanda)
    job.refresh_from_db()
    assert (done.state, done.resolved_by, job.state) == ("RETRIED", wanda, "WAITING")
    assert live(job, "sub").state == "RUNNING" and live(job, "b").state == "READY"
    assert selectors.task_list(operator=wanda, scope="public") == [live(job, "b")]
    with pytest.raises(KernelError) as closed:
        services.incident_retry(incident=incident, operator=wanda)
    assert closed.value.code == "incident_closed"


def parallel_spec(tenant: str, *, ghost: bool):
    spec = tiny_spec(
        tenant,
        programs={
            "job": [
                rule("job", "started", "start_service", "a"),
                rule(
                    "a", "completed", "start_parallel_service", "b", params={"operators": ["gil"]}
                ),
            ]
        },
        tasks=["a", "b"],
    )
    if ghost:
        spec.operators.append(OperatorSpec(name="gil", label="Gil", roles=["worker"]))
    return spec


def test_an_asynchronous_rule_that_fails_is_an_incident_and_can_be_skipped(
    django_capture_on_commit_callbacks,
):
    publish(parallel_spec("t_in2", ghost=False))
    job = start("t_in2", "job")
    with django_capture_on_commit_callbacks(execute=True):
        complete(live(job, "a"))
    job.refresh_from_db()
    incident = Incident.objects.get(process=job)
    assert (job.state, incident.code) == ("ERROR", "not_found")
    with pytest.raises(KernelError) as refused:
        services.incident_skip(incident=incident, operator=operator("t_in2", "otto"))
    assert refused.value.code == "not_permitted"

    skipped = services.incident_skip(incident=incident, operator=operator("t_in2", "wanda"))
    job.refresh_from_db()
    assert (skipped.state, job.state) == ("SKIPPED", "RUNNING")  # as if the rule had not fired
    assert not Process.objects.filter(service__name="b").exists()
    assert selectors.task_list(operator=operator("t_in2", "wanda"), scope="public") == []


def test_retry_of_an_asynchronous_rule_runs_it_inline_after_the_fix(
    django_capture_on_commit_callbacks,
):
    publish(parallel_spec("t_in3", ghost=False))
    job = start("t_in3", "job")
    with django_capture_on_commit_callbacks(execute=True):
        complete(live(job, "a"))
    publish(parallel_spec("t_in3", ghost=True))
    incident = Incident.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        services.incident_retry(incident=incident, operator=operator("t_in3", "wanda"))
    b = Process.objects.get(service__name="b")
    assert (b.operator, b.state) == (operator("t_in3", "gil"), "READY")
    assert Incident.objects.get().state == "RETRIED"


def test_the_admin_lists_incidents_with_their_reason(admin_client):
    publish(call_spec("t_in4", with_resource=False))
    job = start("t_in4", "job")
    complete(live(job, "a"))
    incident = Incident.objects.get()
    listing = admin_client.get("/admin/kernel/incident/", {"state__exact": "OPEN"})
    assert listing.status_code == 200
    assert "unknown_resource" in listing.content.decode()
    detail = admin_client.get(f"/admin/kernel/incident/{incident.pk}/change/")
    assert detail.status_code == 200 and "lamp" in detail.content.decode()


def test_cancelling_the_failed_program_takes_its_incident_off_the_lists():
    publish(call_spec("t_in5", with_resource=False))
    job = start("t_in5", "job")
    complete(live(job, "a"))
    wanda = operator("t_in5", "wanda")
    assert len(selectors.incident_list(operator=wanda)) == 1
    services.task_cancel(process=Process.objects.get(pk=job.pk), operator=wanda)
    assert selectors.incident_list(operator=wanda) == []
    assert selectors.task_list(operator=wanda, scope="public") == []
