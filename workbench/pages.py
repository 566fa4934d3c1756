"""What the workbench pages show, read through kernel.selectors (each page in constant queries)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from applications.base.models import DictModel, pinyin_initials
from applications.tenancy import entity_model, entity_name_of, tenant_app_config
from kernel import selectors
from kernel.api.columns import column_value, prefetch, task_rows, view_for
from kernel.fsm import State
from kernel.models import Operator, Process, Revision, ServiceDef, ViewDef
from kernel.models.process import ProcessState
from kernel.services import operator_supervises

# Rows shown per board tab, in priority order, and the most a tab counts (more shows as
# "999+"): a board costs the same at 100 and 10,000 open tasks (bench/tasklist.py); search
# finds the rest, and a supervisor's per-role figures (``team_counts``) stay exact.
BOARD_LIMIT = 50
BOARD_COUNT_LIMIT = 999
HISTORY_LIMIT = 200  # records per entity shown in an entity page's history
LIVE = {State.NEW, State.READY, State.RUNNING, State.WAITING, State.SUSPENDED, State.ERROR}
# Entity page: the order of the state groups.
STATE_ORDER = ["RUNNING", "READY", "WAITING", "SUSPENDED", "ERROR", "NEW", "TERMINATED"]
STATE_LABELS = dict(ProcessState.choices)
STATE_COLORS = {
    "NEW": "secondary",
    "READY": "primary",
    "RUNNING": "success",
    "WAITING": "warning",
    "SUSPENDED": "warning",
    "TERMINATED": "dark",
    "ERROR": "danger",
}


@dataclass
class TaskRow:
    """One task on a list: the process, its view values in column order, marks and actions."""

    process: Process
    cells: list[Any]
    overdue: bool
    escalated: bool
    waiting_overdue: bool = False  # waited for resources longer than the service's duration
    entity_url: str | None = None
    can_claim: bool = False
    can_complete: bool = False
    can_suspend: bool = False
    can_resume: bool = False
    can_cancel: bool = False
    shift_to: list[Operator] = field(default_factory=list)


def visible_columns(columns: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [column for column in columns if column["visible"]]


def task_table(
    processes: list[Process], *, tenant: str, tenant_id: int, scope: str, operator: Operator
) -> tuple[list[dict[str, Any]], list[TaskRow]]:
    """(visible columns, rows) of a task list under the tenant's view for ``scope``."""
    _, columns = view_for(tenant_id=tenant_id, scope=scope)
    shown = visible_columns(columns)
    rows = task_rows(processes, columns)
    now = timezone.now()
    candidates = selectors.shift_candidates(processes=processes)
    table = []
    for process, row in zip(processes, rows, strict=True):
        live = process.state in LIVE
        # a supervisor manages the team's tasks as if they were his own (kernel.services)
        mine = process.operator_id == operator.pk or scope == "team"
        service = process.service
        table.append(
            TaskRow(
                process=process,
                cells=[row["values"][column["value"]] for column in shown],
                overdue=live
                and process.scheduled_time is not None
                and process.scheduled_time < now,
                escalated=process.priority > 0,
                waiting_overdue=selectors.waiting_overdue(process, now),
                entity_url=entity_url(tenant, process.entity) if process.entity_id else None,
                # a supervisor reassigns a team task (shift); he claims from Public
                can_claim=process.state == State.READY
                and process.operator_id is None
                and scope != "team",
                can_complete=live
                and process.state != State.SUSPENDED
                and service is not None
                and not service.record
                and not service.is_program,
                can_suspend=mine and process.state in (State.READY, State.RUNNING, State.WAITING),
                can_resume=mine and process.state == State.SUSPENDED,
                can_cancel=mine and live,
                shift_to=candidates.get(process.pk, []) if mine and live else [],
            )
        )
    return shown, table


@dataclass
class BoardTab:
    name: str
    label: str
    count: int
    columns: list[dict[str, Any]]
    rows: list[TaskRow]
    more: bool = False  # more than ``count`` (= BOARD_COUNT_LIMIT) tasks


