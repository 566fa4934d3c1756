"""Kernel roles over REST, as docs/kernel.md says: who may read, start and manage which task.

The repair_shop spec is used with one addition: the manager role ``supervises: [technician]``.
"""

from __future__ import annotations

import shutil

import pytest
from django.apps import apps

from kernel.models import Process, Role
from tests.kernel.api.test_endpoints import API, live, start_job

pytestmark = pytest.mark.django_db


@pytest.fixture
def repair_shop_spec_dir(tmp_path):
    """The shared repair_shop spec, with the manager supervising the technicians."""
    from tests.conftest import REPAIR_SHOP_SPEC

    folder = tmp_path / "repair_shop"
    shutil.copytree(REPAIR_SHOP_SPEC, folder)
    services = folder / "services.yaml"
    old = "{label: Manager, name: manager, services: ["
    text = services.read_text(encoding="utf-8")
    assert text.count(old) == 1
    text = text.replace(
        old, "{label: Manager, name: manager, supervises: [technician], services: ["
    )
    lead = "  - {label: Lead, name: lead, supervises: [technician]}\n"  # no service of its own
    lou = "  - {label: Lou, name: lou, roles: [lead]}\n"
    assert text.count("\noperators:\n") == 1
    text = text.replace("\noperators:\n", f"{lead}\noperators:\n{lou}")
    services.write_text(text, encoding="utf-8")
    return folder


def _inspection(shop, client_as, act) -> tuple[dict, Process]:
    """A repair job past its intake: the first inspect task (technicians), unclaimed."""
    ana = client_as(shop.ana)
    job = start_job(act, ana, shop.customer)
    intake = live(job["pid"], "intake_service")
    done = act(ana.post, f"{API}/tasks/{intake.pk}/complete/", {"device": shop.device.pk})
    assert done.status_code == 200, done.content
    inspects = Process.objects.filter(root_id=job["pid"], service__name="inspect")
    return job, inspects.order_by("pid").first()


def test_supervises_is_published_into_kernel_roles(shop):
    manager = Role.objects.get(tenant__name="repair_shop", name="manager")
    assert [r.name for r in manager.supervises.all()] == ["technician"]
    technician = Role.objects.get(tenant__name="repair_shop", name="technician")
    assert sorted(r.name for r in technician.supervised_by.all()) == ["lead", "manager"]
    assert not technician.supervises.exists()


def test_process_detail_needs_the_records_view_permission(shop, client_as, act):
    _job, inspect = _inspection(shop, client_as, act)
    outsider = client_as(shop.ana).get(f"{API}/processes/{inspect.pk}/")
    assert outsider.status_code == 403, outsider.content  # front desk may not view inspections
    assert "record" not in outsider.json()
    own = client_as(shop.ben).get(f"{API}/processes/{inspect.pk}/")
    assert own.status_code == 200 and own.json()["pid"] == inspect.pk


def test_only_manual_start_programs_start_over_rest(shop, client_as, act):
    body = {"program": "diagnosis", "entity": {"type": "customer", "id": shop.customer.pk}}
    for operator in (shop.ana, shop.ben, shop.dora):
        response = act(client_as(operator).post, f"{API}/processes/start/", body)
        assert response.status_code == 400 and response.json()["code"] == "not_startable"
    assert not Process.objects.exists()


def test_start_refuses_an_entity_of_the_wrong_type(shop, client_as, act):
    phone = shop.device.device_type  # a dict row
    for entity in (
        {"type": "device_type", "id": phone.pk},
        {"type": "device", "id": shop.device.pk},
    ):
        body = {"program": "repair_job", "entity": entity}
        response = act(client_as(shop.ana).post, f"{API}/processes/start/", body)
        assert response.status_code == 400, response.content
        assert response.json()["code"] == "invalid_params"
    assert not Process.objects.exists()


