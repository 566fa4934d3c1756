"""Project-wide request middleware: one log line per request, and a ceiling on body size."""

from __future__ import annotations

import logging
import time

from django.conf import settings
from django.http import JsonResponse
from django.utils.translation import gettext as _

request_log = logging.getLogger("erpsys.request")


def tenant_of(request) -> str:
    """The tenant a request was for: its URL namespace (``/<tenant>/...``), else ``""``."""
    match = getattr(request, "resolver_match", None)
    if match is None or not match.namespaces:
        return ""
    from applications.tenancy import installed_tenants

    return match.namespaces[0] if match.namespaces[0] in installed_tenants() else ""


class RequestLogMiddleware:
    """Logs ``request`` once per request: method, path, status, duration, tenant and user."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        user = getattr(request, "user", None)
        request_log.info(
            "request",
            extra={
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                "tenant": tenant_of(request),
                "user": user.get_username() if user is not None and user.is_authenticated else "",
            },
        )
        return response


class BodySizeLimitMiddleware:
    """Refuses a body larger than ``ERPSYS_MAX_BODY_SIZE`` with 413 before anything reads it.

    Django's DATA_UPLOAD_MAX_MEMORY_SIZE guards forms; DRF's parsers read the stream directly,
    so JSON bodies need this check by Content-Length.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.ERPSYS_MAX_BODY_SIZE:
            return JsonResponse(
                {
                    "code": "body_too_large",
                    "detail": _("The request body is larger than %(limit)d bytes.")
                    % {"limit": settings.ERPSYS_MAX_BODY_SIZE},
                },
                status=413,
            )
        return self.get_response(request)