def board_tabs(*, tenant: str, operator: Operator) -> list[BoardTab]:
    """Public and Mine, and Team for an operator whose roles supervise others, with counts."""
    tabs = []
    names = [("public", _("Public")), ("mine", _("Mine"))]
    if operator_supervises(operator):
        names.append(("team", _("Team")))
    for name, label in names:
        query = selectors.task_queryset(operator=operator, scope=name)
        processes = list(query[:BOARD_LIMIT])
        count = query.order_by()[: BOARD_COUNT_LIMIT + 1].count()  # stops past the limit
        more = count > BOARD_COUNT_LIMIT
        columns, rows = task_table(
            processes, tenant=tenant, tenant_id=operator.tenant_id, scope=name, operator=operator
        )
        tabs.append(BoardTab(name, str(label), min(count, BOARD_COUNT_LIMIT), columns, rows, more))
    return tabs


def team_counts(*, operator: Operator) -> list[tuple[str, int]]:
    """(role label, live tasks) per role the operator supervises, in role order (3 queries).

    A task counts for each supervised role that may do it (its service's roles, or the role it
    was assigned to).
    """
    from django.db.models import Count

    from kernel.models import Role

    supervised = operator_supervises(operator)
    if not supervised:
        return []
    groups = list(
        selectors.task_queryset(operator=operator, scope="team")
        .order_by()
        .values("service_id", "assigned_role")
        .annotate(n=Count("pk"))
    )
    roles_of = dict(
        ServiceDef.objects.filter(pk__in={g["service_id"] for g in groups}).values_list(
            "pk", "roles"
        )
    )
    counts = dict.fromkeys(supervised, 0)
    for group in groups:
        roles = set(roles_of.get(group["service_id"]) or ())
        if group["assigned_role"]:
            roles.add(group["assigned_role"])
        for role in roles & supervised:
            counts[role] += group["n"]
    labels = Role.objects.filter(tenant_id=operator.tenant_id, name__in=supervised).order_by("pk")
    return [(role.label or role.name, counts[role.name]) for role in labels]


def menu(*, tenant: str, user: Any) -> list[dict[str, Any]]:
    """The spec's menu as links: an entity item opens its admin list (when the user may view it),
    a view item opens that board tab; groups keep their children."""
    revision = Revision.objects.filter(tenant__name=tenant).order_by("-number").only("menu").first()

    def link(item: dict[str, Any]) -> dict[str, Any] | None:
        children = [c for c in (link(child) for child in item.get("children") or []) if c]
        url = None
        if item.get("entity"):
            model = entity_model(tenant, item["entity"])
            meta = model._meta if model is not None else None
            if meta is not None and user.has_perm(f"{meta.app_label}.view_{meta.model_name}"):
                try:
                    url = reverse(f"{tenant}:{meta.app_label}_{meta.model_name}_changelist")
                except NoReverseMatch:
                    url = None
        elif item.get("view"):
            tab = {"public_tasks": "public", "my_tasks": "mine"}.get(item["view"])
            url = f"{reverse(f'{tenant}:board')}?tab={tab}" if tab else None
        if url is None and not children:
            return None
        return {"label": item.get("label", ""), "url": url, "children": children}

    return [
        entry for entry in (link(item) for item in (revision.menu if revision else [])) if entry
    ]


def creatable_models(tenant: str) -> list[tuple[type[models.Model], str]]:
    """(model, entity name) of the tenant's master data an operator may create on a New form:
    entities of kind ``model`` with an ``erpsys_id`` (records come from tasks, dicts are data)."""
    from applications.base.models import RecordModel

    config = tenant_app_config(tenant)
    found = []
    for model in config.get_models() if config else []:
        if issubclass(model, DictModel | RecordModel) or model._meta.abstract:
            continue
        if not any(f.name == "erpsys_id" for f in model._meta.concrete_fields):
            continue
        found.append((model, entity_name_of(model)))
    return found


def creatable(*, tenant: str, user: Any) -> list[dict[str, Any]]:
    """The New menu: ``{label, url}`` for each entity the user may add (role key ``entities``)."""
    out = []
    for model, name in creatable_models(tenant):
        meta = model._meta
        if user.has_perm(f"{meta.app_label}.add_{meta.model_name}"):
            out.append(
                {
                    "label": meta.verbose_name,
                    "name": name,
                    "url": reverse(f"{tenant}:entity-new", kwargs={"entity": name}),
                }
            )
    return out


def entity_url(tenant: str, row: models.Model | None) -> str | None:
    erpsys_id = getattr(row, "erpsys_id", None)
    if erpsys_id is None:
        return None
    name = entity_name_of(type(row))
    return reverse(f"{tenant}:entity", kwargs={"entity": name, "erpsys_id": erpsys_id})


def _display(row: models.Model, name: str) -> Any:
    """A field's value as a person reads it (choices by label)."""
    getter = getattr(row, f"get_{name}_display", None)
    return getter() if callable(getter) else getattr(row, name, None)


