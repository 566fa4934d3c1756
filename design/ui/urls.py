"""URLs of the designer (namespace ``design``), mounted at /design/."""

from django.urls import path

import core.converters  # noqa: F401 - registers <id:...>
from design.ui import views

app_name = "design"

urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.tenant_create, name="tenant_create"),
    path("import/", views.spec_import, name="import"),
    path("jobs/<id:job_id>/", views.job_status, name="job"),
    path("<slug:tenant>/", views.tenant_detail, name="tenant"),
    path("<slug:tenant>/spec.zip", views.spec_download, name="download"),
    path("<slug:tenant>/load/", views.spec_load, name="load"),
    path("<slug:tenant>/write/", views.spec_write, name="write"),
    path("<slug:tenant>/diagrams/", views.programs, name="programs"),
    path("<slug:tenant>/preview/", views.preview, name="preview"),
    path("<slug:tenant>/plan/", views.plan, name="plan"),
    path("<slug:tenant>/jobs/<str:kind>/", views.job_create, name="job_create"),
    path("<slug:tenant>/history/", views.history, name="history"),
]
