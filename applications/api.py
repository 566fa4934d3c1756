"""The per-tenant REST API plumbing every generated viewset and serializer extends."""

from __future__ import annotations

from typing import Any, ClassVar

from django.db.models import QuerySet
from rest_framework import serializers, viewsets

from applications.base.models import has_number_field
from applications.permissions import TenantModelPermissions, TenantOperatorPermission


class EntitySerializer(serializers.ModelSerializer):
    """Base columns, ``number`` and computed fields are read-only."""

    def get_fields(self) -> dict[str, Any]:
        fields = super().get_fields()
        model = self.Meta.model
        readonly = {"erpsys_id", "pym", "created_time", "updated_time", "pid"}
        readonly |= set(getattr(model, "computed_fields", {}) or {})
        if has_number_field(model):
            readonly.add("number")
        for name in readonly & set(fields):
            fields[name].read_only = True
        return fields


class EntityViewSet(viewsets.ModelViewSet):
    """CRUD for one model of a tenant: operators of ``tenant`` with the model permissions.

    Lookup is by ``pk``. Filtering, search and ordering come from ``REST_FRAMEWORK``;
    subclasses set ``tenant``, ``queryset`` and ``serializer_class``. A model with a
    ``tenant`` column (kernel tables) is scoped to this tenant, so another tenant's row is 404.
    """

    tenant: ClassVar[str] = ""
    permission_classes = [TenantOperatorPermission, TenantModelPermissions]
    search_fields: ClassVar[list[str]] = ["label", "name", "pym"]
    ordering_fields: ClassVar[list[str]] = ["id", "label", "name", "created_time", "updated_time"]
    ordering: ClassVar[list[str]] = ["id"]

    def get_queryset(self) -> QuerySet:
        queryset = super().get_queryset()
        if any(f.name == "tenant" for f in queryset.model._meta.concrete_fields):
            queryset = queryset.filter(tenant__name=self.tenant)
        return queryset
