"""How a person reads the spec's fixed vocabularies: translated labels for choice fields.

Pure data (lazy translations only), so the design tables and the kernel's published rows show
``人工`` / ``manual`` instead of a raw ``manual``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

SERVICE_KIND_LABELS = {
    "manual": _("manual task"),
    "system": _("system service"),
    "agent": _("agent"),
}
VIEW_KIND_LABELS = {
    "public_tasks": _("public tasks"),
    "my_tasks": _("my tasks"),
    "entity_tasks": _("an entity's tasks"),
    "entity_search": _("entity search"),
    "service_search": _("service search"),
    "profile": _("profile header"),
}
FIELD_TYPE_LABELS = {
    "char": _("short text"),
    "text": _("long text"),
    "integer": _("integer"),
    "decimal": _("decimal"),
    "boolean": _("yes/no"),
    "date": _("date"),
    "datetime": _("date and time"),
    "time": _("time"),
    "json": _("JSON"),
    "file": _("file"),
    "ref": _("reference"),
    "user": _("user"),
    "computed": _("computed"),
    "process": _("process"),
}
BUILTIN_ENTITY_LABELS = {
    "operator": _("operator"),
    "role": _("role"),
    "service": _("service"),
    "process": _("process"),
    "resource": _("resource"),
    "user": _("user"),
}
ON_DELETE_LABELS = {
    "protect": _("protect"),
    "cascade": _("delete with it"),
    "set_null": _("set empty"),
}
RULE_MODE_LABELS = {"deterministic": _("deterministic"), "decision": _("decision")}
INSTRUCTION_LABELS = {
    "start_service": _("start service"),
    "call_sub_service": _("call sub-service"),
    "calling_return": _("return to caller"),
    "start_iteration_service": _("start for each item"),
    "start_parallel_service": _("start in parallel"),
    "retry_process": _("retry process"),
    "terminate_process": _("terminate process"),
    "escalate_process": _("escalate process"),
    "rollback_process": _("roll back process"),
}


def labelled(
    values: Iterable[str], labels: Mapping[str, Promise]
) -> list[tuple[str, Promise | str]]:
    """Django ``choices`` for ``values`` with their labels (a value without one shows as itself)."""
    return [(value, labels.get(value, value)) for value in values]


WIDGET_LABELS = {
    "select": _("drop-down list"),
    "radio": _("radio buttons"),
    "checkbox": _("check box"),
    "multiselect": _("multiple choice"),
}
RESOURCE_KIND_LABELS = {
    "material": _("material"),
    "equipment": _("equipment"),
    "device": _("device"),
    "capital": _("capital"),
    "knowledge": _("knowledge"),
}
BUILTIN_EVENT_LABELS = {
    "started": _("started"),
    "completed": _("completed"),
    "suspended": _("suspended"),
    "failed": _("failed"),
    "children_completed": _("all items done"),
    "low_stock": _("stock low"),
}
