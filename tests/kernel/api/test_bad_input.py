"""Bad input to the kernel REST API: a coded 400 (or 404) with the field located, never a 500,
and nothing written (issue 7, "Bad input never gives a 500 and never leaves poison behind")."""

from __future__ import annotations

import pytest
from django.apps import apps
from rest_framework.test import APIClient

from kernel.models import Process
from tests.kernel.api.test_endpoints import API, live, start_job

pytestmark = pytest.mark.django_db

# (field, value) pairs for the repair_shop intake record that the entity API refuses with a 400.
BAD_RECORD_VALUES = [  # raw JSON text of the value
    ("notes", r'"nul\u0000byte"'),
    ("notes", r'"x\ud800y"'),
    ("notes", "{}"),
    ("device", '"abc"'),
    ("device", "99999999"),
    ("device", "1" + "0" * 30),
    ("device", "{}"),
    ("device", "1e400"),
    ("device", "true"),
    ("faults", '"abc"'),
    ("faults", "[99999999]"),
    ("faults", "[{}]"),
    ("dropped_off_at", "12345"),
    ("dropped_off_at", "{}"),
    ("dropped_off_at", '"0001-01-01T00:00:00+14:00"'),
    ("dropped_off_at", '"0001-01-01T00:00:00"'),
    ("dropped_off_at", '"9999-12-31T23:59:59-14:00"'),
    ("dropped_off_at", '"9999-12-31T23:00:00"'),
    ("dropped_off_at", '"2024-02-30T10:00:00"'),
    ("dropped_off_at", r'"nul\u0000"'),
]


def raw_client(operator) -> APIClient:
    client = APIClient(raise_request_exception=False)
    client.force_login(operator.user)
    return client


def test_complete_refuses_every_bad_value_with_a_located_400_and_writes_nothing(
    shop, client_as, act
):
    ana = raw_client(shop.ana)
    job = start_job(act, ana, shop.customer)
    intake = live(job["pid"], "intake_service")
    intake_model = apps.get_model("repair_shop", "Intake")
    problems = []
    for field, value in BAD_RECORD_VALUES:
        body = f'{{"device": {shop.device.pk}, "{field}": {value}}}'
        response = act(
            ana.post,
            f"{API}/tasks/{intake.pk}/complete/",
            body,
            format=None,
            content_type="application/json",
        )
        ok = (
            response.status_code == 400
            and response["Content-Type"].startswith("application/json")
            and response.json()["code"] == "invalid_record"
            and field in response.json().get("errors", {})
        )
        if not ok:
            problems.append((field, value[:40], response.status_code, response.content[:200]))
    assert problems == [], "\n".join(map(str, problems))
    assert not intake_model.objects.exists()
    intake.refresh_from_db()
    assert intake.record_id is None and intake.state in ("READY", "RUNNING")
    # and the task can still be completed with good data afterwards
    good = act(ana.post, f"{API}/tasks/{intake.pk}/complete/", {"device": shop.device.pk})
    assert good.status_code == 200, good.content
    assert ana.get(f"{API}/tasks/", {"scope": "public"}).status_code == 200


