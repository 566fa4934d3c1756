"""Tenant URL routing: ``/<tenant>/`` (workbench/admin) and ``/<tenant>/api/`` (REST, schema, docs)."""

from __future__ import annotations

import importlib.util
from typing import Any

from django.urls import URLPattern, include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import APIRootView

from applications.permissions import TenantOperatorPermission
from applications.sites import TenantAdminSite
from applications.tenancy import installed_tenants
from kernel.api.urls import kernel_api_urlpatterns


class TenantSchemaView(SpectacularAPIView):
    """OpenAPI of one tenant's API only; for its operators."""

    tenant = ""
    permission_classes = [TenantOperatorPermission]


class TenantSwaggerView(SpectacularSwaggerView):
    """Swagger UI (served offline from the sidecar) of one tenant's API; for its operators."""

    tenant = ""
    permission_classes = [TenantOperatorPermission]


def gated_router_urls(*, tenant: str, router: Any) -> list:
    """The router's URLs with its API root view behind the tenant gate too.

    DRF's root view uses the project-wide default permission (any signed-in user), which
    would show another tenant's operators this tenant's endpoint list.
    """
    patterns = []
    for pattern in router.urls:
        view_class = getattr(pattern.callback, "cls", None)
        if isinstance(pattern, URLPattern) and view_class and issubclass(view_class, APIRootView):
            gated = type(
                "TenantAPIRootView",
                (view_class,),
                {"tenant": tenant, "permission_classes": [TenantOperatorPermission]},
            )
            callback = gated.as_view(**pattern.callback.initkwargs)
            pattern = URLPattern(pattern.pattern, callback, pattern.default_args, pattern.name)
        patterns.append(pattern)
    return patterns


def tenant_urlpatterns(*, tenant: str, router: Any, site: TenantAdminSite) -> list:
    """A tenant's URL patterns, all in the namespace ``<tenant>`` (the admin site's instance).

    ``api/`` is the router, ``api/schema/`` and ``api/docs/`` the OpenAPI schema and docs of
    this router only, and everything else the tenant admin site (login at ``login/``).
    URL names: ``<tenant>:index``, ``<tenant>:login``, ``<tenant>:api-root``,
    ``<tenant>:<basename>-list``, ``<tenant>:api-schema``, ``<tenant>:api-docs``; the kernel
    endpoints (``processes/``, ``tasks/``) are ``<tenant>:kernel-...`` (see kernel.api.urls).
    """
    api_patterns = [
        *kernel_api_urlpatterns(tenant=tenant),
        *gated_router_urls(tenant=tenant, router=router),
    ]
    schema_patterns = [path(f"{tenant}/api/", include(api_patterns))]
    patterns = [
        path(
            "api/schema/",
            TenantSchemaView.as_view(
                tenant=tenant,
                patterns=schema_patterns,
                custom_settings={"TITLE": f"{tenant} API"},
            ),
            name="api-schema",
        ),
        path(
            "api/docs/",
            TenantSwaggerView.as_view(tenant=tenant, url=f"/{tenant}/api/schema/"),
            name="api-docs",
        ),
        path("api/", include(api_patterns)),
        *site.get_urls(),
    ]
    # app_name "admin" keeps the admin's own reverse("admin:...", current_app=<tenant>) working.
    return [path("", include((patterns, "admin"), namespace=site.name))]


def tenant_root_urlpatterns() -> list:
    """``<tenant>/`` -> ``generated.<tenant>.urls`` for every installed generated app that has URLs."""
    patterns = []
    for tenant in installed_tenants():
        module = f"generated.{tenant}.urls"
        if importlib.util.find_spec(module) is not None:
            patterns.append(path(f"{tenant}/", include(module)))
    return patterns
