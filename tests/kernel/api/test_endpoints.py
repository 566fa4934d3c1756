"""The kernel REST API of the repair_shop tenant: start, detail, task lists and task actions."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from kernel.models import Process
from tests.kernel.api.conftest import PASSWORD

pytestmark = pytest.mark.django_db

API = "/repair_shop/api"


def start_job(act, client, customer) -> dict:
    response = act(
        client.post,
        f"{API}/processes/start/",
        {"program": "repair_job", "entity": {"type": "customer", "id": customer.pk}},
    )
    assert response.status_code == 201, response.content
    return response.json()


def live(job_pid: int, service: str) -> Process:
    from tests.kernel.helpers import live as live_process

    return live_process(Process.objects.get(pk=job_pid), service)


def test_start_returns_201_with_the_process(shop, client_as, act):
    job = start_job(act, client_as(shop.ana), shop.customer)
    assert job["service"] == {"name": "repair_job", "label": "Repair job"}
    assert job["state"] == "RUNNING"
    assert job["entity"] == {"type": "customer", "id": shop.customer.pk}
    assert job["parent"] is None
    assert [(c["service"]["name"], c["state"]) for c in job["children"]] == [
        ("intake_service", "READY")
    ]
    assert Process.objects.get(pk=job["pid"]).creator_id == shop.ana.pk


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"program": "no_such", "entity": None}, "unknown_service"),
        (
            {"program": "intake_service", "entity": None},
            "not_startable",
        ),  # neither program nor manual_start
        ({"program": "repair_job", "entity": {"type": "spaceship", "id": 1}}, "unknown_entity"),
        ({"program": "repair_job", "entity": {"type": "customer", "id": 99999}}, "unknown_entity"),
        ({"program": "repair_job", "entity": {"type": "_meta", "id": 1}}, "unknown_entity"),
        ({"entity": None}, "invalid_params"),
    ],
)
def test_start_refuses_with_a_coded_400(shop, client_as, act, body, code):
    response = act(client_as(shop.ana).post, f"{API}/processes/start/", body)
    assert response.status_code == 400, response.content
    assert response.json()["code"] == code and response.json()["detail"]
    assert not Process.objects.exists()


def test_process_detail_shows_service_parent_children_record_and_context(shop, client_as, act):
    ana = client_as(shop.ana)
    job = start_job(act, ana, shop.customer)
    intake = live(job["pid"], "intake_service")
    detail = ana.get(f"{API}/processes/{intake.pk}/").json()
    assert detail["pid"] == intake.pk and detail["parent"] == job["pid"]
    assert detail["service"] == {"name": "intake_service", "label": "Intake"}
    assert detail["record"] is None and detail["children"] == [] and detail["context"] == {}
    act(ana.post, f"{API}/tasks/{intake.pk}/complete/", {"device": shop.device.pk, "notes": "x"})
    job_detail = ana.get(f"{API}/processes/{job['pid']}/").json()
    assert job_detail["state"] == "WAITING"
    assert {c["service"]["name"] for c in job_detail["children"]} >= {"intake_service", "diagnosis"}
    done = ana.get(f"{API}/processes/{intake.pk}/").json()
    assert done["record"]["type"] == "intake"
    assert done["record"]["fields"]["notes"] == "x"
    assert done["record"]["fields"]["device"] == shop.device.pk
    assert done["record"]["fields"]["faults"] == []


def test_public_mine_and_entity_lists_use_the_published_views(shop, client_as, act):
    ana, ben = client_as(shop.ana), client_as(shop.ben)
    job = start_job(act, ana, shop.customer)
    intake = live(job["pid"], "intake_service")

    public = ana.get(f"{API}/tasks/", {"scope": "public"}).json()
    assert public["view"] == "public_tasks" and public["count"] == 1
    assert [c["value"] for c in public["columns"]] == [
        "entity.full_name",
        "service.label",
        "scheduled_time",
        "pid",
    ]
    assert public["columns"][3]["visible"] is False
    row = public["results"][0]
    assert row["pid"] == intake.pk and row["service"] == "intake_service"
    assert row["values"] == {
        "entity.full_name": "Max Muster",
        "service.label": "Intake",
        "scheduled_time": None,
        "pid": intake.pk,
    }
    assert ben.get(f"{API}/tasks/").json()["count"] == 0  # scope defaults to public; not his role

    assert act(ana.post, f"{API}/tasks/{intake.pk}/claim/").status_code == 200
    mine = ana.get(f"{API}/tasks/", {"scope": "mine"}).json()
    assert mine["view"] == "my_tasks"
    assert [r["values"] for r in mine["results"]] == [
        {"entity.full_name": "Max Muster", "service.label": "Intake", "state": "RUNNING"}
    ]
    assert ana.get(f"{API}/tasks/", {"scope": "public"}).json()["count"] == 0

    entity = ana.get(
        f"{API}/tasks/", {"scope": "entity", "entity": str(shop.customer.erpsys_id)}
    ).json()
    assert entity["view"] == ""  # repair_shop publishes no entity_tasks view: default columns
    assert {r["service"] for r in entity["results"]} == {"repair_job", "intake_service"}
    by_service = {r["service"]: r["values"] for r in entity["results"]}
    assert by_service["intake_service"]["operator.label"] == "Ana"


def test_task_list_input_errors_are_coded(shop, client_as):
    ana = client_as(shop.ana)
    bad = ana.get(f"{API}/tasks/", {"scope": "everything"})
    assert bad.status_code == 400 and bad.json()["code"] == "invalid_params"
    missing = ana.get(f"{API}/tasks/", {"scope": "entity"})
    assert missing.status_code == 400 and missing.json()["code"] == "invalid_params"
    unknown = ana.get(
        f"{API}/tasks/", {"scope": "entity", "entity": "00000000-0000-0000-0000-000000000000"}
    )
    assert unknown.status_code == 400 and unknown.json()["code"] == "unknown_entity"


def test_claim_and_complete_through_the_first_steps_of_the_repair_job(shop, client_as, act):
    ana, ben, chen = client_as(shop.ana), client_as(shop.ben), client_as(shop.chen)
    job = start_job(act, ana, shop.customer)
    intake = live(job["pid"], "intake_service")

    claimed = act(ana.post, f"{API}/tasks/{intake.pk}/claim/")
    assert claimed.status_code == 200
    assert claimed.json()["state"] == "RUNNING"
    assert claimed.json()["operator"] == {"name": "ana", "label": "Ana"}

    done = act(
        ana.post,
        f"{API}/tasks/{intake.pk}/complete/",
        {"device": shop.device.pk, "notes": "cracked screen"},
    )
    assert done.status_code == 200, done.content
    assert done.json()["state"] == "TERMINATED"
    record = apps.get_model("repair_shop", "Intake").objects.get(pid=intake.pk)
    assert (record.device_id, record.master_id, record.notes) == (
        shop.device.pk,
        shop.customer.pk,
        "cracked screen",
    )

    inspections = ben.get(f"{API}/tasks/", {"scope": "public"}).json()["results"]
    assert [r["service"] for r in inspections] == ["inspect", "inspect"]
    first, second = (r["pid"] for r in inspections)
    assert act(ben.post, f"{API}/tasks/{first}/claim/").json()["state"] == "RUNNING"
    finished = act(ben.post, f"{API}/tasks/{first}/complete/", {"findings": "screen broken"})
    assert finished.status_code == 200 and finished.json()["state"] == "TERMINATED"
    finished = act(chen.post, f"{API}/tasks/{second}/complete/", {"findings": "battery ok"})
    assert finished.status_code == 200, finished.content
    quote = live(job["pid"], "write_quote")
    assert quote.state == "READY"


def test_completing_a_terminated_task_is_409(shop, client_as, act):
    ana = client_as(shop.ana)
    job = start_job(act, ana, shop.customer)
    intake = live(job["pid"], "intake_service")
    act(ana.post, f"{API}/tasks/{intake.pk}/complete/", {"device": shop.device.pk})
    again = act(ana.post, f"{API}/tasks/{intake.pk}/complete/", {"device": shop.device.pk})
    assert again.status_code == 409
    assert again.json()["code"] == "illegal_transition" and again.json()["detail"]
    assert act(ana.post, f"{API}/tasks/{intake.pk}/suspend/").status_code == 409


def test_a_technician_may_not_claim_a_front_desk_task(shop, client_as, act):
    job = start_job(act, client_as(shop.ana), shop.customer)
    intake = live(job["pid"], "intake_service")
    response = act(client_as(shop.ben).post, f"{API}/tasks/{intake.pk}/claim/")
    assert response.status_code == 403
    assert response.json()["code"] == "not_permitted"
    intake.refresh_from_db()
    assert intake.state == "READY" and intake.operator_id is None


def test_invalid_record_data_is_400(shop, client_as, act):
    ana = client_as(shop.ana)
    job = start_job(act, ana, shop.customer)
    intake = live(job["pid"], "intake_service")
    unknown = act(ana.post, f"{API}/tasks/{intake.pk}/complete/", {"no_such_field": 1})
    assert unknown.status_code == 400 and unknown.json()["code"] == "invalid_record"
    bad = act(ana.post, f"{API}/tasks/{intake.pk}/complete/", {"device": "not-a-pk"})
    assert bad.status_code == 400 and bad.json()["code"] == "invalid_record"
    assert "errors" in bad.json()
    not_object = act(ana.post, f"{API}/tasks/{intake.pk}/complete/", [1, 2])
    assert not_object.status_code == 400 and not_object.json()["code"] == "invalid_params"
    intake.refresh_from_db()
    assert intake.state == "READY"  # nothing was written


def test_suspend_resume_shift_and_cancel(shop, client_as, act):
    ana = client_as(shop.ana)
    job = start_job(act, ana, shop.customer)
    intake = live(job["pid"], "intake_service")
    url = f"{API}/tasks/{intake.pk}"
    assert act(ana.post, f"{url}/claim/").json()["state"] == "RUNNING"
    assert act(ana.post, f"{url}/suspend/").json()["state"] == "SUSPENDED"
    assert act(ana.post, f"{url}/resume/").json()["state"] == "RUNNING"
    to_ben = act(ana.post, f"{url}/shift/", {"operator": "ben"})
    assert to_ben.status_code == 403 and to_ben.json()["code"] == "not_permitted"
    to_dora = act(ana.post, f"{url}/shift/", {"operator": "dora"})
    assert to_dora.status_code == 200 and to_dora.json()["operator"]["name"] == "dora"
    nobody = act(ana.post, f"{url}/shift/", {"operator": "zed"})
    assert nobody.status_code == 400 and nobody.json()["code"] == "unknown_operator"
    empty = act(ana.post, f"{url}/shift/", {})
    assert empty.status_code == 400 and empty.json()["code"] == "invalid_params"
    not_hers = act(ana.post, f"{url}/cancel/")  # dora holds the task now
    assert not_hers.status_code == 403 and not_hers.json()["code"] == "not_permitted"
    cancelled = act(client_as(shop.dora).post, f"{url}/cancel/")
    assert cancelled.status_code == 200 and cancelled.json()["state"] == "TERMINATED"


def test_another_tenants_operator_gets_404_for_a_pid_of_this_tenant(shop, client_as, act):
    from django.contrib.auth import get_user_model

    from core.models import Tenant
    from kernel.models import Operator

    job = start_job(act, client_as(shop.ana), shop.customer)
    clinic, _ = Tenant.objects.get_or_create(name="clinic", defaults={"label": "Clinic"})
    user = get_user_model().objects.create_user(username="clinic.carla", password=PASSWORD)
    carla = Operator.objects.create(tenant=clinic, user=user, name="carla", label="Carla")
    client = client_as(carla)
    pid = job["pid"]
    for method, url in [
        ("get", f"/clinic/api/processes/{pid}/"),
        *(("post", f"/clinic/api/tasks/{pid}/{a}/") for a in ("claim", "complete", "cancel")),
    ]:
        response = getattr(client, method)(url, format="json")
        assert response.status_code == 404, url
        assert response.json()["code"] == "not_found"
    # ... and the repair_shop URLs themselves refuse her at the gate
    assert client.get(f"{API}/processes/{pid}/").status_code == 403
    assert client.get(f"{API}/tasks/").status_code == 403


def test_anonymous_gets_401(shop, act):
    anonymous = APIClient()
    for method, url in [
        ("post", f"{API}/processes/start/"),
        ("get", f"{API}/processes/1/"),
        ("get", f"{API}/tasks/"),
        ("post", f"{API}/tasks/1/claim/"),
    ]:
        response = getattr(anonymous, method)(url, format="json")
        assert response.status_code == 401, url
        assert response.json()["code"] == "not_authenticated"
        assert response["WWW-Authenticate"].startswith("Bearer")


def test_jwt_works(shop, act):
    client = APIClient()
    token = client.post(
        "/api/token/", {"username": shop.ana.user.username, "password": PASSWORD}, format="json"
    )
    assert token.status_code == 200, token.content
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token.json()['access']}")
    job = start_job(act, client, shop.customer)
    assert client.get(f"{API}/processes/{job['pid']}/").status_code == 200
    assert client.get(f"{API}/tasks/").json()["count"] == 1
    client.credentials(HTTP_AUTHORIZATION="Bearer not-a-token")
    refused = client.get(f"{API}/tasks/")
    assert refused.status_code == 401
    assert refused.json()["code"] == "token_not_valid" and refused.json()["detail"]


def test_task_list_takes_a_constant_number_of_queries(
    shop, client_as, django_assert_max_num_queries
):
    from kernel import services

    customer_model = apps.get_model("repair_shop", "Customer")
    ana = client_as(shop.ana)

    def start(count: int) -> None:
        for index in range(count):
            customer = customer_model.objects.create(full_name=f"C{index}", phone="1")
            services.process_start(
                tenant="repair_shop", program="repair_job", entity=customer, operator=shop.ana
            )

    def measure(scope: str, expected: int) -> int:
        with CaptureQueriesContext(connection) as queries:
            body = ana.get(f"{API}/tasks/", {"scope": scope}).json()
        assert body["count"] == expected and len(body["results"]) == expected
        return len(queries)

    start(5)
    few = measure("public", 5)
    start(45)
    with django_assert_max_num_queries(few):
        many = measure("public", 50)
    assert many == few <= 12
    for process in Process.objects.filter(service__name="intake_service")[:5]:
        services.task_claim(process=process, operator=shop.ana)
    mine_few = measure("mine", 5)
    for process in Process.objects.filter(service__name="intake_service", operator=None):
        services.task_claim(process=process, operator=shop.ana)
    with django_assert_max_num_queries(mine_few):
        measure("mine", 50)


def test_the_endpoints_are_in_the_tenant_schema_without_warnings(shop, client_as):
    from drf_spectacular.drainage import GENERATOR_STATS

    GENERATOR_STATS.reset()
    response = client_as(shop.ana).get(f"{API}/schema/", {"format": "json"})
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in [
        "/processes/start/",
        "/processes/{pid}/",
        "/tasks/",
        *(f"/tasks/{{pid}}/{a}/" for a in ("claim", "complete", "suspend", "resume", "cancel")),
        "/tasks/{pid}/shift/",
    ]:
        assert f"{API}{path}" in paths, path
    assert "post" in paths[f"{API}/processes/start/"]
    assert "get" in paths[f"{API}/tasks/"]
    problems = [
        message
        for message in [*GENERATOR_STATS._warn_cache, *GENERATOR_STATS._error_cache]
        if "kernel" in message.lower() or "Task" in message or "Process" in message
    ]
    assert problems == []