@pytest.mark.parametrize("action", ["suspend", "cancel", "shift"])
def test_a_claimed_task_is_its_operators_alone(shop, client_as, act, action):
    _job, inspect = _inspection(shop, client_as, act)
    url = f"{API}/tasks/{inspect.pk}"
    assert act(client_as(shop.ben).post, f"{url}/claim/").status_code == 200
    body = {"operator": "chen"} if action == "shift" else None
    response = act(client_as(shop.chen).post, f"{url}/{action}/", body)  # same role, not his
    assert response.status_code == 403 and response.json()["code"] == "not_permitted"
    inspect.refresh_from_db()
    assert inspect.operator_id == shop.ben.pk and inspect.state in ("RUNNING", "WAITING")


def test_resume_of_another_operators_task_is_refused(shop, client_as, act):
    _job, inspect = _inspection(shop, client_as, act)
    url = f"{API}/tasks/{inspect.pk}"
    ben = client_as(shop.ben)
    act(ben.post, f"{url}/claim/")
    assert act(ben.post, f"{url}/suspend/").json()["state"] == "SUSPENDED"
    response = act(client_as(shop.chen).post, f"{url}/resume/")
    assert response.status_code == 403 and response.json()["code"] == "not_permitted"


def test_a_supervisor_reassigns_suspends_resumes_and_cancels(shop, client_as, act):
    _job, inspect = _inspection(shop, client_as, act)
    url = f"{API}/tasks/{inspect.pk}"
    dora = client_as(shop.dora)
    act(client_as(shop.ben).post, f"{url}/claim/")
    assert act(dora.post, f"{url}/suspend/").json()["state"] == "SUSPENDED"
    assert act(dora.post, f"{url}/resume/").status_code == 200
    to_chen = act(dora.post, f"{url}/shift/", {"operator": "chen"})
    assert to_chen.status_code == 200 and to_chen.json()["operator"]["name"] == "chen"
    cancelled = act(dora.post, f"{url}/cancel/")
    assert cancelled.status_code == 200 and cancelled.json()["state"] == "TERMINATED"


def test_complete_refuses_fields_the_kernel_owns(shop, client_as, act):
    ana = client_as(shop.ana)
    job = start_job(act, ana, shop.customer)
    intake = live(job["pid"], "intake_service")
    other = apps.get_model("repair_shop", "Customer").objects.create(full_name="Eve")
    url = f"{API}/tasks/{intake.pk}/complete/"
    for field, value in (("master", other.pk), ("pid", job["pid"]), ("erpsys_id", "x")):
        response = act(ana.post, url, {"device": shop.device.pk, field: value})
        assert response.status_code == 400, (field, response.content)
        assert response.json()["code"] == "invalid_record" and field in response.json()["errors"]
    missing_fault = act(ana.post, url, {"device": shop.device.pk, "faults": [99999]})
    assert missing_fault.status_code == 400 and "faults" in missing_fault.json()["errors"]
    intake.refresh_from_db()
    assert intake.state == "READY" and intake.record_id is None
    assert not apps.get_model("repair_shop", "Intake").objects.exists()


def test_expressions_see_a_records_process_as_id_name_label_only(shop, client_as, act):
    from kernel.engine.namespace import row_mapping

    ana = client_as(shop.ana)
    job = start_job(act, ana, shop.customer)
    intake = live(job["pid"], "intake_service")
    act(ana.post, f"{API}/tasks/{intake.pk}/complete/", {"device": shop.device.pk})
    record = apps.get_model("repair_shop", "Intake").objects.get()
    form = row_mapping(record)
    assert form["pid"] == {"id": intake.pk, "name": None, "label": None}
    assert form["master"]["full_name"] == "Max Muster"  # the tenant's own rows stay readable


def test_a_supervisor_without_the_tasks_role_takes_it_himself(shop, client_as, act):
    from kernel.models import Operator

    lou = Operator.objects.get(tenant__name="repair_shop", name="lou")
    _job, inspect = _inspection(shop, client_as, act)
    url = f"{API}/tasks/{inspect.pk}"
    act(client_as(shop.ben).post, f"{url}/claim/")
    taken = act(client_as(lou).post, f"{url}/shift/", {"operator": "lou"})
    assert taken.status_code == 200 and taken.json()["operator"]["name"] == "lou"
    refused = act(client_as(shop.ana).post, f"{url}/shift/", {"operator": "ana"})
    assert refused.status_code == 403 and refused.json()["code"] == "not_permitted"
