"""The ModelAdmin every generated admin class extends."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest

from applications.base.models import has_number_field
from applications.tenancy import builtin_scope, is_builtin, tenant_choices, tenant_of

BASE_READONLY = ("erpsys_id", "pym", "created_time", "updated_time")


class TenantRelatedFieldListFilter(admin.RelatedFieldListFilter):
    """A changelist filter on a built-in link that lists the model's tenant's rows only."""

    def field_choices(self, field: models.Field, request: HttpRequest, model_admin: Any) -> list:
        ordering = self.field_admin_ordering(field, request, model_admin)
        scope = builtin_scope(field.related_model, tenant_of(model_admin.model))
        return field.get_choices(include_blank=False, ordering=ordering, limit_choices_to=scope)


class EntityAdminMixin:
    """What a generated model's admin page and inline share: base columns, numbers, computed
    fields and ``pid`` are read-only; links to built-in tables offer the tenant's rows only."""

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

    def formfield_for_foreignkey(
        self, db_field: models.ForeignKey, request: HttpRequest, **kwargs: Any
    ) -> forms.Field | None:
        self._scope_choices(db_field, request, kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(
        self, db_field: models.ManyToManyField, request: HttpRequest, **kwargs: Any
    ) -> forms.Field | None:
        self._scope_choices(db_field, request, kwargs)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def _scope_choices(self, db_field: models.Field, request: HttpRequest, kwargs: dict) -> None:
        if not is_builtin(db_field.related_model):
            return
        queryset = kwargs.get("queryset")
        if queryset is None:
            queryset = self.get_field_queryset(None, db_field, request)
        if queryset is None:
            queryset = db_field.related_model._default_manager.all()
        kwargs["queryset"] = tenant_choices(queryset, tenant_of(self.model))


class EntityInline(EntityAdminMixin, admin.TabularInline):
    """The inline of a ``part_of`` child under its master's page."""

    fk_name = "master"
    extra = 0


class EntityAdmin(EntityAdminMixin, admin.ModelAdmin):
    """Search by label/name/pinyin; base columns, numbers and computed fields are read-only.

    Links to built-in tables (operator, role, process, user, service, resource) offer and
    filter by the tenant's own rows only, in forms and changelist filters.
    """

    search_fields: tuple[str, ...] = ("label", "name", "pym")
    list_per_page = 50
    date_hierarchy = None

    def get_list_filter(self, request: HttpRequest) -> list:
        """The declared filters; one on a built-in link lists the tenant's rows only."""
        out: list = []
        for entry in super().get_list_filter(request):
            if isinstance(entry, str) and "__" not in entry:
                field = self.model._meta.get_field(entry)
                if field.is_relation and is_builtin(field.related_model):
                    entry = (entry, TenantRelatedFieldListFilter)
            out.append(entry)
        return out

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        """Generated tables are per tenant already; a table with a ``tenant`` column is scoped."""
        queryset = super().get_queryset(request)
        tenant = getattr(self.admin_site, "tenant", None)
        if tenant and any(f.name == "tenant" for f in self.model._meta.concrete_fields):
            queryset = queryset.filter(tenant__name=tenant)
        return queryset
