"""The normalized spec: what a valid meta_specs folder means, as plain dataclasses.

This is the one contract between the validator (which produces it), the design
database (``spec load`` writes it, ``spec export`` reads it back), the code
generator and publish. Every reference is resolved to a ``name``; every element
has both ``name`` and ``label``; keys the spec omitted hold ``None`` (or their
documented default where the format fixes one), so ``export`` can leave them out
again. Order is spec order wherever the format gives order a meaning.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from core.vocabulary import RULE_MODES, SERVICE_KINDS, VIEW_KINDS  # noqa: F401 - re-exported

SPEC_VERSION = 1

FIELD_TYPES = (
    "char",
    "text",
    "integer",
    "decimal",
    "boolean",
    "date",
    "datetime",
    "time",
    "json",
    "file",
    "ref",
    "user",
    "computed",
    "process",
)
ENTITY_KINDS = ("model", "record", "dict")
RESOURCE_KINDS = ("material", "equipment", "device", "capital", "knowledge")
ON_DELETE = ("protect", "cascade", "set_null")
WIDGETS = ("select", "radio", "checkbox", "multiselect")
BUILTIN_EVENTS = (
    "started",
    "completed",
    "suspended",
    "failed",
    "children_completed",
    "low_stock",
)
# What a role's ``entities`` key may grant on an entity, in this order.
ENTITY_ACTIONS = ("view", "add", "change")
BUILTIN_ENTITIES = ("operator", "role", "service", "process", "resource", "user")

# Names every generated model already has (base columns) or that would shadow
# Python/Django machinery; a spec may not use them for entities or fields.
BASE_COLUMNS = (
    "label",
    "name",
    "pym",
    "erpsys_id",
    "created_time",
    "updated_time",
    "pid",
    "master",
    "number",
)
RESERVED_NAMES = frozenset(
    {
        "id",
        "pk",
        "objects",
        "save",
        "delete",
        "clean",
        "full_clean",
        "refresh_from_db",
        "class",
        "meta",
        "Meta",
        "DoesNotExist",
        "MultipleObjectsReturned",
        "check",
        "validate_unique",
        "serializable_value",
        "get_deferred_fields",
        "from_db",
        "prepare_database_save",
        "date_error_message",
        "unique_error_message",
        "tenant",
        "state",
        "model",
        "fields",
        "self",
        "cls",
        "query",
        "queryset",
        "content_type",
        "polymorphic_ctype",
        # more Model / EntityModel attributes a field would shadow
        "save_base",
        "clean_fields",
        "validate_constraints",
        "get_constraints",
        "asave",
        "adelete",
        "arefresh_from_db",
        "assign_number",
    }
    | set(BASE_COLUMNS)
)
# Tenant names become URL prefixes; these are taken by the root URLconf.
RESERVED_TENANT_NAMES = frozenset({"admin", "api", "design", "healthz", "static", "media", "ws"})
NAME_PATTERN = r"^[a-z][a-z0-9_]*$"
NAME_MAX_LENGTH = 40


@dataclass(frozen=True)
class Location:
    """Where a node of the spec stands: file (as given, relative where possible), 1-based line and column."""

    file: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


@dataclass(frozen=True)
class Choice:
    value: str
    label: str


@dataclass
class TenantSpec:
    name: str
    label: str
    language: str | None = None
    timezone: str | None = None


@dataclass
class FieldSpec:
    """A field of an entity (or a reusable field), with reusable-field overrides already applied."""

    name: str
    label: str
    type: str
    required: bool = False
    default: Any = None  # None means "no default" (the format has no null default)
    unique: bool = False
    index: bool = False
    max_length: int | None = None  # char: None means the documented 255
    max_digits: int | None = None  # decimal: None means 12
    decimal_places: int | None = None  # decimal: None means 2
    choices: list[Choice] | None = None
    min: Any = None
    max: Any = None
    pattern: str | None = None
    to: str | None = None  # ref: resolved entity name or built-in entity name
    multiple: bool = False
    on_delete: str | None = None  # None means the documented default
    expression: str | None = None  # computed
    help: str | None = None
    readonly: bool = False
    role: str | None = None  # "scheduled_time"
    source: str | None = None  # name of the reusable field this one uses, if any
    overrides: tuple[str, ...] = ()  # keys the entity set on top of the reusable field

    @property
    def effective_on_delete(self) -> str:
        return self.on_delete or ("protect" if self.required else "set_null")


@dataclass
class EntitySpec:
    name: str
    label: str
    kind: str = "model"
    fields: list[FieldSpec] = field(default_factory=list)  # own fields only, spec order
    list_display: list[str] | None = None  # spec key `list`
    search: list[str] | None = None
    naming: str | None = None
    part_of: str | None = None
    is_a: str | None = None
    rows: list[dict[str, Any]] = field(
        default_factory=list
    )  # dict rows, each at least {"label": ...}
    rows_as_strings: bool = (
        False  # the spec wrote rows as plain strings (export writes them back so)
    )


@dataclass
class FormFieldSpec:
    field: str
    required: bool | None = None
    readonly: bool | None = None
    widget: str | None = None


@dataclass
class FormSpec:
    name: str
    label: str
    entity: str
    fields: list[FormFieldSpec] = field(default_factory=list)
    inlines: list[str] = field(default_factory=list)


@dataclass
class RequirementSpec:
    resource: str
    quantity: Any = 1


@dataclass
class RuleSpec:
    service: str
    event: str
    instruction: str
    operand: str | None = None
    params: dict[str, Any] = field(default_factory=dict)
    order: int | None = None  # None means "its position"
    mode: str = "deterministic"


@dataclass
class ServiceSpec:
    name: str
    label: str
    kind: str = "manual"
    record: str | None = None
    serves: str | None = None
    form: str | None = None
    roles: list[str] = field(default_factory=list)
    price: Any = None
    duration: str | None = None  # ISO 8601 duration
    requires: list[RequirementSpec] = field(default_factory=list)
    manual_start: bool = False
    new_record: bool = False  # True: each run fills a fresh record (never an earlier step's)
    action: str | None = None
    rules: list[RuleSpec] = field(default_factory=list)

    @property
    def is_program(self) -> bool:
        return bool(self.rules)


@dataclass
class TimerSpec:
    after: str | None = None  # ISO 8601 duration
    of: str | None = None  # "started" | "scheduled_time"
    cron: str | None = None


@dataclass
class EventSpec:
    name: str
    label: str
    expression: str | None = None
    timer: TimerSpec | None = None


@dataclass
class RoleSpec:
    name: str
    label: str
    services: list[str] = field(default_factory=list)
    # Roles whose tasks this role's operators may reassign, suspend, resume and cancel.
    supervises: list[str] = field(default_factory=list)
    # Entity name -> the master-data rights of the role's operators (ENTITY_ACTIONS).
    entities: dict[str, list[str]] = field(default_factory=dict)


@dataclass
class OperatorSpec:
    name: str
    label: str
    roles: list[str] = field(default_factory=list)


@dataclass
class ResourceSpec:
    name: str
    label: str
    kind: str
    unit: str | None = None
    quantity: Any = None
    capacity: int | None = None
    minimum: Any = None  # material/capital: below it, the built-in event low_stock fires
    keepers: list[str] = field(default_factory=list)  # roles that may adjust the stock


@dataclass
class ColumnSpec:
    label: str
    value: str
    visible: bool = True


@dataclass
class ViewSpec:
    name: str
    label: str
    for_: str  # spec key `for`
    columns: list[ColumnSpec] = field(default_factory=list)
    entity: str | None = None  # optional: the entity an entity_search/profile view is about


@dataclass
class MenuItemSpec:
    label: str
    name: str | None = None
    entity: str | None = None
    view: str | None = None
    children: list[MenuItemSpec] = field(default_factory=list)


@dataclass
class Spec:
    """A whole tenant's validated, resolved spec."""

    tenant: TenantSpec
    spec_version: int = SPEC_VERSION
    fields: list[FieldSpec] = field(default_factory=list)  # reusable field definitions
    entities: list[EntitySpec] = field(default_factory=list)
    forms: list[FormSpec] = field(default_factory=list)
    services: list[ServiceSpec] = field(default_factory=list)
    events: list[EventSpec] = field(default_factory=list)
    roles: list[RoleSpec] = field(default_factory=list)
    operators: list[OperatorSpec] = field(default_factory=list)
    resources: list[ResourceSpec] = field(default_factory=list)
    views: list[ViewSpec] = field(default_factory=list)
    menu: list[MenuItemSpec] = field(default_factory=list)

    def entity(self, name: str) -> EntitySpec:
        return next(e for e in self.entities if e.name == name)

    def service(self, name: str) -> ServiceSpec:
        return next(s for s in self.services if s.name == name)

    def all_fields(self, entity: EntitySpec) -> list[FieldSpec]:
        """Fields of an entity including those inherited through ``is_a`` (ancestors first)."""
        inherited = self.all_fields(self.entity(entity.is_a)) if entity.is_a else []
        return [*inherited, *entity.fields]
