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

from applications.builtins import BUILTIN_TARGETS
from applications.tenancy import tenant_app_config
from erpsys.auth import RefreshToken
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
                    elif param == "entity":
                        # the workbench's entity pages: an entity an operator may create
                        from workbench.pages import creatable_models

                        values[param] = creatable_models(tenant)[0][1]
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

    from core.models import Tenant
    from kernel.models import Operator

    tenant_row, _ = Tenant.objects.get_or_create(name=tenant, defaults={"label": tenant})
    user = get_user_model().objects.create_user(username=f"{tenant}_{name}", password="pw-123456!")
    user.user_permissions.set(permissions)
    return Operator.objects.create(tenant=tenant_row, user=user, name=name, label=name)


@pytest.fixture
def two_tenants(db) -> dict[str, Any]:
    missing = [t for t in TENANTS if not _installed(t)]
    if missing:
        pytest.fail(f"generated app(s) missing: {', '.join(missing)} (run: manage.py generate)")
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
    # DRF views carry ``cls``, Django class-based views (the workbench) ``view_class``.
    view_class = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
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


# --- built-in links: operator, role, process, user, service, resource ------------------------


def _builtin_rows(tenant_row: Any, operator: Any) -> dict[str, Any]:
    """One row of every built-in table, owned by ``tenant_row`` (the user: its operator's)."""
    from kernel.models import MaterialResource, Process, Role, Service

    tag = f"{tenant_row.name}-marker"
    return {
        "operator": operator,
        "user": operator.user,
        "role": Role.objects.create(tenant=tenant_row, name="marker", label=tag),
        "process": Process.objects.create(tenant=tenant_row),
        "service": Service.objects.create(tenant=tenant_row, name="marker", label=tag),
        "resource": MaterialResource.objects.create(tenant=tenant_row, name="marker", label=tag),
    }


def builtin_links(tenant: str) -> list[tuple[Any, Any]]:
    """(model, field) for every link of every generated model of ``tenant`` to a built-in."""
    from applications.tenancy import is_builtin

    return [
        (model, field)
        for model in tenant_app_config(tenant).get_models()
        for field in model._meta.get_fields()
        if field.concrete
        and (field.many_to_one or field.many_to_many)
        and is_builtin(field.related_model)
    ]


@pytest.fixture
def linked(two_tenants) -> dict[str, Any]:
    """``two_tenants`` plus every tenant's built-in rows, keyed by tenant then by model."""
    rows = {}
    for tenant in TENANTS:
        operator = two_tenants["operators"][tenant]
        built = _builtin_rows(operator.tenant, operator)
        rows[tenant] = {
            apps.get_model(BUILTIN_TARGETS[name])._meta.label_lower: row
            for name, row in built.items()
        }
    return {**two_tenants, "builtins": rows}


def _own_and_foreign(linked: dict, tenant: str, field: Any) -> tuple[Any, Any]:
    other = next(t for t in TENANTS if t != tenant)
    label = field.related_model._meta.label_lower
    return linked["builtins"][tenant][label], linked["builtins"][other][label]


def _option_values(html: str, name: str) -> set[str]:
    """The option values of the ``<select name=...>`` of a rendered form."""
    found = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', html, re.S)
    return set(re.findall(r'<option value="([^"]+)"', found.group(1))) if found else set()


def _error_text(body: Any, name: str, pk: Any) -> str:
    """The field's error, with the offending id blanked (so two ids can be compared)."""
    errors = body.get("errors", body) if isinstance(body, dict) else {}
    return str(errors.get(name, "")).replace(str(pk), "<id>")


