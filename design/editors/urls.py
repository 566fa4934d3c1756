"""``/design/<tenant>/<section>/...``: the editors (wired under ``design/`` in erpsys/urls.py)."""

from django.urls import re_path

from design.editors import views

app_name = "design_editors"

SECTION = r"(?P<section>entities|fields|forms|services|programs|events|roles|operators|resources|views|menu)"
TENANT = r"(?P<tenant>[a-z][a-z0-9_]*)"
KEY = r"(?P<key>[^/]+)"
CHILD = r"(?P<child>fields|rules|columns|children)/(?P<index>[0-9]+)"

urlpatterns = [
    re_path(rf"^{TENANT}/edit/$", views.tenant_home, name="home"),
    re_path(rf"^{TENANT}/pick/(?P<source>[a-z]+)/$", views.pick, name="pick"),
    re_path(rf"^{TENANT}/draft/discard/$", views.draft_discard, name="draft_discard"),
    re_path(rf"^{TENANT}/{SECTION}/$", views.section_list, name="section"),
    re_path(rf"^{TENANT}/{SECTION}/{KEY}/$", views.element, name="element"),
    re_path(rf"^{TENANT}/{SECTION}/{KEY}/check/$", views.element_check, name="check"),
    re_path(rf"^{TENANT}/{SECTION}/{KEY}/render/$", views.element_render, name="render"),
    re_path(rf"^{TENANT}/{SECTION}/{KEY}/delete/$", views.element_delete, name="delete"),
    re_path(rf"^{TENANT}/{SECTION}/{KEY}/{CHILD}/$", views.child, name="child"),
    re_path(rf"^{TENANT}/{SECTION}/{KEY}/{CHILD}/check/$", views.element_check, name="child_check"),
    re_path(
        rf"^{TENANT}/{SECTION}/{KEY}/{CHILD}/render/$", views.element_render, name="child_render"
    ),
    re_path(
        rf"^{TENANT}/{SECTION}/{KEY}/{CHILD}/delete/$", views.element_delete, name="child_delete"
    ),
    re_path(rf"^{TENANT}/{SECTION}/{KEY}/{CHILD}/move/$", views.child_move, name="child_move"),
]
