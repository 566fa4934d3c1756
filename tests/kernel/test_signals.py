"""Saving the record of a RUNNING task (outside the kernel) completes the task."""

import pytest
from django.apps import apps

from design.publish import revision_publish
from design.specs.validate import validate_folder
from kernel import services
from kernel.models import Process
from tests.kernel.helpers import operator

pytestmark = pytest.mark.django_db


def test_record_save_completes_running_task(repair_shop_spec_dir):
    revision_publish(tenant="repair_shop", spec=validate_folder(repair_shop_spec_dir))
    customer = apps.get_model("repair_shop", "Customer").objects.create(
        full_name="A B", phone="0301234567"
    )
    ana = operator("repair_shop", "ana")
    job = services.process_start(tenant="repair_shop", program="repair_job", entity=customer)
    intake = Process.objects.get(root=job, service__name="intake_service")
    services.task_claim(process=intake, operator=ana)
    kind = apps.get_model("repair_shop", "DeviceType").objects.create(label="Phone")
    device = apps.get_model("repair_shop", "Device").objects.create(
        master=customer, device_type=kind
    )
    record = apps.get_model("repair_shop", "Intake").objects.create(
        pid=intake, master=customer, device=device
    )
    intake.refresh_from_db()
    assert intake.state == "TERMINATED" and intake.record_id == record.pk
    assert Process.objects.get(root=job, service__name="diagnosis").state == "RUNNING"
    record.notes = "saved again"
    record.save()  # the task is already done: nothing happens
    assert Process.objects.filter(root=job, service__name="diagnosis").count() == 1