def profile(*, tenant_id: int, row: models.Model) -> list[tuple[str, Any]]:
    """The profile header: the tenant's ``profile`` view columns this entity has, else its own fields."""
    view = (
        ViewDef.objects.filter(revision__tenant_id=tenant_id, for_kind="profile")
        .order_by("-revision__number", "pk")
        .only("columns")
        .first()
    )
    names = {f.name for f in row._meta.concrete_fields}
    columns = [
        c
        for c in (view.columns if view else [])
        if str(c.get("value", "")).split(".")[0] in names and c.get("visible", True)
    ]
    if columns:
        return [
            (c.get("label", ""), column_value_of(row, str(c.get("value", "")))) for c in columns
        ]
    skip = {"id", "erpsys_id", "pym", "name", "created_time", "updated_time", "label"}
    fields = [f for f in row._meta.concrete_fields if f.name not in skip and not f.primary_key]
    return [(f.verbose_name, _display(row, f.name)) for f in fields[:8]]


def column_value_of(row: models.Model, path: str) -> Any:
    """A dotted view path over one row (the same allowlist as the task-list columns)."""
    return column_value(_Holder(row), f"entity.{path}")


class _Holder:
    """Lets an entity row be walked like a process's ``entity``."""

    def __init__(self, row: models.Model) -> None:
        self.entity = row


def entity_tasks(
    *, tenant: str, operator: Operator, row: models.Model
) -> tuple[list[dict[str, Any]], list[tuple[str, str, list[TaskRow]]]]:
    """(columns, [(state, state label, rows)]) of the entity's processes, grouped by state."""
    processes = selectors.task_list(operator=operator, scope="entity", entity=row)
    columns, rows = task_table(
        processes, tenant=tenant, tenant_id=operator.tenant_id, scope="entity", operator=operator
    )
    groups = []
    for state in STATE_ORDER:
        members = [r for r in rows if r.process.state == state]
        if members:
            groups.append((state, str(STATE_LABELS.get(state, state)), members))
    return columns, groups


def _children_models(model: type[models.Model]) -> list[tuple[type[models.Model], str]]:
    """Models of the same app that are ``part_of`` ``model``: (model, the FK field's name)."""
    found = []
    for relation in model._meta.related_objects:
        related = relation.related_model
        if (
            relation.one_to_many
            and related._meta.app_label == model._meta.app_label
            and relation.field.name == "master"
        ):
            found.append((related, relation.field.name))
    return found


@dataclass
class HistoryItem:
    when: Any
    kind: str  # "process" or "record"
    title: str
    state: str = ""
    pid: int | None = None
    url: str | None = None


def entity_history(
    *, tenant: str, row: models.Model, processes: list[Process]
) -> list[HistoryItem]:
    """Every process and record on the entity, newest first (one query per record model)."""
    items = [
        HistoryItem(
            when=p.created_time,
            kind="process",
            title=p.service.label if p.service_id else str(p.pk),
            state=p.state,
            pid=p.pk,
            url=reverse(f"{tenant}:process", kwargs={"pid": p.pk}),
        )
        for p in processes
    ]
    for model, fk in _children_models(type(row)):
        for record in model._default_manager.filter(**{fk: row}).order_by("-pk")[:HISTORY_LIMIT]:
            pid = getattr(record, "pid_id", None)
            items.append(
                HistoryItem(
                    when=getattr(record, "created_time", None),
                    kind="record",
                    title=f"{model._meta.verbose_name} {record}",
                    pid=pid,
                    url=reverse(f"{tenant}:process", kwargs={"pid": pid}) if pid else None,
                )
            )
    epoch = timezone.now().replace(year=1970)
    return sorted(items, key=lambda item: item.when or epoch, reverse=True)


def all_processes(tasks: list[tuple[str, str, list[TaskRow]]]) -> list[Process]:
    return [r.process for _, _, rows in tasks for r in rows]


def record_fields(record: models.Model | None) -> list[tuple[str, Any]]:
    """A record's own fields as (label, value) for reading."""
    if record is None:
        return []
    skip = {"id", "erpsys_id", "pym", "name", "label", "pid", "created_time", "updated_time"}
    out = []
    for f in record._meta.concrete_fields:
        if f.name in skip or f.primary_key:
            continue
        out.append((f.verbose_name, _display(record, f.name)))
    for f in record._meta.many_to_many:
        out.append((f.verbose_name, ", ".join(str(item) for item in getattr(record, f.name).all())))
    return out


