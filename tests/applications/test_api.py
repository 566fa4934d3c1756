"""The tenant REST plumbing: JWT and session auth, tenant gate, model permissions, schema."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from tests.applications.conftest import PASSWORD

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.applications.urls_two_tenants")]


@pytest.fixture
def api() -> APIClient:
    return APIClient()


@pytest.fixture
def roles(make_operator):
    from kernel.models import Role

    ann = make_operator("alpha", "ann", perms=["kernel.view_role", "kernel.add_role"])
    bob = make_operator("beta", "bob", perms=["kernel.view_role", "kernel.add_role"])
    own = Role.objects.create(tenant=ann.tenant, name="front", label="前台")
    other = Role.objects.create(tenant=bob.tenant, name="hidden", label="隐藏")
    return {"ann": ann, "bob": bob, "own": own, "other": other}


def test_anonymous_gets_401(api):
    assert api.get("/alpha/api/roles/").status_code == 401
    assert api.get("/alpha/api/schema/").status_code == 401


def test_jwt_bearer_token_works_on_a_tenant_api(api, roles):
    token = api.post("/api/token/", {"username": "alpha_ann", "password": PASSWORD}).json()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token['access']}")
    response = api.get("/alpha/api/roles/")
    assert response.status_code == 200
    assert [row["name"] for row in response.json()["results"]] == ["front"]


def test_session_auth_works_and_other_tenant_rows_are_404(api, roles):
    api.force_login(roles["ann"].user)
    assert api.get(f"/alpha/api/roles/{roles['own'].pk}/").json()["label"] == "前台"
    assert api.get(f"/alpha/api/roles/{roles['other'].pk}/").status_code == 404


def test_operator_of_another_tenant_gets_403(api, roles):
    api.force_login(roles["bob"].user)
    assert api.get("/alpha/api/roles/").status_code == 403
    assert api.get(f"/alpha/api/roles/{roles['own'].pk}/").status_code == 403
    assert api.get("/alpha/api/schema/").status_code == 403
    assert api.get("/alpha/api/docs/").status_code == 403


def test_missing_model_permission_gets_403(api, make_operator):
    plain = make_operator("alpha", "pat")
    api.force_login(plain.user)
    assert api.get("/alpha/api/roles/").status_code == 403
    reader = make_operator("alpha", "rey", perms=["kernel.view_role"])
    api.force_login(reader.user)
    assert api.get("/alpha/api/roles/").status_code == 200
    assert api.post("/alpha/api/roles/", {"name": "x", "label": "x"}).status_code == 403


def test_read_only_base_columns_are_ignored_on_write(api, roles):
    from kernel.models import Role

    api.force_login(roles["ann"].user)
    role = Role.objects.get(pk=roles["own"].pk)
    response = api.get("/alpha/api/roles/", {"search": "qt"})  # pym of 前台
    assert [row["name"] for row in response.json()["results"]] == [role.name]


def test_schema_and_docs_cover_only_the_tenant_api(api, roles):
    api.force_login(roles["ann"].user)
    schema = api.get("/alpha/api/schema/", {"format": "json"})
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert "/alpha/api/roles/" in paths
    assert not any(path.startswith("/beta/") for path in paths)
    docs = api.get("/alpha/api/docs/")
    assert docs.status_code == 200
    body = docs.content.decode()
    assert "/alpha/api/schema/" in body
    assert "cdn.jsdelivr" not in body and "unpkg" not in body
