"""URL patterns of the kernel REST API, mounted under ``/<tenant>/api/`` by tenant_urlpatterns."""

from __future__ import annotations

from django.urls import path

import core.converters  # noqa: F401 - registers <id:...>
from kernel.api import incidents, views

ACTIONS = {
    "claim": views.TaskClaimView,
    "complete": views.TaskCompleteView,
    "suspend": views.TaskSuspendView,
    "resume": views.TaskResumeView,
    "cancel": views.TaskCancelView,
    "shift": views.TaskShiftView,
    "decide": views.TaskDecideView,
}


def kernel_api_urlpatterns(*, tenant: str) -> list:
    """``processes/start/``, ``processes/<pid>/``, ``tasks/``, ``tasks/<pid>/<action>/``, ``incidents/``.

    Names (in the tenant's namespace): ``kernel-process-start``, ``kernel-process-detail``,
    ``kernel-task-list``, ``kernel-task-<action>``, ``kernel-incident-list`` and
    ``kernel-incident-retry|skip``.
    """
    return [
        path(
            "processes/start/",
            views.ProcessStartView.as_view(tenant=tenant),
            name="kernel-process-start",
        ),
        path(
            "processes/<id:pid>/",
            views.ProcessDetailView.as_view(tenant=tenant),
            name="kernel-process-detail",
        ),
        path("tasks/", views.TaskListView.as_view(tenant=tenant), name="kernel-task-list"),
        *(
            path(
                f"tasks/<id:pid>/{action}/",
                view.as_view(tenant=tenant),
                name=f"kernel-task-{action}",
            )
            for action, view in ACTIONS.items()
        ),
        path(
            "incidents/",
            incidents.IncidentListView.as_view(tenant=tenant),
            name="kernel-incident-list",
        ),
        path(
            "incidents/<id:pk>/retry/",
            incidents.IncidentRetryView.as_view(tenant=tenant),
            name="kernel-incident-retry",
        ),
        path(
            "incidents/<id:pk>/skip/",
            incidents.IncidentSkipView.as_view(tenant=tenant),
            name="kernel-incident-skip",
        ),
    ]
