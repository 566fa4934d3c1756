"""The workbench task form refuses values no backend stores, in place, and writes nothing
(issue 7: a year-1 datetime became a BC date on PostgreSQL and broke every list after it)."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.test import Client

from tests.workbench.test_pages import appointment_post, start_service, task

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "fields",
    [
        {"record-scheduled_at": "0001-01-01T00:00"},
        {"record-scheduled_at": "9999-12-31T23:59"},
        {"record-full_name": "nul\x00byte"},
    ],
)
def test_the_task_form_refuses_unstorable_values_in_place(clinic, browser_as, operator, fields):
    xiaolin = browser_as("xiaolin")
    new = task(start_service(clinic, operator), "new_appointment")
    assert xiaolin.post(f"/clinic/tasks/{new.pk}/claim/").status_code == 302
    bad = clinic.act(
        xiaolin.post, f"/clinic/tasks/{new.pk}/", appointment_post("complete", **fields)
    )
    assert bad.status_code == 400
    assert "invalid-feedback" in bad.content.decode()
    new.refresh_from_db()
    assert new.state == "RUNNING" and new.record_id is None
    assert not apps.get_model("clinic", "Appointment").objects.exists()
    # the lists still work for everyone
    assert xiaolin.get("/clinic/").status_code == 200
    raw = Client(raise_request_exception=False)
    raw.force_login(operator("xiaolin").user)
    assert raw.get("/clinic/api/tasks/?scope=mine").status_code == 200
