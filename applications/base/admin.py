"""The ModelAdmin every generated admin class extends."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from applications.base.models import has_number_field

BASE_READONLY = ("erpsys_id", "pym", "created_time", "updated_time")


class EntityAdmin(admin.ModelAdmin):
    """Search by label/name/pinyin; base columns, numbers and computed fields are read-only."""

    search_fields: tuple[str, ...] = ("label", "name", "pym")
    list_per_page = 50
    date_hierarchy = None

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        """Declared read-only fields plus the platform's columns this model has."""
        model = self.model
        names = {field.name for field in model._meta.get_fields()}
        fields = [*super().get_readonly_fields(request, obj)]
        extra = [*BASE_READONLY, *(["number"] if has_number_field(model) else [])]
        extra += list(getattr(model, "computed_fields", {}) or {})
        if "pid" in names:
            extra.append("pid")
        return fields + [name for name in extra if name in names and name not in fields]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        """Generated tables are per tenant already; a table with a ``tenant`` column is scoped."""
        queryset = super().get_queryset(request)
        tenant = getattr(self.admin_site, "tenant", None)
        if tenant and any(f.name == "tenant" for f in self.model._meta.concrete_fields):
            queryset = queryset.filter(tenant__name=tenant)
        return queryset
