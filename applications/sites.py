"""The per-tenant admin site: the operator workbench at ``/<tenant>/`` with its own login."""

from __future__ import annotations

from functools import wraps
from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from applications.tenancy import is_tenant_operator


class TenantAuthenticationForm(AuthenticationForm):
    """Login for one tenant: only its active operators (not staff) may log in."""

    tenant: str = ""

    def confirm_login_allowed(self, user: Any) -> None:
        super().confirm_login_allowed(user)
        if not is_tenant_operator(user, self.tenant):
            raise forms.ValidationError(
                _("This account is not an operator of this tenant."), code="not_operator"
            )


class TenantAdminSite(admin.AdminSite):
    """An AdminSite named after its tenant (at ``/<tenant>/admin/``); only its active operators get in.

    Its login (at ``/<tenant>/login/``) leads to the workbench, and so does "View site".

    Superusers of the system admin are deliberately NOT let in unless they are an operator
    of this tenant: tenant data is reached only by its own people. An authenticated user
    who is not allowed gets 403 (not a login redirect); anonymous users go to the login.
    """

    enable_nav_sidebar = True

    def __init__(self, tenant: str) -> None:
        super().__init__(name=tenant)
        self.tenant = tenant
        self.site_url = f"/{tenant}/"
        self.login_form = type(
            "TenantAuthenticationForm", (TenantAuthenticationForm,), {"tenant": tenant}
        )

    def get_urls(self) -> list:
        from core.adminsafe import safe_changelists

        safe_changelists(self)  # a filter the database refuses: a message, never a 500
        return super().get_urls()

    def _tenant_label(self) -> str:
        from core.models import Tenant

        try:
            row = Tenant.objects.filter(name=self.tenant).values_list("label", flat=True).first()
        except Exception:  # noqa: BLE001 - the tenant table may not exist yet (before migrate)
            row = None
        return row or self.tenant

    @property
    def site_header(self) -> str:  # type: ignore[override]
        return self._tenant_label()

    @property
    def site_title(self) -> str:  # type: ignore[override]
        return self._tenant_label()

    @property
    def index_title(self) -> str:  # type: ignore[override]
        return str(_("Master data"))

    def login(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        """The admin login, but signed-in operators and logins without ``next`` go to the board."""
        board = reverse(f"{self.name}:board")
        if request.method == "GET" and self.has_permission(request):
            return HttpResponseRedirect(board)
        context = dict(extra_context or {})
        if REDIRECT_FIELD_NAME not in request.GET and REDIRECT_FIELD_NAME not in request.POST:
            context[REDIRECT_FIELD_NAME] = board
            if request.method == "POST":
                request.POST = request.POST.copy()
                request.POST[REDIRECT_FIELD_NAME] = board
        return super().login(request, context)

    def has_permission(self, request: HttpRequest) -> bool:
        """Authenticated, active, and an active operator of this tenant."""
        return is_tenant_operator(request.user, self.tenant)

    def admin_view(self, view: Any, cacheable: bool = False) -> Any:
        """Like AdminSite.admin_view, but a signed-in outsider gets 403 instead of a login page."""
        wrapped = super().admin_view(view, cacheable)

        @wraps(view)
        def inner(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            if request.user.is_authenticated and not self.has_permission(request):
                raise PermissionDenied
            return wrapped(request, *args, **kwargs)

        inner.admin_site = self  # type: ignore[attr-defined]
        return inner


_SITES: dict[str, TenantAdminSite] = {}


def tenant_site(name: str) -> TenantAdminSite:
    """The one admin site of tenant ``name`` (created on first use, then cached)."""
    site = _SITES.get(name)
    if site is None:
        site = _SITES[name] = TenantAdminSite(name)
    return site
