"""System admin: every design model's changelist renders, search finds rows by pinyin initials."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.contrib.admin.sites import site
from django.urls import reverse

from design.models import DataItem, Service
from design.services import spec_apply
from tests.design.spec_factories import small_spec

pytestmark = pytest.mark.django_db

DESIGN_MODELS = [  # the tenant row lives in core, every other named table in design
    m
    for app in ("core", "design")
    for m in apps.get_app_config(app).get_models()
    if m in site._registry
]


@pytest.fixture
def admin_client_loaded(admin_client):
    spec_apply(spec=small_spec())
    return admin_client


def test_the_named_design_models_are_registered():
    names = {m.__name__ for m in DESIGN_MODELS}
    assert {
        "Tenant",
        "DataItem",
        "Form",
        "Service",
        "ServiceRule",
        "Event",
        "Role",
        "Operator",
        "Resource",
        "View",
        "MenuItem",
    } <= names


@pytest.mark.parametrize("model", DESIGN_MODELS, ids=lambda m: m.__name__)
def test_changelist_renders(admin_client_loaded, model):
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    response = admin_client_loaded.get(url)
    assert response.status_code == 200
    assert response.context["cl"].result_count == model.objects.count() > 0


@pytest.mark.parametrize("model", [DataItem, Service], ids=lambda m: m.__name__)
def test_change_form_with_inlines_renders(admin_client_loaded, model):
    obj = model.objects.get(name="customer" if model is DataItem else "job")
    response = admin_client_loaded.get(
        reverse(f"admin:design_{model._meta.model_name}_change", args=[obj.pk])
    )
    assert response.status_code == 200
    assert response.context["inline_admin_formsets"]


def test_search_by_pinyin_initials(admin_client_loaded):
    url = reverse("admin:design_dataitem_changelist")
    response = admin_client_loaded.get(url, {"q": "kh"})  # 客户 -> kh
    names = {row.name for row in response.context["cl"].result_list}
    assert "customer" in names and "fault" not in names
    response = admin_client_loaded.get(
        reverse("admin:design_service_changelist"), {"q": "sj"}
    )  # 收件
    assert [s.name for s in response.context["cl"].result_list] == ["take_in"]


def test_inline_rows_added_in_the_admin_get_the_parents_tenant(admin_client_loaded):
    view = small_spec().views[0]
    from design.models import View, ViewColumn

    obj = View.objects.get(name=view.name)
    url = reverse("admin:design_view_change", args=[obj.pk])
    page = admin_client_loaded.get(url)
    form = page.context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k in form.fields}
    data.update(
        {
            "tenant": obj.tenant_id,
            "label": obj.label,
            "name": obj.name,
            "for_kind": obj.for_kind,
            "order": 0,
        }
    )
    columns = list(obj.columns.all())
    prefix = "columns"
    data.update(
        {
            f"{prefix}-TOTAL_FORMS": len(columns) + 1,
            f"{prefix}-INITIAL_FORMS": len(columns),
            f"{prefix}-MIN_NUM_FORMS": 0,
            f"{prefix}-MAX_NUM_FORMS": 1000,
        }
    )
    for i, c in enumerate(columns):
        data.update(
            {
                f"{prefix}-{i}-id": c.pk,
                f"{prefix}-{i}-view": obj.pk,
                f"{prefix}-{i}-order": c.order,
                f"{prefix}-{i}-label": c.label,
                f"{prefix}-{i}-value": c.value,
                f"{prefix}-{i}-visible": "on" if c.visible else "",
            }
        )
    n = len(columns)
    data.update(
        {
            f"{prefix}-{n}-view": obj.pk,
            f"{prefix}-{n}-order": n,
            f"{prefix}-{n}-label": "状态",
            f"{prefix}-{n}-value": "state",
            f"{prefix}-{n}-visible": "on",
        }
    )
    data = {k: v for k, v in data.items() if v != ""}
    response = admin_client_loaded.post(url, data)
    assert response.status_code == 302, (
        response.context and response.context["adminform"].form.errors
    )
    added = ViewColumn.objects.get(view=obj, value="state")
    assert added.tenant_id == obj.tenant_id
