"""The Team tab (tasks of the roles an operator supervises) and ``?scope=team`` over REST."""

from __future__ import annotations

import re

import pytest
from rest_framework.test import APIClient

from kernel import services
from kernel.models import Process
from tests.workbench.test_pages import start_service, task

pytestmark = pytest.mark.django_db


def test_a_supervisor_sees_the_team_tab_with_counts(clinic, browser_as, operator):
    program = start_service(clinic, operator)
    new = task(program, "new_appointment")
    clinic.act(services.task_claim, process=new, operator=operator("xiaolin"))

    page = browser_as("manager_zhang", "en").get("/clinic/?tab=team").content.decode()
    assert 'data-tab="team"' in page and "Team" in page
    assert 'data-count="team">1<' in page
    team = page[page.index('id="pane-team"') :]
    assert f'data-pid="{new.pk}"' in team
    assert "小林" in team  # who holds it: the operator column the team list adds
    counts = dict(re.findall(r'data-team-count="([^"]+)">(\d+)<', page))
    assert counts == {"医生": "0", "护士": "0", "客服": "1"}
    assert 'data-action="suspend"' in team  # a supervisor may put it aside

    # the receptionist supervises nobody: no team tab
    own = browser_as("xiaolin", "en").get("/clinic/?tab=team").content.decode()
    assert 'data-tab="team"' not in own


def test_a_supervisor_suspends_and_takes_over_a_team_task(clinic, browser_as, operator):
    program = start_service(clinic, operator)
    new = task(program, "new_appointment")
    clinic.act(services.task_claim, process=new, operator=operator("xiaolin"))
    zhang = browser_as("manager_zhang", "en")
    done = clinic.act(zhang.post, f"/clinic/tasks/{new.pk}/suspend/", {"next": "/clinic/?tab=team"})
    assert done.status_code == 302 and done["Location"] == "/clinic/?tab=team"
    new.refresh_from_db()
    assert new.state == "SUSPENDED" and new.operator.name == "xiaolin"
    clinic.act(zhang.post, f"/clinic/tasks/{new.pk}/resume/", {})
    moved = clinic.act(zhang.post, f"/clinic/tasks/{new.pk}/shift/", {"operator": "xiaozhou"})
    assert moved.status_code == 302
    new.refresh_from_db()
    assert new.operator.name == "xiaozhou"
    # a doctor is nobody's supervisor: refused, and nothing changes
    refused = browser_as("dr_wang", "en").post(f"/clinic/tasks/{new.pk}/suspend/", {})
    assert refused.status_code == 302
    assert Process.objects.get(pk=new.pk).state == new.state


def test_rest_task_list_scope_team(clinic, operator):
    program = start_service(clinic, operator)
    new = task(program, "new_appointment")
    clinic.act(services.task_claim, process=new, operator=operator("xiaolin"))
    manager = APIClient()
    manager.force_login(operator("manager_zhang").user)
    body = manager.get("/clinic/api/tasks/", {"scope": "team"}).json()
    assert body["count"] == 1 and body["results"][0]["pid"] == new.pk
    values = [c["value"] for c in body["columns"]]
    assert "operator.label" in values
    assert values.index("operator.label") == values.index("service.label") + 1
    assert body["results"][0]["values"]["operator.label"] == "小林"

    receptionist = APIClient()
    receptionist.force_login(operator("xiaolin").user)
    assert receptionist.get("/clinic/api/tasks/", {"scope": "team"}).json()["count"] == 0
    bad = receptionist.get("/clinic/api/tasks/", {"scope": "everyone"})
    assert bad.status_code == 400
