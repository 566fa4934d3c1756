"""Which published revision a tenant runs: the newest one."""

from __future__ import annotations

from kernel.errors import KernelError, KernelErrorCode
from kernel.models import Revision


def revision_latest(*, tenant) -> Revision:
    """The newest revision of ``tenant`` (a name or a Tenant row); a coded error when never published."""
    filters = {"tenant__name": tenant} if isinstance(tenant, str) else {"tenant": tenant}
    revision = Revision.objects.filter(**filters).order_by("-number").first()
    if revision is None:
        raise KernelError(
            KernelErrorCode.NOT_PUBLISHED, f"tenant {tenant} has no published revision"
        )
    return revision
