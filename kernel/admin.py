"""System administration of kernel rows (read-mostly: revisions are immutable, processes change via services)."""

from django.contrib import admin

from kernel.models import (
    ContextSnapshot,
    Decision,
    EventDef,
    FanOut,
    Incident,
    Operator,
    Process,
    Revision,
    Role,
    RuleDef,
    Service,
    ServiceDef,
    ViewDef,
)


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class ServiceDefInline(admin.TabularInline):
    model = ServiceDef
    extra = 0
    fields = ("name", "label", "kind", "record", "roles", "is_program", "action")
    readonly_fields = fields
    can_delete = False


class RuleDefInline(admin.TabularInline):
    model = RuleDef
    extra = 0
    fields = ("program", "order", "service", "event", "instruction", "operand", "params", "mode")
    readonly_fields = fields
    can_delete = False


@admin.register(Revision)
class RevisionAdmin(_ReadOnly):
    list_display = ("tenant", "number", "spec_hash", "created")
    list_filter = ("tenant",)
    inlines = [ServiceDefInline, RuleDefInline]


@admin.register(EventDef, ViewDef)
class DefinitionAdmin(_ReadOnly):
    list_display = ("name", "label", "revision")
    list_filter = ("revision__tenant",)


@admin.register(Service)
class ServiceAdmin(_ReadOnly):
    """The service catalogue generated records link to; publish writes it."""

    list_display = ("name", "label", "tenant", "price", "is_active")
    list_filter = ("tenant", "is_active")
    search_fields = ("name", "label", "pym")


@admin.register(Role)
class RoleAdmin(admin.ModelAdmin):
    list_display = ("name", "label", "tenant")
    list_filter = ("tenant",)
    search_fields = ("name", "label", "pym")


@admin.register(Operator)
class OperatorAdmin(admin.ModelAdmin):
    list_display = ("name", "label", "tenant", "user", "is_active")
    list_filter = ("tenant", "is_active")
    search_fields = ("name", "label", "pym")
    filter_horizontal = ("roles",)


@admin.register(Process)
class ProcessAdmin(_ReadOnly):
    list_display = (
        "pid",
        "tenant",
        "service",
        "state",
        "priority",
        "operator",
        "parent",
        "created_time",
    )
    list_filter = ("tenant", "state")
    list_select_related = ("tenant", "service", "operator", "parent")
    search_fields = ("pid", "erpsys_id", "service__name")
    raw_id_fields = ("parent", "previous", "program", "root", "caller")


@admin.register(Decision)
class DecisionAdmin(_ReadOnly):
    list_display = ("pk", "process", "event", "state", "answered_by", "created")
    list_filter = ("state",)


@admin.register(FanOut)
class FanOutAdmin(_ReadOnly):
    list_display = ("pk", "parent", "mode", "operand", "done", "total")


@admin.register(ContextSnapshot)
class ContextSnapshotAdmin(_ReadOnly):
    list_display = ("process", "version", "hash", "created")


@admin.register(Incident)
class IncidentAdmin(_ReadOnly):
    """Failed rules: which process they left in ERROR and why (resolved through the service API)."""

    list_display = ("pk", "tenant", "process", "rule", "code", "state", "attempts", "created")
    list_filter = ("tenant", "state", "code")
    list_select_related = ("tenant", "process", "rule")
    search_fields = ("process__pid", "code", "reason")
    raw_id_fields = ("process", "subject", "program")
