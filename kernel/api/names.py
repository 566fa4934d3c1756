"""Names of the REST views on DRF's browsable pages, translated (settings ``VIEW_NAME_FUNCTION``).

DRF titles a page from the view's class name ("Task List"), which no catalogue translates; the
kernel's endpoints get their own translatable names, a tenant's entity endpoints the entity's
label (from the spec) with "list" / "detail".
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework.views import get_view_name as drf_view_name

KERNEL_VIEWS = {
    "ProcessStartView": gettext_lazy("Start a process"),
    "ProcessDetailView": gettext_lazy("Process"),
    "TaskListView": gettext_lazy("Task list"),
    "TaskClaimView": gettext_lazy("Claim a task"),
    "TaskCompleteView": gettext_lazy("Complete a task"),
    "TaskSuspendView": gettext_lazy("Suspend a task"),
    "TaskResumeView": gettext_lazy("Resume a task"),
    "TaskCancelView": gettext_lazy("Cancel a task"),
    "TaskShiftView": gettext_lazy("Hand a task on"),
    "TaskDecideView": gettext_lazy("Answer a decision"),
    "IncidentListView": gettext_lazy("Incidents"),
    "IncidentRetryView": gettext_lazy("Retry an incident"),
    "IncidentSkipView": gettext_lazy("Skip an incident"),
    "APIRootView": gettext_lazy("API root"),
    "TenantAPIRootView": gettext_lazy("API root"),
}


def view_name(view: Any) -> str:
    """The browsable page's title for ``view`` in the active language."""
    known = KERNEL_VIEWS.get(type(view).__name__)
    if known is not None:
        return str(known)
    queryset = getattr(view, "queryset", None)
    if queryset is not None and getattr(view, "suffix", None) in ("List", "Instance"):
        meta = queryset.model._meta
        if view.suffix == "List":
            return str(meta.verbose_name_plural)
        return _("%(entity)s detail") % {"entity": meta.verbose_name}
    return drf_view_name(view)