def test_bad_bodies_paths_and_params_answer_coded_json_never_500(shop, client_as, act):
    from django.contrib.auth.models import Permission

    shop.ana.user.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="repair_shop",
            codename__in=["view_customer", "add_customer", "view_device", "add_device"],
        )
    )
    ana = raw_client(shop.ana)
    job = start_job(act, ana, shop.customer)
    intake = live(job["pid"], "intake_service")
    deep = "[" * 20000 + "]" * 20000
    start = f"{API}/processes/start/"
    cases = [  # (method, path, body, content type, expected status)
        ("post", start, '{"program": "repair_job", "entity": ' + deep + "}", "json", 400),
        ("post", start, deep, "json", 400),
        ("post", start, b'{"program": "repair_job\xff\xfe"}', "json", 400),
        ("post", start, '{"program": "repair_job",', "json", 400),
        ("post", start, '{"program": NaN}', "json", 400),
        ("post", start, '{"program": "repair_job", "entity": {"type": "customer", "id": 1e400}}',
         "json", 400),
        ("post", start, '{"program": "repair_job", "entity": {"type": "customer", "id": '
         + "9" * 40 + "}}", "json", 400),
        ("post", start, '{"program": "repair\\u0000job"}', "json", 400),
        ("post", start, '{"program": "x\\ud800y"}', "json", 400),
        ("post", start, "program=repair_job", "text/plain", 415),
        ("post", f"{API}/tasks/{intake.pk}/complete/", b"--x\r\nbroken", "multipart", 400),
        ("post", f"{API}/tasks/{intake.pk}/complete/", "[1, 2]", "json", 400),
        ("post", f"{API}/tasks/{intake.pk}/decide/", '{"rule": ' + "9" * 40 + "}", "json", 400),
        ("post", f"{API}/tasks/{intake.pk}/shift/", '{"operator": "a\\u0000"}', "json", 400),
        ("get", f"{API}/processes/{'9' * 40}/", None, None, 404),
        ("get", f"{API}/tasks/?scope=entity&entity=not-a-uuid", None, None, 400),
        ("get", f"{API}/tasks/?page={'9' * 40}", None, None, 400),
        ("get", f"{API}/no_such_endpoint/", None, None, 404),
        ("post", f"{API}/no_such_endpoint/", "{}", "json", 404),
        ("get", "/no_such_tenant/api/x/", None, None, 404),
        ("get", f"{API}/customer/?full_name=%00", None, None, 400),
        ("get", f"{API}/customer/?search=a%00b", None, None, 400),
        ("get", f"{API}/customer/?id=abc", None, None, 200),  # an unknown filter is ignored
        ("get", f"{API}/customer/?ordering=%00", None, None, 400),
        ("get", f"{API}/device/?device_type=abc", None, None, 400),
        ("get", f"{API}/device/?device_type={'9' * 40}", None, None, 400),
        ("get", f"{API}/intake/?dropped_off_at=0001-01-01T00:00:00", None, None, 400),
        ("get", f"{API}/customer/{'9' * 40}/", None, None, 404),
        ("get", f"{API}/customer/abc/", None, None, 404),
        ("post", f"{API}/customer/", '{"full_name": "x\\ud800y"}', "json", 400),
        ("post", f"{API}/customer/", '{"full_name": "Eve", "phone": 1e400}', "json", 400),
        ("post", f"{API}/device/", '{"master": 1e400, "device_type": true}', "json", 400),
    ]  # fmt: skip
    types = {"json": "application/json", "multipart": "multipart/form-data; boundary=x"}
    problems = []
    for method, path, body, kind, expected in cases:
        kwargs = {}
        if body is not None:
            kwargs = {"data": body, "content_type": types.get(kind, kind)}
        response = getattr(ana, method)(path, **kwargs)
        content_type = response.get("Content-Type", "")
        ok = response.status_code == expected and content_type.startswith("application/json")
        if ok and expected >= 400:
            payload = response.json()
            ok = bool(payload.get("code") or payload.get("detail") or payload) and isinstance(
                payload, dict
            )
        if not ok:
            problems.append((method, path[:80], response.status_code, response.content[:160]))
    assert problems == [], "\n".join(map(str, problems))
    # nothing was started by any of them
    assert Process.objects.filter(parent__isnull=True).count() == 1


def test_csrf_failure_on_an_api_path_is_json(shop):
    client = APIClient(enforce_csrf_checks=True, raise_request_exception=False)
    client.force_login(shop.ana.user)
    response = client.post(f"{API}/processes/start/", {"program": "repair_job"}, format="json")
    assert response.status_code == 403
    assert response["Content-Type"].startswith("application/json")
    assert "CSRF" in response.json()["detail"]
    unknown = client.post(f"{API}/nowhere/", {}, format="json")
    assert unknown.status_code == 404 and unknown.json()["code"] == "not_found"
