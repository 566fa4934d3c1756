"""Where a spec's built-in entity names (``to: operator`` ...) point: the one mapping."""

from django.conf import settings

BUILTIN_TARGETS: dict[str, str] = {
    "operator": "kernel.Operator",
    "role": "kernel.Role",
    "process": "kernel.Process",
    "user": str(settings.AUTH_USER_MODEL),
    "service": "design.Service",
    "resource": "design.Resource",
}
