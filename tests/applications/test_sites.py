"""The tenant admin site: login, who gets in, header from the tenant row, scoped changelists."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from applications.sites import TenantAdminSite, tenant_site
from tests.applications.conftest import PASSWORD

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.applications.urls_two_tenants")]


def test_tenant_site_is_cached_and_named_after_the_tenant():
    site = tenant_site("alpha")
    assert isinstance(site, TenantAdminSite)
    assert site is tenant_site("alpha")
    assert site.name == "alpha"
    assert reverse("alpha:board") == "/alpha/"
    assert reverse("alpha:index") == "/alpha/admin/"
    assert reverse("alpha:login") == "/alpha/login/"
    assert reverse("alpha:kernel_role_changelist") == "/alpha/admin/kernel/role/"


def test_anonymous_is_sent_to_the_tenant_login(client):
    response = client.get("/alpha/")
    assert response.status_code == 302
    assert response["Location"].startswith("/alpha/login/?next=/alpha/")


def test_operator_of_the_tenant_logs_in_and_sees_the_workbench(client, make_operator):
    operator = make_operator("alpha", "ann", perms=["kernel.view_role"])
    operator.tenant.label = "阿尔法维修"
    operator.tenant.save()
    response = client.post(
        "/alpha/login/", {"username": "alpha_ann", "password": PASSWORD, "next": "/alpha/"}
    )
    assert response.status_code == 302 and response["Location"] == "/alpha/"
    page = client.get("/alpha/")
    assert page.status_code == 200
    assert "阿尔法维修" in page.content.decode()
    assert 'href="/alpha/admin/"' in page.content.decode()  # master data, from the board
    admin = client.get("/alpha/admin/")
    assert admin.status_code == 200 and "/alpha/admin/kernel/role/" in admin.content.decode()


def test_operator_of_another_tenant_cannot_log_in(client, make_operator):
    make_operator("beta", "bob")
    response = client.post("/alpha/login/", {"username": "beta_bob", "password": PASSWORD})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert "_auth_user_id" not in client.session


def test_signed_in_outsider_gets_403(client, make_operator):
    outsider = make_operator("beta", "bob", perms=["kernel.view_role"])
    client.force_login(outsider.user)
    assert client.get("/alpha/").status_code == 403
    assert client.get("/alpha/admin/kernel/role/").status_code == 403
    assert client.get("/beta/").status_code == 200


@pytest.mark.parametrize("case", ["superuser", "inactive_operator", "inactive_user", "no_operator"])
def test_only_active_operators_get_in(client, make_operator, django_user_model, case):
    if case == "no_operator":
        user = django_user_model.objects.create_user(username="x", password=PASSWORD, is_staff=True)
    else:
        operator = make_operator(
            "beta" if case == "superuser" else "alpha",
            "carl",
            active=case != "inactive_operator",
            superuser=case == "superuser",
        )
        user = operator.user
        if case == "inactive_user":
            user.is_active = False
            user.save()
    client.force_login(user)
    response = client.get("/alpha/")
    assert response.status_code in (302, 403)
    assert response.status_code == 403 or "/login/" in response["Location"]


def test_changelist_needs_the_model_permission_and_is_scoped_to_the_tenant(client, make_operator):
    from kernel.models import Role

    ann = make_operator("alpha", "ann")
    Role.objects.create(tenant=ann.tenant, name="front", label="前台")
    beta = make_operator("beta", "bob").tenant
    Role.objects.create(tenant=beta, name="secret_beta_role", label="秘密")
    client.force_login(ann.user)
    assert client.get("/alpha/admin/kernel/role/").status_code == 403
    ann.user.user_permissions.add(
        Permission.objects.get(content_type__app_label="kernel", codename="view_role")
    )
    page = client.get("/alpha/admin/kernel/role/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "前台" in body and "秘密" not in body
