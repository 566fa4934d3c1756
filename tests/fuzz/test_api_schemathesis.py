"""Property-based fuzzing of each tenant's REST API from its own OpenAPI schema: no 5xx, ever.

Schemathesis generates requests (valid and invalid: wrong types, huge numbers, odd strings,
missing fields) for every operation of ``/<tenant>/api/schema/``; they run through Django's
test client as a signed-in operator with every right (a superuser operator), so each
endpoint's validation is reached. Bounded: passes over all operations, one valid and one
invalid example per operation and pass (seeded by the pass number: the same requests every
run), as many passes as fit in ``ERPSYS_FUZZ_SECONDS`` per tenant (default 0: one pass,
~170 requests per tenant, ~40 s on a loaded 2-core machine); ``ERPSYS_FUZZ_SECONDS=600`` for
a deeper run.
"""

from __future__ import annotations

import os
import time
from urllib.parse import urlsplit

import pytest
import requests
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st

schemathesis = pytest.importorskip("schemathesis")

from schemathesis import GenerationMode  # noqa: E402

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

BUDGET = float(os.environ.get("ERPSYS_FUZZ_SECONDS", "0"))
MAX_PASSES = 50


def tenant_client(tenant: str, spec_dir):
    """Load and publish the tenant; a superuser operator's test client and the OpenAPI dict."""
    from django.contrib.auth import get_user_model
    from django.test import Client

    from core.models import Tenant
    from design.publish import revision_publish
    from design.services import spec_load
    from kernel.models import Operator

    spec_load(folder=spec_dir)
    revision_publish(tenant=tenant)
    user = get_user_model().objects.create_superuser(f"{tenant}_fuzz", "", "fuzz-pass-1234")
    Operator.objects.create(
        tenant=Tenant.objects.get(name=tenant), user=user, name="fuzz", label="fuzz"
    )
    client = Client(raise_request_exception=False)
    client.force_login(user)
    response = client.get(f"/{tenant}/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200, response.content[:300]
    return client, response.json()


def send(client, case) -> tuple[int, str]:
    """Send a schemathesis case through Django's test client; (status, a curl-like line)."""
    kwargs = case.as_transport_kwargs(base_url="http://testserver")
    prepared = requests.Request(
        method=kwargs["method"],
        url=kwargs["url"],
        headers=kwargs.get("headers"),
        params=kwargs.get("params"),
        json=kwargs.get("json"),
        data=kwargs.get("data"),
        files=kwargs.get("files"),
    ).prepare()
    parts = urlsplit(prepared.url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    body = prepared.body or b""
    if isinstance(body, str):
        body = body.encode("utf-8", "surrogatepass")
    content_type = prepared.headers.get("Content-Type", "application/octet-stream")
    response = client.generic(
        prepared.method, path, data=body, content_type=content_type, secure=False
    )
    return response.status_code, f"{prepared.method} {path} {body[:200]!r}"


def fuzz(client, schema: dict) -> tuple[list[str], int]:
    """(5xx answers, requests sent) over passes of every operation until the budget is spent."""
    loaded = schemathesis.openapi.from_dict(schema)
    failures: list[str] = []
    operations = [result.ok() for result in loaded.get_all_operations()]
    assert len(operations) > 10
    strategies = []
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            strategies.append(operation.as_strategy(generation_mode=mode))
    sent = [0]
    started = time.monotonic()
    for number in range(MAX_PASSES):
        for strategy in strategies:
            seed(number)(examples(client, strategy, failures, sent))()
        if time.monotonic() - started > BUDGET:
            break
    return failures, sent[0]


def examples(client, strategy, failures: list[str], sent: list[int]):
    """A Hypothesis test sending one case of ``strategy``; 5xx answers go to failures."""

    @settings(
        max_examples=1,
        deadline=None,
        database=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(data=st.data())
    def run(data):
        status, line = send(client, data.draw(strategy))
        sent[0] += 1
        if status >= 500:
            failures.append(f"{status} {line}")

    return run


def test_repair_shop_api_never_answers_5xx(
    repair_shop_spec_dir, django_capture_on_commit_callbacks
):
    client, schema = tenant_client("repair_shop", repair_shop_spec_dir)
    with django_capture_on_commit_callbacks(execute=True):
        failures, sent = fuzz(client, schema)
    assert sent >= 2 * len(schema["paths"])
    assert failures == [], "\n".join(failures[:40])


def test_clinic_api_never_answers_5xx(clinic_spec_dir, django_capture_on_commit_callbacks):
    client, schema = tenant_client("clinic", clinic_spec_dir)
    with django_capture_on_commit_callbacks(execute=True):
        failures, sent = fuzz(client, schema)
    assert sent >= 2 * len(schema["paths"])
    assert failures == [], "\n".join(failures[:40])
