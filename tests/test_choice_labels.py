"""Choices and rows read as words in both languages: no raw ``manual``/``system``, no ``object (64)``."""

import pytest
from django.apps import apps
from django.db import models
from django.utils import translation

from kernel.models import RuleDef, ServiceDef, ViewDef


@pytest.mark.parametrize(
    ("language", "kind", "instruction", "view"),
    [
        ("zh-hans", "系统服务", "调用子服务", "公共任务"),
        ("en", "system service", "call sub-service", "public tasks"),
    ],
)
def test_kernel_choices_are_translated(language, kind, instruction, view):
    with translation.override(language):
        assert str(ServiceDef(kind="system").get_kind_display()) == kind
        assert str(RuleDef(instruction="call_sub_service").get_instruction_display()) == instruction
        assert str(ViewDef(for_kind="public_tasks").get_for_kind_display()) == view


def test_every_design_and_kernel_model_names_its_rows():
    unnamed = [
        model._meta.label
        for model in apps.get_models()
        if model._meta.app_label in ("design", "kernel", "applications")
        and model.__str__ is models.Model.__str__
    ]
    assert unnamed == []


def test_design_choices_have_labels():
    from design.models import DataItem, Service

    with translation.override("zh-hans"):
        assert dict(Service._meta.get_field("kind").choices)["manual"] == "人工任务"
        on_delete = dict(DataItem._meta.get_field("on_delete").choices)
        assert str(on_delete["set_null"]) == "置空"
