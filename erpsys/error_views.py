"""Error pages: JSON ``{"code", "detail"}`` under API paths, Django's own pages elsewhere.

API paths are ``/api/...`` and ``/<tenant>/api/...`` (any first segment: an unknown tenant's
API path is answered in JSON too). Wired in ``erpsys.urls`` (``handler400/403/404/500``) and
``CSRF_FAILURE_VIEW``. Bodies are ASCII JSON, so not even an unencodable path breaks them.
"""

from __future__ import annotations

import re

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views import csrf, defaults

API_PATH = re.compile(r"^/(?:[^/]+/)?api(?:/|$)")


def is_api_path(request: HttpRequest) -> bool:
    return bool(API_PATH.match(request.path_info or ""))


def _json(code: str, detail: str, status: int) -> JsonResponse:
    return JsonResponse({"code": code, "detail": detail}, status=status)


def bad_request(request: HttpRequest, exception: Exception | None = None, **kwargs) -> HttpResponse:
    if is_api_path(request):
        return _json("bad_request", _("The request is malformed."), 400)
    return defaults.bad_request(request, exception, **kwargs)


def permission_denied(
    request: HttpRequest, exception: Exception | None = None, **kwargs
) -> HttpResponse:
    if is_api_path(request):
        return _json("permission_denied", _("You may not do this."), 403)
    return defaults.permission_denied(request, exception, **kwargs)


def page_not_found(
    request: HttpRequest, exception: Exception | None = None, **kwargs
) -> HttpResponse:
    if is_api_path(request):
        return _json("not_found", _("There is no such API endpoint or object."), 404)
    return defaults.page_not_found(request, exception, **kwargs)


def server_error(request: HttpRequest, **kwargs) -> HttpResponse:
    if is_api_path(request):
        return _json("server_error", _("The server failed; the error has been logged."), 500)
    return defaults.server_error(request, **kwargs)


def csrf_failure(request: HttpRequest, reason: str = "", **kwargs) -> HttpResponse:
    """A refused CSRF check: JSON 403 on API paths (send the token, or use a JWT)."""
    if is_api_path(request):
        return _json(
            "csrf_failed",
            _(
                "CSRF check failed: send the X-CSRFToken header with a session, "
                "or authenticate with a bearer token."
            ),
            403,
        )
    return csrf.csrf_failure(request, reason=reason, **kwargs)