def search(*, tenant: str, operator: Operator, user: Any, text: str, limit: int = 8) -> dict:
    """Entities (that the user may view) and the operator's tasks whose label, name or pinyin
    initials (or a searched column of the ``entity_search`` view) contain ``text``."""
    text = text.strip()
    if not text:
        return {"entities": [], "tasks": []}
    searched = set(search_columns(operator.tenant_id))
    config = tenant_app_config(tenant)
    entities = []
    for model in config.get_models() if config else []:
        meta = model._meta
        if issubclass(model, DictModel) or not user.has_perm(
            f"{meta.app_label}.view_{meta.model_name}"
        ):
            continue
        names = ["label", "name", "pym", "number"] + sorted(searched)
        condition = Q()
        for name in names:
            try:
                model_field = meta.get_field(name)
            except Exception:  # noqa: BLE001 - FieldDoesNotExist: this model lacks the column
                continue
            if isinstance(model_field, models.CharField):
                condition |= Q(**{f"{name}__icontains": text})
        if not condition:
            continue
        rows = list(model._default_manager.filter(condition).order_by("-pk")[:limit])
        for row, title in titles(rows, sorted(searched)):
            entities.append(
                {
                    "row": row,
                    "title": title,
                    "kind": meta.verbose_name,
                    "url": entity_url(tenant, row),
                }
            )
    needle = text.lower()
    services = [
        pk
        for pk, label, name in ServiceDef.objects.filter(
            revision__tenant_id=operator.tenant_id
        ).values_list("pk", "label", "name")
        if needle in label.lower() or needle in name.lower() or needle in pinyin_initials(label)
    ]
    allowed = Q(operator=operator) | Q(
        pk__in=selectors.task_queryset(operator=operator, scope="public").values("pk")
    )
    tasks = list(
        Process.objects.filter(tenant_id=operator.tenant_id, service_id__in=services)
        .filter(allowed, state__in=list(LIVE))
        .select_related("service")
        .order_by("-priority", "pid")[:limit]
    )
    prefetch(tasks, [])
    return {"entities": entities, "tasks": tasks}


def startable(*, operator: Operator, row: models.Model | None = None) -> list[ServiceDef]:
    serves = row._meta.label_lower if row is not None else None
    return selectors.startable_services(operator=operator, serves=serves)


def entity_choices(
    *, tenant: str, service: ServiceDef, text: str, limit: int = 10
) -> tuple[str, list[models.Model]]:
    """(entity name, rows) of the entity ``service`` serves whose text columns contain ``text``."""
    if not service.serves or not service.serves.startswith(f"{tenant}."):
        return "", []
    name = _entity_of_label(tenant, service.serves)
    model = entity_model(tenant, name)
    if model is None:
        return "", []
    query = model._default_manager.all()
    if text.strip():
        condition = Q()
        for f in model._meta.concrete_fields:
            if isinstance(f, models.CharField) and f.name not in ("erpsys_id",):
                condition |= Q(**{f"{f.name}__icontains": text.strip()})
        query = query.filter(condition)
    return name, list(query.order_by("-pk")[:limit])


def search_columns(tenant_id: int) -> list[str]:
    """The value paths of the tenant's ``entity_search`` views (what identifies a row to a person)."""
    return [
        str(c.get("value", ""))
        for view in ViewDef.objects.filter(
            revision__tenant_id=tenant_id, for_kind="entity_search"
        ).order_by("-revision__number")[:1]
        for c in view.columns or []
    ]


def titles(rows: list[models.Model], paths: list[str]) -> list[tuple[models.Model, str]]:
    """(row, title): the row's own search-column values joined, else ``str(row)``."""
    out = []
    for row in rows:
        names = {f.name for f in row._meta.concrete_fields}
        parts = [
            cell
            for path in paths
            if "." not in path and path in names
            for cell in [getattr(row, path)]
            if cell not in (None, "")
        ]
        out.append((row, " · ".join(str(part) for part in parts[:3]) or str(row)))
    return out


def _entity_of_label(tenant: str, label: str) -> str:
    """``clinic.customer`` -> ``customer`` (the generated model's entity name)."""
    config = tenant_app_config(tenant)
    model_name = label.split(".", 1)[1]
    for model in config.get_models() if config else []:
        if model._meta.model_name == model_name:
            return entity_name_of(model)
    return model_name
