"""System admin (/admin/) for the design DB: every meta-model, searchable by label, name and pinyin initials."""

from django.contrib import admin

from core.admin import READONLY, SEARCH
from design import models as m


class MetaModelAdmin(admin.ModelAdmin):
    """Shared options of the named design tables."""

    list_display = ("label", "name", "tenant", "pym")
    list_filter = ("tenant",)
    search_fields = SEARCH
    readonly_fields = READONLY
    list_select_related = ("tenant",)

    def save_formset(self, request, form, formset, change):
        """Inline rows belong to their parent's tenant."""
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            obj.delete()
        for obj in instances:
            obj.tenant_id = form.instance.tenant_id
            obj.save()
        formset.save_m2m()


class DataItemConsistsInline(admin.TabularInline):
    model = m.DataItemConsists
    fk_name = "entity"
    fields = ("order", "field", "overrides")
    raw_id_fields = ("field",)
    extra = 0


@admin.register(m.DataItem)
class DataItemAdmin(MetaModelAdmin):
    list_display = ("label", "name", "kind", "type", "owner", "tenant", "order", "pym")
    list_filter = ("tenant", "kind", "type")
    list_select_related = ("tenant", "owner")
    raw_id_fields = ("owner", "is_a", "part_of", "to")
    inlines = [DataItemConsistsInline]


class FormFieldInline(admin.TabularInline):
    model = m.FormField
    fields = ("order", "field", "required", "readonly", "widget")
    extra = 0


@admin.register(m.Form)
class FormAdmin(MetaModelAdmin):
    list_display = ("label", "name", "entity", "tenant", "pym")
    list_select_related = ("tenant", "entity")
    raw_id_fields = ("entity",)
    inlines = [FormFieldInline]


class ServiceRoleInline(admin.TabularInline):
    model = m.ServiceRole
    fields = ("order", "role")
    extra = 0


class ServiceRequirementInline(admin.TabularInline):
    model = m.ServiceRequirement
    fields = ("order", "resource", "quantity")
    extra = 0


class ServiceRuleInline(admin.TabularInline):
    model = m.ServiceRule
    fk_name = "program"
    fields = (
        "position",
        "service",
        "event",
        "builtin_event",
        "instruction",
        "operand",
        "params",
        "order",
        "mode",
    )
    raw_id_fields = ("service", "operand", "event")
    extra = 0


@admin.register(m.Service)
class ServiceAdmin(MetaModelAdmin):
    list_display = ("label", "name", "kind", "record", "serves", "manual_start", "tenant", "pym")
    list_filter = ("tenant", "kind", "manual_start")
    list_select_related = ("tenant", "record", "serves")
    raw_id_fields = ("record", "serves", "form")
    inlines = [ServiceRoleInline, ServiceRequirementInline, ServiceRuleInline]


@admin.register(m.ServiceRule)
class ServiceRuleAdmin(admin.ModelAdmin):
    list_display = (
        "program",
        "position",
        "service",
        "event",
        "builtin_event",
        "instruction",
        "operand",
        "mode",
    )
    list_filter = ("tenant", "instruction", "mode")
    list_select_related = ("program", "service", "event", "operand")
    search_fields = (
        "program__name",
        "program__label",
        "program__pym",
        "service__name",
        "service__pym",
    )
    raw_id_fields = ("program", "service", "operand", "event")


@admin.register(m.Event)
class EventAdmin(MetaModelAdmin):
    list_display = (
        "label",
        "name",
        "expression",
        "timer_after",
        "timer_of",
        "timer_cron",
        "tenant",
    )


class RoleServiceInline(admin.TabularInline):
    model = m.RoleService
    fields = ("order", "service")
    extra = 0


@admin.register(m.Role)
class RoleAdmin(MetaModelAdmin):
    inlines = [RoleServiceInline]


class OperatorRoleInline(admin.TabularInline):
    model = m.OperatorRole
    fields = ("order", "role")
    extra = 0


@admin.register(m.Operator)
class OperatorAdmin(MetaModelAdmin):
    inlines = [OperatorRoleInline]


@admin.register(m.Resource)
class ResourceAdmin(MetaModelAdmin):
    list_display = (
        "label",
        "name",
        "kind",
        "unit",
        "quantity",
        "capacity",
        "minimum",
        "tenant",
        "pym",
    )
    list_filter = ("tenant", "kind")


class ViewColumnInline(admin.TabularInline):
    model = m.ViewColumn
    fields = ("order", "label", "value", "visible")
    extra = 0


@admin.register(m.View)
class ViewAdmin(MetaModelAdmin):
    list_display = ("label", "name", "for_kind", "tenant", "pym")
    list_filter = ("tenant", "for_kind")
    inlines = [ViewColumnInline]


@admin.register(m.MenuItem)
class MenuItemAdmin(MetaModelAdmin):
    list_display = ("label", "name", "parent", "entity", "view", "order", "tenant")
    list_select_related = ("tenant", "parent", "entity", "view")
    raw_id_fields = ("parent", "entity", "view")
