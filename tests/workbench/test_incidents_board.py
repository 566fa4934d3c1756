"""Incidents (failed rules) on the board of a supervisor, with Retry and Skip."""

from __future__ import annotations

import pytest

from kernel.models import Incident, Process, RuleDef
from tests.workbench.test_pages import start_service

pytestmark = pytest.mark.django_db


def failed(program: Process) -> Incident:
    """The program's first rule failed when it started: the program is in ERROR."""
    Process.objects.filter(pk=program.pk).update(state="ERROR")
    rule = RuleDef.objects.get(
        revision_id=program.revision_id, service="customer_service", event="started"
    )
    return Incident.objects.create(
        tenant=program.tenant,
        process=program,
        subject=program,
        program=program,
        rule=rule,
        event="started",
        occurrence="test",
        code="not_found",
        reason="the service new_appointment could not start",
        failed_from="RUNNING",
        roles=["receptionist", "manager"],
    )


def test_a_supervisor_skips_an_incident_from_the_board(clinic, browser_as, operator):
    program = start_service(clinic, operator)
    incident = failed(program)
    zhang = browser_as("manager_zhang", "en")
    page = zhang.get("/clinic/?tab=incidents").content.decode()
    assert 'data-count="incidents">1<' in page
    pane = page[page.index('id="pane-incidents"') :]
    assert f'data-incident="{incident.pk}"' in pane
    assert "could not start" in pane and 'data-action="retry"' in pane
    assert 'data-action="skip"' in pane
    # the receptionist supervises nobody: no incidents tab
    assert (
        'data-count="incidents"' not in browser_as("xiaolin", "en").get("/clinic/").content.decode()
    )

    done = clinic.act(zhang.post, f"/clinic/incidents/{incident.pk}/skip/", {})
    assert done.status_code == 302 and done["Location"] == "/clinic/?tab=incidents"
    incident.refresh_from_db()
    program.refresh_from_db()
    assert incident.state == "SKIPPED" and incident.resolved_by == operator("manager_zhang")
    assert program.state == "RUNNING"
    assert 'data-count="incidents"' not in zhang.get("/clinic/").content.decode()


def test_retry_runs_the_rule_again(clinic, browser_as, operator):
    program = start_service(clinic, operator)
    incident = failed(program)
    before = Process.objects.filter(root=program, service__name="new_appointment").count()
    zhang = browser_as("manager_zhang", "en")
    done = clinic.act(zhang.post, f"/clinic/incidents/{incident.pk}/retry/", {})
    assert done.status_code == 302
    incident.refresh_from_db()
    assert incident.state == "RETRIED"
    after = Process.objects.filter(root=program, service__name="new_appointment").count()
    assert after == before + 1
    again = clinic.act(zhang.post, f"/clinic/incidents/{incident.pk}/retry/", {}, follow=True)
    assert "already" in again.content.decode()  # closed: said, and nothing changes
    assert Process.objects.filter(root=program, service__name="new_appointment").count() == after


def test_outsiders_cannot_resolve_incidents(clinic, browser_as, operator):
    program = start_service(clinic, operator)
    incident = failed(program)
    wang = browser_as("dr_wang", "en")  # holds none of the incident's roles
    refused = clinic.act(wang.post, f"/clinic/incidents/{incident.pk}/skip/", {}, follow=True)
    assert "You may not do this." in refused.content.decode()
    incident.refresh_from_db()
    assert incident.state == "OPEN"
    assert wang.post(f"/clinic/incidents/{incident.pk + 999}/skip/", {}).status_code == 404
    assert wang.post(f"/clinic/incidents/{incident.pk}/explode/", {}).status_code == 404