def _missing_pk(model: Any) -> int:
    return (model._base_manager.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1000


@pytest.mark.parametrize("tenant", TENANTS)
def test_every_builtin_link_is_found(tenant, two_tenants):
    links = builtin_links(tenant)
    targets = {field.related_model._meta.label_lower for _model, field in links}
    assert "kernel.process" in targets  # every record's pid
    assert "kernel.operator" in targets  # the clinic's doctor, the repair shop's technician
    if tenant == "clinic":
        assert "kernel.service" in targets  # service items, charges, treatments
    assert not any(target.startswith("design.") for target in targets)
    assert len(links) >= len(
        [m for m in tenant_app_config(tenant).get_models() if hasattr(m, "pid")]
    )


@pytest.mark.parametrize("tenant", TENANTS)
def test_admin_forms_and_filters_offer_only_the_tenants_rows(tenant, linked):
    """Add and change forms (inlines too) and changelist filters of every built-in link."""
    from applications.sites import tenant_site

    client = APIClient()
    client.force_login(linked["operators"][tenant].user)
    site = tenant_site(tenant)
    checked = 0
    for model, field in builtin_links(tenant):
        own, foreign = _own_and_foreign(linked, tenant, field)
        pages = []
        if model in site._registry:
            base = f"/{tenant}/admin/{tenant}/{model._meta.model_name}/"
            pages += [f"{base}add/", f"{base}{linked['rows'][tenant][model].pk}/change/"]
        for parent, admin_class in site._registry.items():
            if any(inline.model is model for inline in admin_class.inlines):
                pages.append(f"/{tenant}/admin/{tenant}/{parent._meta.model_name}/add/")
        for url in pages:
            html = client.get(url).content.decode()
            for name in (field.name, f"{model._meta.model_name}-__prefix__-{field.name}"):
                values = _option_values(html, name)
                assert str(foreign.pk) not in values, f"{url} {name} offers {foreign!r}"
                if values:
                    assert str(own.pk) in values, f"{url} {name}: {values}"
                    checked += 1
        admin_class = site._registry.get(model)
        if admin_class and field.name in admin_class.list_filter:
            url = f"/{tenant}/admin/{tenant}/{model._meta.model_name}/"
            response = client.get(url)
            (spec,) = [s for s in response.context["cl"].filter_specs if s.field is field]
            pks = {pk for pk, _label in spec.lookup_choices}
            assert own.pk in pks and foreign.pk not in pks, f"{url} filter {field.name}"
            checked += 1
    assert checked > 0


def _api_prefix(tenant: str, model: Any) -> str | None:
    from importlib import import_module

    router = import_module(f"generated.{tenant}.api").router
    for prefix, viewset, _basename in router.registry:
        if viewset.queryset.model is model:
            return f"/{tenant}/api/{prefix}/"
    return None


@pytest.mark.parametrize("tenant", TENANTS)
def test_api_offers_accepts_and_filters_only_the_tenants_rows(tenant, linked):
    """Browsable form, write validation and filters of every built-in link; the schema."""
    client = APIClient()
    client.force_login(linked["operators"][tenant].user)
    writable = 0
    for model, field in builtin_links(tenant):
        url = _api_prefix(tenant, model)
        if url is None:
            continue
        own, foreign = _own_and_foreign(linked, tenant, field)
        missing = _missing_pk(field.related_model)
        html = client.get(url, HTTP_ACCEPT="text/html").content.decode()
        assert str(foreign.pk) not in _option_values(html, field.name), f"{url} {field.name}"
        answers = {}
        for pk in (own.pk, foreign.pk, missing):
            body = {field.name: [pk] if field.many_to_many else pk}
            response = client.post(url, body, format="json")
            answers[pk] = _error_text(response.json(), field.name, pk)
        if field.name == "pid":  # kernel-owned: read-only, the posted value is ignored
            assert answers[foreign.pk] == answers[own.pk] == ""
            assert not model._default_manager.filter(pid=foreign.pk).exists()
            continue
        writable += 1
        assert answers[own.pk] == "", f"{url} {field.name}: {answers[own.pk]}"
        assert answers[foreign.pk] != "", f"{url} {field.name} accepts another tenant's row"
        assert answers[foreign.pk] == answers[missing], "a foreign id must read as missing"
        view = resolve(url).func.cls
        if field.name in view.filterset_class.base_filters:
            found = client.get(url, {field.name: own.pk})
            foreign_answer = client.get(url, {field.name: foreign.pk})
            missing_answer = client.get(url, {field.name: missing})
            assert found.status_code == 200
            assert foreign_answer.status_code == missing_answer.status_code == 400
            assert _error_text(foreign_answer.json(), field.name, foreign.pk) == _error_text(
                missing_answer.json(), field.name, missing
            )
    assert writable > 0
    other = next(t for t in TENANTS if t != tenant)
    schema = client.get(f"/{tenant}/api/schema/", HTTP_ACCEPT="application/json").content
    assert f"{other}-marker".encode() not in schema
    assert linked["operators"][other].user.username.encode() not in schema


@pytest.mark.parametrize("tenant", TENANTS)
def test_model_validation_refuses_another_tenants_row_like_a_missing_one(tenant, linked):
    from django.core.exceptions import ValidationError

    for model, field in builtin_links(tenant):
        if not field.many_to_one or field.name == "pid":
            continue
        own, foreign = _own_and_foreign(linked, tenant, field)
        messages = {}
        for pk in (own.pk, foreign.pk, _missing_pk(field.related_model)):
            row = model(**{field.attname: pk})
            try:
                row.clean_fields()
                messages[pk] = ""
            except ValidationError as exc:
                messages[pk] = str(exc.message_dict.get(field.name, "")).replace(str(pk), "<id>")
        own_message, foreign_message, missing_message = messages.values()
        assert own_message == "", f"{model.__name__}.{field.name}: {own_message}"
        assert foreign_message and foreign_message == missing_message, f"{model.__name__}"


@pytest.mark.parametrize("tenant", TENANTS)
def test_generated_task_forms_offer_only_the_tenants_rows(tenant, linked):
    from importlib import import_module

    module = import_module(f"generated.{tenant}.forms")
    checked = 0
    for form_class in {*module.FORMS.values(), *module.DEFAULT_FORMS.values()}:
        form = form_class()
        model = form_class._meta.model
        for model_field in model._meta.get_fields():
            if model_field.name not in form.fields or (model, model_field) not in set(
                builtin_links(tenant)
            ):
                continue
            own, foreign = _own_and_foreign(linked, tenant, model_field)
            offered = set(form.fields[model_field.name].queryset)
            assert own in offered and foreign not in offered, f"{form_class.__name__}"
            checked += 1
    assert checked > 0
