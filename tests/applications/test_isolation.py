"""Tenant isolation: every URL of one tenant refuses an operator of the other (403 or 404).

The URLs are enumerated from the resolver (every pattern under the tenant's namespace,
named or not); path parameters are filled with a real row of the pattern's model, so a
refusal is the gate working and not a missing object. The outsider holds EVERY model
permission of the system, so only tenancy stands between them and the data.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.apps import apps
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.urls import get_resolver, resolve
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from applications.tenancy import tenant_app_config
from tests.applications.filler import fill_app

TENANTS = ("clinic", "repair_shop")
# A login page answers anyone (anonymous included) with its form; it shows no tenant data.
PUBLIC_SUFFIXES = ("login/",)


def _installed(tenant: str) -> bool:
    return tenant_app_config(tenant) is not None and tenant in get_resolver().namespace_dict


def _model_of(callback: Any) -> Any | None:
    model_admin = getattr(callback, "model_admin", None)
    if model_admin is not None:
        return model_admin.model
    view_class = getattr(callback, "cls", None)
    queryset = getattr(view_class, "queryset", None)
    return getattr(queryset, "model", None)


def tenant_urls(tenant: str, rows: dict) -> list[str]:
    """Every URL pattern under ``/<tenant>/`` with its parameters filled in."""
    _, resolver = get_resolver().namespace_dict[tenant]
    some_model, some_row = next(iter(rows.items()))
    urls: set[str] = set()
    for key, entries in resolver.reverse_dict.lists():
        if not callable(key):
            continue  # every pattern is also listed under its callback; names add nothing
        model = _model_of(key)
        row = rows.get(model)
        for possibilities, pattern, _defaults, _converters in entries:
            for template, params in possibilities:
                values = {}
                for param in params:
                    if param in ("object_id", "pk"):
                        values[param] = row.pk if row is not None else some_row.pk
                    elif param == "app_label":
                        values[param] = tenant
                    elif param == "content_type_id":
                        values[param] = ContentType.objects.get_for_model(some_model).pk
                    elif param == "url":
                        values[param] = "no/such/page/"
                    elif param == "format":
                        # DRF's root suffix pattern captures the dot too: (?P<format>\\.json)
                        values[param] = ".json" if "(?P<format>\\." in pattern else "json"
                    else:
                        values[param] = 1
                if "content_type_id" in params:
                    values["object_id"] = some_row.pk
                urls.add(f"/{tenant}/" + template % values)
    return sorted(urls)


def _operator(tenant: str, name: str, *, permissions: list[Permission]) -> Any:
    from django.contrib.auth import get_user_model

    from design.models import Tenant
    from kernel.models import Operator

    tenant_row, _ = Tenant.objects.get_or_create(name=tenant, defaults={"label": tenant})
    user = get_user_model().objects.create_user(username=f"{tenant}_{name}", password="pw-123456!")
    user.user_permissions.set(permissions)
    return Operator.objects.create(tenant=tenant_row, user=user, name=name, label=name)


@pytest.fixture
def two_tenants(db) -> dict[str, Any]:
    missing = [t for t in TENANTS if not _installed(t)]
    if missing:
        pytest.skip(f"generated app(s) missing: {', '.join(missing)} (run: manage.py generate)")
    out: dict[str, Any] = {"rows": {}, "operators": {}, "urls": {}}
    every_permission = list(Permission.objects.all())
    for tenant in TENANTS:
        out["operators"][tenant] = _operator(tenant, "op", permissions=every_permission)
    for tenant in TENANTS:
        tenant_row = out["operators"][tenant].tenant
        out["rows"][tenant] = fill_app(tenant_app_config(tenant), tenant=tenant_row)
        out["urls"][tenant] = tenant_urls(tenant, out["rows"][tenant])
    return out


def _answers_get(url: str) -> bool:
    """Whether the URL's view has a GET handler (POST-only kernel actions answer GET with 405)."""
    callback = resolve(url).func
    actions = getattr(callback, "actions", None)  # a router viewset: its method -> action map
    if actions is not None:
        return "get" in actions
    view_class = getattr(callback, "cls", None)
    return view_class is None or hasattr(view_class, "get")


def _is_public(url: str, tenant: str) -> bool:
    return url in {f"/{tenant}/{suffix}" for suffix in PUBLIC_SUFFIXES}


@pytest.mark.parametrize(
    ("target", "intruder"), [("clinic", "repair_shop"), ("repair_shop", "clinic")]
)
def test_every_url_refuses_the_other_tenants_operator(two_tenants, target, intruder):
    urls = two_tenants["urls"][target]
    model_count = len(list(tenant_app_config(target).get_models()))
    assert len(urls) > 6 * model_count, urls  # admin + API patterns of every model were found
    session = APIClient()
    session.force_login(two_tenants["operators"][intruder].user)
    bearer = APIClient()
    token = RefreshToken.for_user(two_tenants["operators"][intruder].user).access_token
    bearer.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    leaks = []
    for url in urls:
        if _is_public(url, target):
            continue
        for client, method in ((session, "get"), (session, "post"), (bearer, "get")):
            if client is bearer and f"/{target}/api/" not in url:
                continue
            status = getattr(client, method)(url).status_code
            if status not in (403, 404):
                leaks.append(f"{method.upper()} {url} -> {status}")
    assert leaks == [], "\n".join(leaks)


def test_the_login_page_is_the_only_public_url(two_tenants):
    anonymous = APIClient()
    for tenant in TENANTS:
        for url in two_tenants["urls"][tenant]:
            status = anonymous.get(url).status_code
            if _is_public(url, tenant):
                assert status == 200, url
            else:
                assert status in (302, 401, 403, 404), f"{url} -> {status}"


@pytest.mark.slow
@pytest.mark.parametrize("tenant", TENANTS)
def test_own_operator_with_permissions_reaches_the_pages(two_tenants, tenant):
    client = APIClient()
    client.force_login(two_tenants["operators"][tenant].user)
    sample = [
        url
        for url in two_tenants["urls"][tenant]
        if url.endswith(("/", "/change/", "/history/"))
        and "/delete/" not in url
        and "no/such/page" not in url
        and "logout" not in url
        and not re.search(r"/r/\d+/", url)  # view-on-site: redirects to the object's own URL
        and not re.search(r"/\d+/$", url)  # the admin redirects <id>/ to <id>/change/
        and not url.endswith(
            ("/login/", "/autocomplete/")
        )  # redirect when signed in / needs params
        and _answers_get(url)  # POST-only endpoints (kernel task actions) are no pages
    ]
    assert len(sample) > 4 * len(two_tenants["rows"][tenant])
    failures = [
        f"{url} -> {code}" for url in sample if (code := client.get(url).status_code) != 200
    ]
    assert failures == [], "\n".join(failures)
    assert apps.get_app_config(tenant)  # the app label is the tenant name
