"""Where a spec's built-in entity names (``to: operator`` ...) point: the one mapping.

Every target is a runtime table (kernel or auth), so generated apps never need the design layer;
publish fills the kernel's rows from the spec (``kernel.Service`` by ``kernel.catalogue``).
"""

from django.conf import settings

BUILTIN_TARGETS: dict[str, str] = {
    "operator": "kernel.Operator",
    "role": "kernel.Role",
    "process": "kernel.Process",
    "user": str(settings.AUTH_USER_MODEL),
    "service": "kernel.Service",
    "resource": "kernel.Resource",
}
