"""Tenant URL routing: ``/<tenant>/`` (workbench/admin) and ``/<tenant>/api/`` (REST, schema, docs)."""

from __future__ import annotations

import importlib.util
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.urls import URLPattern, include, path, reverse
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.exceptions import AuthenticationFailed, NotAuthenticated
from rest_framework.routers import APIRootView

from applications.permissions import TenantOperatorPermission
from applications.sites import TenantAdminSite
from applications.tenancy import installed_tenants
from kernel.api.urls import ACTIONS as KERNEL_ACTIONS
from kernel.api.urls import kernel_api_urlpatterns


class TenantSchemaView(SpectacularAPIView):
    """OpenAPI of one tenant's API only; for its operators."""

    tenant = ""
    permission_classes = [TenantOperatorPermission]


class TenantSwaggerView(SpectacularSwaggerView):
    """Swagger UI (served offline from the sidecar) of one tenant's API; for its operators.

    Anonymous visitors are sent to the tenant's login (and back here); the page has a bar with
    the login, logout, the task board and the API root.
    """

    tenant = ""
    permission_classes = [TenantOperatorPermission]
    template_name = "applications/api_docs.html"

    def get(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        response = super().get(request, *args, **kwargs)
        response.data.update(
            login_url=f"{reverse(f'{self.tenant}:login')}?next={request.path}",
            logout_url=reverse(f"{self.tenant}:logout"),
            board_url=reverse(f"{self.tenant}:board"),
            api_root_url=reverse(f"{self.tenant}:api-root"),
        )
        return response

    def handle_exception(self, exc: Exception) -> Any:
        if isinstance(exc, NotAuthenticated | AuthenticationFailed):
            return redirect_to_login(self.request.get_full_path(), reverse(f"{self.tenant}:login"))
        return super().handle_exception(exc)


class KernelListingRootMixin:
    """The API root lists the kernel endpoints too (``{pid}``/``{pk}`` stand for an id)."""

    tenant = ""

    def get(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        response = super().get(request, *args, **kwargs)
        absolute = request.build_absolute_uri
        t = self.tenant
        kernel = {
            "processes/start": absolute(reverse(f"{t}:kernel-process-start")),
            "processes/{pid}": absolute(reverse(f"{t}:kernel-process-detail", args=[0])),
            "tasks": absolute(reverse(f"{t}:kernel-task-list")),
            **{
                f"tasks/{{pid}}/{action}": absolute(reverse(f"{t}:kernel-task-{action}", args=[0]))
                for action in KERNEL_ACTIONS
            },
            "incidents": absolute(reverse(f"{t}:kernel-incident-list")),
            "incidents/{pk}/retry": absolute(reverse(f"{t}:kernel-incident-retry", args=[0])),
            "incidents/{pk}/skip": absolute(reverse(f"{t}:kernel-incident-skip", args=[0])),
            "schema": absolute(reverse(f"{t}:api-schema")),
            "docs": absolute(reverse(f"{t}:api-docs")),
        }
        for name, url in kernel.items():  # the placeholder instead of the sample id 0
            kernel[name] = url.replace("/0/", "/{pid}/" if "{pid}" in name else "/{pk}/")
        response.data = {**response.data, **kernel}
        return response


def gated_router_urls(*, tenant: str, router: Any) -> list:
    """The router's URLs with its API root view behind the tenant gate too.

    DRF's root view uses the project-wide default permission (any signed-in user), which
    would show another tenant's operators this tenant's endpoint list. The root lists the
    kernel endpoints as well (``KernelListingRootMixin``).
    """
    patterns = []
    for pattern in router.urls:
        view_class = getattr(pattern.callback, "cls", None)
        if isinstance(pattern, URLPattern) and view_class and issubclass(view_class, APIRootView):
            gated = type(
                "TenantAPIRootView",
                (KernelListingRootMixin, view_class),
                {"tenant": tenant, "permission_classes": [TenantOperatorPermission]},
            )
            callback = gated.as_view(**pattern.callback.initkwargs)
            pattern = URLPattern(pattern.pattern, callback, pattern.default_args, pattern.name)
        patterns.append(pattern)
    return patterns


def _site_patterns(site: TenantAdminSite) -> tuple[list, list]:
    """The admin site's URLs split into (login and logout, everything else)."""
    door, rest = [], []
    for pattern in site.get_urls():
        (door if getattr(pattern, "name", None) in ("login", "logout") else rest).append(pattern)
    return door, rest


def tenant_urlpatterns(*, tenant: str, router: Any, site: TenantAdminSite) -> list:
    """A tenant's URL patterns, all in the namespace ``<tenant>`` (the admin site's instance).

    ``""`` and the pages below it are the operator workbench (``workbench.urls``), ``login/``
    and ``logout/`` the tenant's own sign-in, ``admin/`` the generated admin for master data,
    ``api/`` the router, ``api/schema/`` and ``api/docs/`` the OpenAPI schema and docs of
    this router only. URL names: ``<tenant>:board`` (and the other workbench pages),
    ``<tenant>:login``, ``<tenant>:index`` (the admin index), ``<tenant>:api-root``,
    ``<tenant>:<basename>-list``, ``<tenant>:api-schema``, ``<tenant>:api-docs``; the kernel
    endpoints (``processes/``, ``tasks/``) are ``<tenant>:kernel-...`` (see kernel.api.urls).
    """
    from workbench.urls import workbench_urlpatterns

    api_patterns = [
        *kernel_api_urlpatterns(tenant=tenant),
        *gated_router_urls(tenant=tenant, router=router),
    ]
    schema_patterns = [path(f"{tenant}/api/", include(api_patterns))]
    door, admin_patterns = _site_patterns(site)
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
        *door,
        path("admin/", include(admin_patterns)),
        *workbench_urlpatterns(tenant=tenant),
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
