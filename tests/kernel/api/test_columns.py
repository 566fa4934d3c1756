"""View column paths: the allowlist walk (never a private name) and prefetching for whole lists."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kernel import services
from kernel.api.columns import column_value, task_rows
from kernel.models import Process

pytestmark = pytest.mark.django_db

COLUMNS = [
    {"label": "Device", "value": "record.device.model_name"},
    {"label": "Type", "value": "record.device.device_type.label"},
    {"label": "Faults", "value": "record.faults"},
    {"label": "Customer", "value": "entity.full_name"},
    {"label": "Operator", "value": "operator.name"},
]


def _intakes(shop, count: int, django_capture_on_commit_callbacks) -> None:
    customer_model = apps.get_model("repair_shop", "Customer")
    fault = apps.get_model("repair_shop", "Fault").objects.create(label="Cracked")
    for index in range(count):
        customer = customer_model.objects.create(full_name=f"C{index}", phone="1")
        with django_capture_on_commit_callbacks(execute=True):
            job = services.process_start(
                tenant="repair_shop", program="repair_job", entity=customer, operator=shop.ana
            )
            intake = Process.objects.get(parent=job, service__name="intake_service")
            services.task_complete(
                process=intake,
                operator=shop.ana,
                data={"device": shop.device.pk, "faults": [fault.pk]},
            )


def _rows():
    tasks = list(
        Process.objects.filter(service__name="intake_service")
        .select_related("service", "operator")
        .prefetch_related("entity")
        .order_by("pid")
    )
    with CaptureQueriesContext(connection) as queries:
        rows = task_rows(tasks, COLUMNS)
    return rows, len(queries)


def test_record_and_entity_paths_are_prefetched_for_the_whole_list(
    shop, django_capture_on_commit_callbacks
):
    _intakes(shop, 2, django_capture_on_commit_callbacks)
    few_rows, few = _rows()
    assert few_rows[0]["values"] == {
        "record.device.model_name": "X1",
        "record.device.device_type.label": "Phone",
        "record.faults": ["Cracked"],
        "entity.full_name": "C0",
        "operator.name": "ana",
    }
    _intakes(shop, 10, django_capture_on_commit_callbacks)
    many_rows, many = _rows()
    assert len(many_rows) == 12 and many == few


@pytest.mark.parametrize(
    "path",
    [
        "_state",
        "entity._meta",
        "entity._state.db",
        "record.__class__",
        "entity.full_name.upper",
        "service.roles",
        "operator.user",
        "tenant",
        "context",
        "entity.save",
        "entity",
    ],
)
def test_paths_outside_the_allowlist_are_none(shop, django_capture_on_commit_callbacks, path):
    _intakes(shop, 1, django_capture_on_commit_callbacks)
    intake = Process.objects.get(service__name="intake_service")
    assert column_value(intake, path) is None
