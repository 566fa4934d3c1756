"""The document flows through its steps on the task forms: 新预约 -> 到诊提醒 -> 到诊确认 on one
预约记录 (the later forms open the appointment, its read-only fields shown and filled)."""

from __future__ import annotations

import re

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType

from kernel import services
from kernel.models import Process
from tests.workbench.test_pages import appointment_post, start_service, task

pytestmark = pytest.mark.django_db


def test_the_appointment_flows_through_the_task_forms(clinic, browser_as, operator):
    program = start_service(clinic, operator)
    xiaolin = browser_as("xiaolin", "en")
    new = task(program, "new_appointment")
    done = clinic.act(xiaolin.post, f"/clinic/tasks/{new.pk}/", appointment_post("complete"))
    assert done.status_code == 302, done.content.decode()[:2000]
    new.refresh_from_db()
    appointment = apps.get_model("clinic", "Appointment").objects.get(pk=new.record_id)

    reminder = task(program, "arrival_reminder")
    page = xiaolin.get(f"/clinic/tasks/{reminder.pk}/").content.decode()
    assert "continued from" in page and f"#{new.pk}" in page
    name_input = re.search(r'<input[^>]*name="record-full_name"[^>]*>', page).group(0)
    assert 'value="张女士"' in name_input and "disabled" in name_input  # read-only, filled
    assert 'value="2026-12-01T10:00"' in page

    # the read-only fields are not posted (a disabled input is not sent): only the new answer
    confirmed = clinic.act(
        xiaolin.post,
        f"/clinic/tasks/{reminder.pk}/",
        {"record-confirmed": "on", "record-remark": "已电话确认", "action": "complete"},
    )
    assert confirmed.status_code == 302, confirmed.content.decode()[:3000]
    reminder.refresh_from_db()
    assert reminder.state == "TERMINATED" and reminder.record_id == appointment.pk
    appointment.refresh_from_db()
    assert appointment.confirmed and appointment.remark == "已电话确认"
    assert appointment.full_name == "张女士" and appointment.phone == "13800000000"

    confirmation = task(program, "arrival_confirmation")
    page = xiaolin.get(f"/clinic/tasks/{confirmation.pk}/").content.decode()
    assert 'value="张女士"' in page and "continued from" in page
    arrived = clinic.act(
        xiaolin.post,
        f"/clinic/tasks/{confirmation.pk}/",
        {"record-arrived": "on", "action": "complete"},
    )
    assert arrived.status_code == 302
    appointment.refresh_from_db()
    assert appointment.arrived and appointment.confirmed
    assert apps.get_model("clinic", "Appointment").objects.count() == 1
    # the process page of the last step shows the same record
    confirmation.refresh_from_db()
    assert confirmation.record_id == appointment.pk
    page = xiaolin.get(f"/clinic/processes/{confirmation.pk}/").content.decode()
    assert "Record" in page and "张女士" in page
    linked = Process.objects.filter(
        root=program,
        record_type=ContentType.objects.get_for_model(appointment),
        record_id=appointment.pk,
    )
    assert sorted(p.service.name for p in linked) == [
        "arrival_confirmation",
        "arrival_reminder",
        "new_appointment",
    ]


def test_a_required_answer_missing_keeps_the_carried_record(clinic, browser_as, operator):
    program = start_service(clinic, operator)
    xiaolin = browser_as("xiaolin")
    new = task(program, "new_appointment")
    clinic.act(xiaolin.post, f"/clinic/tasks/{new.pk}/", appointment_post("complete"))
    reminder = task(program, "arrival_reminder")
    clinic.act(services.task_complete, process=reminder, operator=operator("xiaolin"), data={})
    confirmation = task(program, "arrival_confirmation")
    bad = xiaolin.post(f"/clinic/tasks/{confirmation.pk}/", {"action": "complete"})
    assert bad.status_code == 400  # 客户已到店 is required on 到店确认表
    assert "invalid-feedback" in bad.content.decode()
    confirmation.refresh_from_db()
    assert confirmation.state != "TERMINATED" and confirmation.record_id is None
    assert apps.get_model("clinic", "Appointment").objects.count() == 1
