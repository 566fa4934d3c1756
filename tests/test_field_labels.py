"""Every field of the platform's own models (kernel, design, core) has a translatable label, so
the admin never shows a raw field name under zh-hans."""

from __future__ import annotations

from django.apps import apps
from django.utils.functional import Promise
from django.utils.translation import override

AUTOMATIC = {"id", "polymorphic_ctype", "resource_ptr"}


def test_every_field_has_a_translatable_label():
    raw = []
    for app in ("kernel", "design", "core"):
        for model in apps.get_app_config(app).get_models():
            if not isinstance(model._meta.verbose_name, Promise):
                raw.append(f"{model.__name__} (model)")
            for field in model._meta.get_fields():
                if not (getattr(field, "concrete", False) or field.many_to_many):
                    continue
                if field.auto_created or field.name in AUTOMATIC:
                    continue
                if not isinstance(field.verbose_name, Promise):
                    raw.append(f"{model.__name__}.{field.name}")
    assert raw == []


def test_a_process_reads_as_a_process_in_english():
    from kernel.models import Process

    with override("en"):
        assert str(Process._meta.get_field("entity_type").verbose_name) == "entity type"
        assert str(Process._meta.get_field("tenant").verbose_name) == "tenant"
