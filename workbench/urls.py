"""The workbench pages of one tenant, mounted at ``/<tenant>/`` in the tenant's URL namespace."""

from __future__ import annotations

from django.urls import path

import core.converters  # noqa: F401 - registers <id:...>
from workbench import views


def workbench_urlpatterns(*, tenant: str) -> list:
    """Names (in the tenant's namespace): ``board``, ``search``, ``start``, ``task``,
    ``task-action``, ``process``, ``entity``, ``entity-new``, ``incident-action``, ``resources``,
    ``resource`` and ``language`` (Django's set_language)."""

    def page(route: str, view, name: str):
        return path(route, view.as_view(tenant=tenant), name=name)

    return [
        page("", views.BoardView, "board"),
        page("search/", views.SearchView, "search"),
        page("start/", views.StartView, "start"),
        page("tasks/<id:pid>/", views.TaskView, "task"),
        page("tasks/<id:pid>/<str:action>/", views.TaskActionView, "task-action"),
        page("processes/<id:pid>/", views.ProcessView, "process"),
        page("incidents/<id:pk>/<str:action>/", views.IncidentActionView, "incident-action"),
        page("e/<str:entity>/new/", views.EntityNewView, "entity-new"),
        page("e/<str:entity>/<uuid:erpsys_id>/", views.EntityView, "entity"),
        page("resources/", views.ResourceListView, "resources"),
        page("resources/<id:pk>/", views.ResourceView, "resource"),
        page("language/", views.LanguageView, "language"),
    ]
