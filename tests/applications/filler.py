"""Test helper: one row per model of a generated app, with minimal valid values, no spec needed."""

from __future__ import annotations

import datetime
import decimal
import itertools
from typing import Any

from django.apps import AppConfig
from django.contrib.auth import get_user_model
from django.db import models
from django.utils import timezone

from applications.tenancy import tenant_choices

_counter = itertools.count(1)


def _builtin_row(model: type[models.Model], tenant: Any) -> models.Model:
    """A row of a built-in target (operator, role, process, user, service, resource)."""
    existing = tenant_choices(model._default_manager.all(), tenant.name).first()
    if existing is not None:
        return existing
    if model is get_user_model():
        return model.objects.create_user(username=f"filler{next(_counter)}")
    return fill_row(model, tenant=tenant)


def _value(field: models.Field, tenant: Any, app_label: str) -> Any:
    if isinstance(field, models.ForeignKey):
        target = field.related_model
        if target._meta.app_label == "design" and target._meta.model_name == "tenant":
            return tenant
        if target._meta.app_label != app_label:
            return _builtin_row(target, tenant)
        row = target._default_manager.first()
        return row if row is not None else fill_row(target, tenant=tenant)
    unique = f"{next(_counter)}"
    if field.choices:
        return field.choices[0][0]
    if isinstance(field, models.CharField | models.TextField | models.SlugField):
        return f"x{unique}"[: field.max_length or 40]
    if isinstance(field, models.BooleanField):
        return False
    if isinstance(field, models.DecimalField):
        return decimal.Decimal("1")
    if isinstance(field, models.IntegerField | models.FloatField):
        return 1
    if isinstance(field, models.DateTimeField):
        return timezone.now()
    if isinstance(field, models.DateField):
        return datetime.date.today()
    if isinstance(field, models.TimeField):
        return datetime.time(9, 0)
    if isinstance(field, models.DurationField):
        return datetime.timedelta(minutes=1)
    if isinstance(field, models.JSONField):
        return {}
    if isinstance(field, models.FileField):
        return "filler.txt"
    return None


def fill_row(model: type[models.Model], *, tenant: Any) -> models.Model:
    """Create one row of ``model``, filling every required column (and every ``unique`` one)."""
    app_label = model._meta.app_label
    values: dict[str, Any] = {}
    for field in model._meta.concrete_fields:
        if field.primary_key or field.auto_created or not field.editable and not field.unique:
            continue
        if isinstance(field, models.OneToOneField) and field.remote_field.parent_link:
            continue
        required = (
            not field.null and not field.has_default() and not getattr(field, "auto_now", False)
        )
        required = required and not getattr(field, "auto_now_add", False)
        if field.name in {"label", "name"}:
            required = True
        if (required or field.unique) and field.editable:
            values[field.name] = _value(field, tenant, app_label)
    return model._default_manager.create(**values)


def fill_app(app_config: AppConfig, *, tenant: Any) -> dict[type[models.Model], models.Model]:
    """One row per model of the app (existing rows are reused)."""
    rows: dict[type[models.Model], models.Model] = {}
    for model in app_config.get_models():
        row = model._default_manager.first()
        rows[model] = row if row is not None else fill_row(model, tenant=tenant)
    return rows
