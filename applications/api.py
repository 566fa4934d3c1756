"""The per-tenant REST API plumbing every generated viewset and serializer extends."""

from __future__ import annotations

import importlib
from typing import Any, ClassVar

from django import forms
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.db.models import Model, QuerySet
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from rest_framework import serializers, viewsets

from applications.base.models import has_number_field, storable_datetime
from applications.permissions import TenantModelPermissions, TenantOperatorPermission
from applications.tenancy import scope_choices, tenant_of
from core.converters import ROW_ID


class TenantRowField(serializers.PrimaryKeyRelatedField):
    """A link by id: a number (or its digits), nothing else; ``1e400`` or ``true`` is "incorrect type"."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, bool) or not isinstance(data, int | str):
            self.fail("incorrect_type", data_type=type(data).__name__)
        number = data if isinstance(data, int) else None
        if isinstance(data, str) and data.strip().lstrip("-").isdigit():
            number = int(data)
        if number is not None and not -(2**63) <= number < 2**63:
            self.fail("does_not_exist", pk_value=data)
        try:
            return super().to_internal_value(data)
        except OverflowError:
            self.fail("does_not_exist", pk_value=data)


class StorableDateTimeField(serializers.DateTimeField):
    """A datetime every backend stores and reads back (``storable_datetime``): no 500 at year 1."""

    def enforce_timezone(self, value: Any) -> Any:
        try:
            value = super().enforce_timezone(value)
        except OverflowError:  # DRF's own make_aware check overflows near year 1 and 9999
            self.fail("overflow")
        try:
            storable_datetime(value)
        except DjangoValidationError:
            self.fail("overflow")
        return value


class EntitySerializer(serializers.ModelSerializer):
    """Base columns, ``number`` and computed fields are read-only.

    A link to a built-in table accepts (and the browsable form offers) the model's tenant's
    rows only: another tenant's id is answered like a missing one ("object does not exist").
    A link takes an id (a number or its digits): any other JSON type is "incorrect type".
    """

    serializer_related_field = TenantRowField
    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.DateTimeField: StorableDateTimeField,
    }

    def get_fields(self) -> dict[str, Any]:
        fields = super().get_fields()
        model = self.Meta.model
        readonly = {"erpsys_id", "pym", "created_time", "updated_time", "pid"}
        readonly |= set(getattr(model, "computed_fields", {}) or {})
        if has_number_field(model):
            readonly.add("number")
        for name in readonly & set(fields):
            fields[name].read_only = True
        scope_choices(fields.values(), tenant_of(model))
        return fields


def serializer_for(model: type[Model]) -> type[EntitySerializer] | None:
    """The serializer of ``model``'s own REST endpoint (``generated.<app>.api``), or None."""
    if model not in _SERIALIZERS:
        try:
            module = importlib.import_module(f"{model.__module__.rpartition('.')[0]}.api")
        except ImportError:
            module = None
        _SERIALIZERS[model] = (
            next(
                (
                    value
                    for value in vars(module).values()
                    if isinstance(value, type)
                    and issubclass(value, EntitySerializer)
                    and getattr(getattr(value, "Meta", None), "model", None) is model
                ),
                None,
            )
            if module is not None
            else None
        )
    return _SERIALIZERS[model]


_SERIALIZERS: dict[type[Model], type[EntitySerializer] | None] = {}


class EntityFilterSet(filters.FilterSet):
    """A filter on a built-in link takes the model's tenant's ids only (others: invalid choice).

    A foreign id and a missing id get the same 400, so filters reveal no other tenant's ids.
    A datetime filter takes what every backend stores (``storable_datetime``), else a 400.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        scope_choices(self.filters.values(), tenant_of(self._meta.model))
        for each in self.filters.values():  # year 1 in Shanghai is year 0 in UTC: a 400, not a 500
            if issubclass(each.field_class, forms.DateTimeField):
                each.extra["validators"] = [*each.extra.get("validators", []), storable_datetime]


class EntityViewSet(viewsets.ModelViewSet):
    """CRUD for one model of a tenant: operators of ``tenant`` with the model permissions.

    Lookup is by ``pk``. Filtering, search and ordering come from ``REST_FRAMEWORK``;
    subclasses set ``tenant``, ``queryset`` and ``serializer_class``. A model with a
    ``tenant`` column (kernel tables) is scoped to this tenant, so another tenant's row is 404.
    """

    tenant: ClassVar[str] = ""
    lookup_value_regex = ROW_ID  # a longer id is a 404, not a database overflow
    permission_classes = [TenantOperatorPermission, TenantModelPermissions]
    search_fields: ClassVar[list[str]] = ["label", "name", "pym"]
    ordering_fields: ClassVar[list[str]] = ["id", "label", "name", "created_time", "updated_time"]
    ordering: ClassVar[list[str]] = ["id"]

    def initial(self, request: Any, *args: Any, **kwargs: Any) -> None:
        """Query parameters with a NUL character are a 400 (no database compares against one)."""
        super().initial(request, *args, **kwargs)
        for key, values in request.query_params.lists():
            if "\x00" in key or any("\x00" in value for value in values):
                raise serializers.ValidationError(
                    {key.replace("\x00", "\\x00"): [_("Null characters are not allowed.")]}
                )

    def get_queryset(self) -> QuerySet:
        queryset = super().get_queryset()
        if any(f.name == "tenant" for f in queryset.model._meta.concrete_fields):
            queryset = queryset.filter(tenant__name=self.tenant)
        return queryset
