"""Writer decisions for models.py that golden files do not pin down by themselves."""

from __future__ import annotations

import ast

import pytest

from design.codegen.errors import CodegenError, CodegenErrorCode
from design.codegen.writer import render_app
from design.codegen.writer_models import computed_kind, ordered_entities
from design.specs.model import EntitySpec, FieldSpec, FormSpec, Spec, TenantSpec


def _spec(*entities: EntitySpec, forms: list[FormSpec] | None = None) -> Spec:
    return Spec(tenant=TenantSpec(name="t", label="T"), entities=list(entities), forms=forms or [])


def test_fields_named_like_modules_get_aliased_modules() -> None:
    fields = [
        FieldSpec(name="models", label="m", type="char"),
        FieldSpec(name="validators", label="v", type="integer", min=1),
        FieldSpec(name="decimal", label="d", type="decimal", default=1),
        FieldSpec(name="datetime", label="dt", type="date", default="2020-01-02"),
        FieldSpec(name="settings", label="s", type="user"),
    ]
    source = render_app(_spec(EntitySpec(name="thing", label="Thing", fields=fields)))["models.py"]
    tree = ast.parse(source)
    assert "from django.db import models as models_module" in source
    assert "models = models_module.CharField(" in source
    assert "decimal_module.Decimal('1')" in source
    assert "datetime_module.date(2020, 1, 2)" in source
    assert "settings_module.AUTH_USER_MODEL" in source
    assert "validators_module.MinValueValidator(1)" in source
    assert tree.body  # compiles


def test_is_a_parent_is_written_first() -> None:
    child = EntitySpec(name="child", label="C", is_a="parent")
    parent = EntitySpec(name="parent", label="P")
    spec = _spec(child, parent)
    assert [e.name for e in ordered_entities(spec)] == ["parent", "child"]
    source = render_app(spec)["models.py"]
    assert source.index("class Parent(") < source.index("class Child(Parent)")


def test_class_name_collision_is_an_error() -> None:
    spec = _spec(EntitySpec(name="ab", label="A"), EntitySpec(name="ab_", label="B"))
    with pytest.raises(CodegenError) as info:
        render_app(spec)
    assert info.value.code == CodegenErrorCode.NAME_COLLISION


def test_generator_attribute_names_are_refused() -> None:
    spec = _spec(
        EntitySpec(
            name="x", label="X", fields=[FieldSpec(name="naming_pattern", label="n", type="char")]
        )
    )
    with pytest.raises(CodegenError) as info:
        render_app(spec)
    assert info.value.code == CodegenErrorCode.NAME_COLLISION


def test_computed_kind_follows_the_expression() -> None:
    assert computed_kind("a * b + c") == "decimal"
    assert computed_kind("a > 3 and b") == "boolean"
    assert computed_kind("not paid") == "boolean"
    assert computed_kind("first + ' ' + last") == "text"


def test_unique_optional_char_is_nullable_and_required_is_not_blank() -> None:
    fields = [
        FieldSpec(name="code", label="c", type="char", unique=True),
        FieldSpec(name="title", label="t", type="char", required=True),
    ]
    source = render_app(_spec(EntitySpec(name="x", label="X", fields=fields)))["models.py"]
    assert (
        "code = models.CharField(verbose_name='c', max_length=255, unique=True, null=True, blank=True)"
        in source
    )
    assert "title = models.CharField(verbose_name='t', max_length=255)" in source
