"""The document flows through its steps: a later step of a program updates the record an earlier
step produced on the same entity (kernel.records), unless its service asks for a fresh record."""

from __future__ import annotations

import shutil
from datetime import timedelta

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from design.publish import revision_publish
from design.services import spec_load
from kernel import services
from kernel.errors import KernelError
from kernel.models import Process, ServiceDef
from kernel.records import carried_record, task_record
from tests.kernel.helpers import live, operator

pytestmark = pytest.mark.django_db


def Appointment():  # noqa: N802 - reads like the model it returns
    return apps.get_model("clinic", "Appointment")


def _published(folder, act_capture):
    spec_load(folder=folder)
    revision_publish(tenant="clinic")
    customer = apps.get_model("clinic", "Customer").objects.create(
        full_name="李女士", phone="13800000000"
    )
    return customer


@pytest.fixture
def act(django_capture_on_commit_callbacks):
    def run(call, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return call(**kwargs)

    return run


@pytest.fixture
def program(clinic_spec_dir, act):
    """客户服务 started for 李女士, its 新预约 completed: (program, the appointment)."""
    customer = _published(clinic_spec_dir, act)
    xiaolin = operator("clinic", "xiaolin")
    program = act(
        services.process_start,
        tenant="clinic",
        program="customer_service",
        entity=customer,
        operator=xiaolin,
    )
    first = live(program, "new_appointment")
    when = (timezone.now() + timedelta(hours=2)).replace(microsecond=0)
    act(
        services.task_complete,
        process=first,
        operator=xiaolin,
        data={"full_name": "李女士", "phone": "13800000000", "scheduled_at": when},
    )
    first.refresh_from_db()
    return program, Appointment().objects.get(pk=first.record_id)


def test_later_steps_update_the_appointment_the_first_step_made(program, act):
    program, appointment = program
    xiaolin = operator("clinic", "xiaolin")
    reminder = live(program, "arrival_reminder")
    # before anything is saved the reminder's form opens the appointment of 新预约
    assert carried_record(reminder) == appointment
    assert task_record(reminder) == appointment
    assert reminder.record_id is None

    # only its own fields: the read-only name and time stay as 新预约 left them
    act(services.task_complete, process=reminder, operator=xiaolin, data={"confirmed": True})
    reminder.refresh_from_db()
    assert reminder.record_id == appointment.pk  # the process links to it
    assert reminder.scheduled_time == appointment.scheduled_at
    appointment.refresh_from_db()
    assert appointment.confirmed is True and appointment.full_name == "李女士"

    # 到诊确认 runs in the called sub-program 客户接待: the same tree, the same record
    confirmation = live(program, "arrival_confirmation")
    assert confirmation.parent_id != program.pk
    assert task_record(confirmation) == appointment
    act(services.task_complete, process=confirmation, operator=xiaolin, data={"arrived": True})
    appointment.refresh_from_db()
    assert appointment.arrived is True and appointment.confirmed is True
    assert Appointment().objects.count() == 1
    confirmation.refresh_from_db()
    assert confirmation.record_id == appointment.pk
    assert appointment.pid_id == confirmation.pk  # the record names the step that saved it last


def _reads_of(captured, table: str) -> list[str]:
    return [
        q["sql"]
        for q in captured
        if q["sql"].startswith("SELECT") and f'FROM "{table}"' in q["sql"]
    ]


def test_the_lock_that_takes_the_task_answers_the_look_up(clinic_spec_dir, act):
    """Which record a completed task fills costs no statement of its own: the lock that takes
    the task finds it; the record is then read by its key, and only when one is carried."""
    customer = _published(clinic_spec_dir, act)
    xiaolin = operator("clinic", "xiaolin")
    program = act(
        services.process_start,
        tenant="clinic",
        program="customer_service",
        entity=customer,
        operator=xiaolin,
    )
    table = Appointment()._meta.db_table
    first = Process.objects.get(pk=live(program, "new_appointment").pk)
    when = (timezone.now() + timedelta(hours=2)).replace(microsecond=0)
    with CaptureQueriesContext(connection) as captured:
        act(
            services.task_complete,
            process=first,
            operator=xiaolin,
            data={"full_name": "李女士", "phone": "13800000000", "scheduled_at": when},
        )
    looked_up = [
        sql for sql in _reads_of(captured, "kernel_process") if '"record_type_id" =' in sql
    ]
    assert len(looked_up) == 1 and "kernel_process" in looked_up[0]  # the lock, nothing else
    assert _reads_of(captured, table) == []  # nothing carried: a fresh appointment
    appointment = Appointment().objects.get()

    reminder = Process.objects.get(pk=live(program, "arrival_reminder").pk)
    with CaptureQueriesContext(connection) as captured:
        act(services.task_complete, process=reminder, operator=xiaolin, data={"confirmed": True})
    looked_up = [
        sql for sql in _reads_of(captured, "kernel_process") if '"record_type_id" =' in sql
    ]
    assert len(looked_up) == 1 and "kernel_process" in looked_up[0]
    reads = _reads_of(captured, table)
    assert len(reads) == 1 and "kernel_process" not in reads[0]  # the carried one, by its key
    reminder.refresh_from_db()
    assert reminder.record_id == appointment.pk
    assert Appointment().objects.count() == 1


def test_rest_complete_updates_the_carried_record(program, act):
    program, appointment = program
    client = APIClient()
    client.force_login(operator("clinic", "xiaolin").user)
    reminder = live(program, "arrival_reminder")
    response = act(
        client.post,
        path=f"/clinic/api/tasks/{reminder.pk}/complete/",
        data={"confirmed": True, "remark": "会准时到"},
        format="json",
    )
    assert response.status_code == 200, response.content
    appointment.refresh_from_db()
    assert (appointment.confirmed, appointment.remark) == (True, "会准时到")
    assert Appointment().objects.count() == 1
    assert response.json()["record"]["id"] == appointment.pk


def test_invalid_data_for_the_carried_record_changes_nothing(program, act):
    program, appointment = program
    reminder = live(program, "arrival_reminder")
    with pytest.raises(KernelError) as caught:
        act(
            services.task_complete,
            process=reminder,
            operator=operator("clinic", "xiaolin"),
            data={"confirmed": True, "scheduled_at": None},
        )
    assert caught.value.code == "invalid_record"
    appointment.refresh_from_db()
    assert appointment.confirmed is False and appointment.scheduled_at is not None
    reminder.refresh_from_db()
    assert reminder.record_id is None and reminder.state == "READY"


def test_another_customer_or_program_starts_a_fresh_record(program, act):
    program, appointment = program
    xiaolin = operator("clinic", "xiaolin")
    other = apps.get_model("clinic", "Customer").objects.create(full_name="王先生", phone="139")
    second = act(
        services.process_start,
        tenant="clinic",
        program="customer_service",
        entity=other,
        operator=xiaolin,
    )
    assert task_record(live(second, "new_appointment")) is None
    # a second program on the same customer starts from a blank appointment too
    again = act(
        services.process_start,
        tenant="clinic",
        program="customer_service",
        entity=appointment.master,
        operator=xiaolin,
    )
    assert task_record(live(again, "new_appointment")) is None
    # a service started on its own (no program) fills a fresh record
    alone = act(
        services.process_start,
        tenant="clinic",
        program="new_appointment",
        entity=appointment.master,
        operator=xiaolin,
    )
    assert alone.root_id is None and task_record(alone) is None


def test_new_record_asks_for_a_fresh_record(tmp_path, clinic_spec_dir, act):
    folder = tmp_path / "clinic"
    shutil.copytree(clinic_spec_dir, folder)
    services_yaml = folder / "services.yaml"
    text = services_yaml.read_text(encoding="utf-8")
    old = "form: appointment_confirm_form, serves: customer,"
    assert text.count(old) == 1
    services_yaml.write_text(text.replace(old, old + " new_record: true,"), encoding="utf-8")
    customer = _published(folder, act)
    assert ServiceDef.objects.get(
        revision__tenant__name="clinic", name="arrival_reminder"
    ).new_record
    assert ServiceDef.objects.get(revision__tenant__name="clinic", name="follow_up").new_record
    assert not ServiceDef.objects.get(
        revision__tenant__name="clinic", name="arrival_confirmation"
    ).new_record

    xiaolin = operator("clinic", "xiaolin")
    program = act(
        services.process_start,
        tenant="clinic",
        program="customer_service",
        entity=customer,
        operator=xiaolin,
    )
    when = timezone.now() + timedelta(hours=2)
    data = {"full_name": "李女士", "scheduled_at": when}
    act(
        services.task_complete,
        process=live(program, "new_appointment"),
        operator=xiaolin,
        data=data,
    )
    reminder = live(program, "arrival_reminder")
    assert task_record(reminder) is None
    with pytest.raises(KernelError):  # a blank appointment: its required time is missing
        act(services.task_complete, process=reminder, operator=xiaolin, data={"confirmed": True})
    act(
        services.task_complete, process=reminder, operator=xiaolin, data={**data, "confirmed": True}
    )
    assert Appointment().objects.count() == 2
    # the next step carries the latest record of the tree: the reminder's
    reminder.refresh_from_db()
    confirmation = live(program, "arrival_confirmation")
    assert task_record(confirmation).pk == reminder.record_id
    assert Process.objects.filter(record_id=reminder.record_id).count() == 1


def test_parallel_threads_fill_their_own_records_and_the_quote_flows_on(repair_shop_spec_dir, act):
    """repair_shop: two parallel inspections never share a record; 审批 (approve_quote) in the
    calling program updates the quote the called sub-program's write_quote produced."""
    spec_load(folder=repair_shop_spec_dir)
    revision_publish(tenant="repair_shop")
    shop = apps.get_model
    customer = shop("repair_shop", "Customer").objects.create(full_name="Max", phone="030")
    phone = shop("repair_shop", "DeviceType").objects.create(label="Phone")
    device = shop("repair_shop", "Device").objects.create(
        master=customer, device_type=phone, model_name="X1"
    )
    ana, ben = operator("repair_shop", "ana"), operator("repair_shop", "ben")
    job = act(
        services.process_start,
        tenant="repair_shop",
        program="repair_job",
        entity=customer,
        operator=ana,
    )
    act(
        services.task_complete,
        process=live(job, "intake_service"),
        operator=ana,
        data={"device": device.pk},
    )
    first, second = Process.objects.filter(root=job, service__name="inspect").order_by("pk")
    assert first.fanout_id == second.fanout_id is not None
    act(services.task_complete, process=first, operator=ben, data={"findings": "screen"})
    assert task_record(second) is None
    act(services.task_complete, process=second, operator=ben, data={"findings": "battery"})
    findings = sorted(shop("repair_shop", "Inspection").objects.values_list("findings", flat=True))
    assert findings == ["battery", "screen"]

    act(
        services.task_complete,
        process=live(job, "write_quote"),
        operator=ben,
        data={"labour_hours": 2, "parts_cost": 10},
    )
    quote = shop("repair_shop", "Quote").objects.get()
    approve = live(job, "approve_quote")
    assert task_record(approve) == quote
    act(services.task_complete, process=approve, operator=ana, data={"valid_until": "2027-01-31"})
    quote.refresh_from_db()
    assert str(quote.valid_until) == "2027-01-31" and quote.labour_hours == 2
    assert shop("repair_shop", "Quote").objects.count() == 1
