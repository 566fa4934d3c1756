"""What each editor shows: the keys of every kind of spec element, their inputs and conversions.

A form posts one text per key; ``apply_post`` turns the texts into the spec's values (an empty
input drops the key) and keeps every key the editor does not show untouched.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_lazy as _

from design.editors.store import parse_scalar
from design.specs.model import (
    BUILTIN_ENTITIES,
    BUILTIN_EVENTS,
    ENTITY_ACTIONS,
    ENTITY_KINDS,
    FIELD_TYPES,
    ON_DELETE,
    RESOURCE_KINDS,
    RULE_MODES,
    SERVICE_KINDS,
    VIEW_KINDS,
    WIDGETS,
)
from design.specs.programs import PARAMS

# Widgets: text (kept as typed), scalar (read as a YAML scalar: numbers, true/false), bool,
# select, list (comma separated), lines (one item per line), ref (a name, with a picker),
# expression (text, checked live), choices, pairs (``key: a, b`` lines), requires, rows.


@dataclass(frozen=True)
class Key:
    name: str  # dotted for nested keys: ``timer.after``, ``params.iterations``
    label: Any
    widget: str = "text"
    options: tuple[str, ...] | str = ()  # a tuple, or a picker source (a section name)
    types: tuple[str, ...] = ()  # field kinds: shown only for these field types
    help: Any = ""


@dataclass(frozen=True)
class Kind:
    section: str
    label: Any
    keys: tuple[Key, ...]
    children: dict[str, str] = field(default_factory=dict)  # list key -> child kind
    create: tuple[str, ...] = ("label", "name")  # keys asked when adding one
    summary: tuple[str, ...] = ()  # columns of the list


NUMERIC = ("integer", "decimal", "date", "datetime", "time")

FIELD = (
    Key("label", _("Label")),
    Key("name", _("Name"), help=_("identifier: lower case letters, digits and _")),
    Key("field", _("Reusable field"), "ref", "fields"),
    Key("type", _("Type"), "select", FIELD_TYPES),
    Key("required", _("Required"), "bool"),
    Key("default", _("Default"), "default"),
    Key("max_length", _("Max length"), "scalar", types=("char",)),
    Key("max_digits", _("Max digits"), "scalar", types=("decimal",)),
    Key("decimal_places", _("Decimal places"), "scalar", types=("decimal",)),
    Key("choices", _("Choices"), "choices", types=("char", "integer", "text")),
    Key("min", _("Minimum"), "scalar", types=NUMERIC),
    Key("max", _("Maximum"), "scalar", types=NUMERIC),
    Key("pattern", _("Pattern"), types=("char",), help=_("a regular expression")),
    Key("to", _("Refers to"), "ref", "entities", types=("ref",)),
    Key("multiple", _("Multiple"), "bool", types=("ref",)),
    Key("on_delete", _("On delete"), "select", ON_DELETE, types=("ref",)),
    Key(
        "expression",
        _("Expression"),
        "expression",
        types=("computed",),
        help=_("over this record's fields, e.g. quantity * unit_price"),
    ),
    Key("unique", _("Unique"), "bool"),
    Key("index", _("Index"), "bool"),
    Key("help", _("Help text")),
    Key("readonly", _("Read-only"), "bool"),
    Key("role", _("Role"), "select", ("scheduled_time",), types=("datetime",)),
)

PARAM_WIDGETS = {
    "operator": ("text", _("Operator: same, any or a role")),
    "returns": ("list", _("Returned record fields")),
    "iterations": ("scalar", _("Iterations")),
    "over": ("expression", _("Over (an expression giving a list)")),
    "threads": ("scalar", _("Threads")),
    "operators": ("list", _("Operators")),
    "roles": ("list", _("Roles")),
    "max_retries": ("scalar", _("Max retries")),
    "backoff": ("text", _("Backoff (ISO 8601 duration)")),
    "scope": ("select", _("Scope")),
    "to": ("text", _("To")),
    "priority": ("scalar", _("Priority")),
    "decided_by": ("list", _("Decided by (roles)")),
}


def param_keys(instruction: str, mode: str) -> tuple[Key, ...]:
    """The parameter inputs of an instruction (and ``decided_by`` in decision mode)."""
    names = [*PARAMS.get(instruction, ()), *(("decided_by",) if mode == "decision" else ())]
    keys = []
    for name in names:
        widget, label = PARAM_WIDGETS[name]
        options = ("self", "tree") if name == "scope" else ()
        keys.append(Key(f"params.{name}", label, widget, options))
    return tuple(keys)


RULE = (
    Key("service", _("Service"), "ref", "services"),
    Key("event", _("Event"), "ref", "events"),
    Key("instruction", _("Instruction"), "select", tuple(PARAMS)),
    Key("operand", _("Operand"), "ref", "services"),
    Key("mode", _("Mode"), "select", RULE_MODES),
    Key("order", _("Order"), "scalar"),
)

KINDS: dict[str, Kind] = {
    "entities": Kind(
        "entities",
        _("Entities"),
        (
            Key("label", _("Label")),
            Key("name", _("Name")),
            Key("kind", _("Kind"), "select", ENTITY_KINDS),
            Key("is_a", _("Is a"), "ref", "entities"),
            Key("part_of", _("Part of"), "ref", "entities"),
            Key("naming", _("Numbering"), help=_("e.g. CUS-{YYYY}-{#####}")),
            Key("list", _("List columns"), "list"),
            Key("search", _("Search fields"), "list"),
            Key(
                "rows",
                _("Rows (dict)"),
                "rows",
                help=_("one row per line: a label, or label | field=value; field=value"),
            ),
        ),
        children={"fields": "field"},
        create=("label", "name", "kind"),
        summary=("kind",),
    ),
    "fields": Kind(
        "fields", _("Reusable fields"), FIELD, create=("label", "name", "type"), summary=("type",)
    ),
    "forms": Kind(
        "forms",
        _("Forms"),
        (
            Key("label", _("Label")),
            Key("name", _("Name")),
            Key("entity", _("Entity"), "ref", "entities"),
            Key("inlines", _("Inlines (child entities)"), "list"),
        ),
        children={"fields": "form_field"},
        create=("label", "name", "entity"),
        summary=("entity",),
    ),
    "services": Kind(
        "services",
        _("Services"),
        (
            Key("label", _("Label")),
            Key("name", _("Name")),
            Key("kind", _("Kind"), "select", SERVICE_KINDS),
            Key("record", _("Record"), "ref", "entities"),
            Key("serves", _("Serves"), "ref", "entities"),
            Key("form", _("Form"), "ref", "forms"),
            Key("roles", _("Roles"), "list"),
            Key("price", _("Price"), "scalar"),
            Key("duration", _("Duration"), help=_("ISO 8601, e.g. PT30M")),
            Key("requires", _("Requires"), "requires", help=_("one per line: resource: quantity")),
            Key("manual_start", _("Manual start"), "bool"),
            Key("action", _("Action"), help=_("system services only")),
        ),
        children={"rules": "rule"},
        summary=("kind", "record", "serves"),
    ),
    "events": Kind(
        "events",
        _("Events"),
        (
            Key("label", _("Label")),
            Key("name", _("Name")),
            Key("expression", _("Expression"), "expression", help=_("e.g. form.amount > 5000")),
            Key("timer.after", _("Timer: after"), help=_("ISO 8601, e.g. PT30M")),
            Key("timer.of", _("Timer: of")),
            Key("timer.cron", _("Timer: cron"), help=_("e.g. 0 9 * * *")),
        ),
        create=("label", "name", "expression"),
        summary=("expression",),
    ),
    "roles": Kind(
        "roles",
        _("Roles"),
        (
            Key("label", _("Label")),
            Key("name", _("Name")),
            Key("services", _("Services"), "list"),
            Key("supervises", _("Supervises"), "list"),
            Key(
                "entities",
                _("Master-data rights"),
                "pairs",
                help=_("one per line: entity: view, add, change"),
            ),
        ),
    ),
    "operators": Kind(
        "operators",
        _("Operators"),
        (Key("label", _("Label")), Key("name", _("Name")), Key("roles", _("Roles"), "list")),
        summary=("roles",),
    ),
    "resources": Kind(
        "resources",
        _("Resources"),
        (
            Key("label", _("Label")),
            Key("name", _("Name")),
            Key("kind", _("Kind"), "select", RESOURCE_KINDS),
            Key("unit", _("Unit")),
            Key("quantity", _("Quantity"), "scalar"),
            Key("capacity", _("Capacity"), "scalar"),
        ),
        create=("label", "name", "kind"),
        summary=("kind",),
    ),
    "views": Kind(
        "views",
        _("Views"),
        (
            Key("label", _("Label")),
            Key("name", _("Name")),
            Key("for", _("For"), "select", VIEW_KINDS),
            Key("entity", _("Entity"), "ref", "entities"),
        ),
        children={"columns": "column"},
        create=("label", "name", "for"),
        summary=("for",),
    ),
    "menu": Kind(
        "menu",
        _("Menu"),
        (
            Key("label", _("Label")),
            Key("name", _("Name")),
            Key("entity", _("Entity"), "ref", "entities"),
            Key("view", _("View"), "ref", "views"),
        ),
        children={"children": "menu_item"},
        create=("label",),
        summary=("entity", "view"),
    ),
}

CHILD_KINDS: dict[str, tuple[Key, ...]] = {
    "field": FIELD,
    "form_field": (
        Key("field", _("Field")),
        Key("required", _("Required"), "bool"),
        Key("readonly", _("Read-only"), "bool"),
        Key("widget", _("Widget"), "select", WIDGETS),
    ),
    "column": (
        Key("label", _("Label")),
        Key("value", _("Value (dotted path)"), "path"),
        Key("visible", _("Visible"), "bool"),
    ),
    "rule": RULE,
    # an item of a menu group (``menu[].children``), one level deep
    "menu_item": (
        Key("label", _("Label")),
        Key("name", _("Name")),
        Key("entity", _("Entity"), "ref", "entities"),
        Key("view", _("View"), "ref", "views"),
    ),
}

# The new child each "add" button appends (valid enough to edit; the validator says the rest).
NEW_CHILD: dict[str, Callable[[dict[str, Any]], Any]] = {
    "field": lambda parent: {"type": "char"},
    "form_field": lambda parent: {},
    "column": lambda parent: {},
    "menu_item": lambda parent: {},
    "rule": lambda parent: {
        "service": parent.get("name", ""),
        "event": "started",
        "instruction": "start_service",
    },
}

BUILTIN_REFS = {"entities": BUILTIN_ENTITIES, "events": BUILTIN_EVENTS}
ROLE_ACTIONS = ENTITY_ACTIONS


# --- element <-> form texts ----------------------------------------------------------------


def get_key(element: Any, dotted: str) -> Any:
    value = element
    for part in dotted.split("."):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value


def _set_key(element: dict[str, Any], dotted: str, value: Any) -> None:
    parts = dotted.split(".")
    target = element
    for part in parts[:-1]:
        if value is None and not isinstance(target.get(part), dict):
            return
        target = target.setdefault(part, {})
    if value is None:
        target.pop(parts[-1], None)
    else:
        target[parts[-1]] = value
    if value is None and len(parts) > 1 and not target:
        element.pop(parts[0], None)


def _row_text(row: Any) -> str:
    """A dict row as one line: ``label``, or ``label | field=value; field=value`` for a mapping
    (``label |`` for a mapping with the label alone)."""
    if not isinstance(row, dict):
        return str(row)
    extra = "; ".join(f"{k}={v}" for k, v in row.items() if k != "label")
    return f"{row.get('label', '')} | {extra}".rstrip()


def _row_parse(line: str) -> Any:
    """One line of the rows input: a bare label, or a mapping when the line has a ``|``."""
    label, bar, rest = line.partition("|")
    if not bar:
        return label.strip()
    pairs = [part.partition("=") for part in rest.split(";") if part.strip()]
    row: dict[str, Any] = {"label": label.strip()}
    for name, _eq, value in pairs:
        row[name.strip()] = parse_scalar(value.strip())
    return row


def _split(text: str) -> list[str]:
    return [p.strip() for p in text.replace("\n", ",").replace("，", ",").split(",") if p.strip()]


def to_text(key: Key, value: Any) -> str:
    """The text an input shows for a spec value."""
    if value is None:
        return ""
    if key.widget == "bool":
        return "true" if value is True else "false" if value is False else str(value)
    if key.widget == "list":
        return ", ".join(str(v) for v in value) if isinstance(value, list) else str(value)
    if key.widget == "rows" and isinstance(value, list):
        return "\n".join(_row_text(row) for row in value)
    if key.widget in ("choices", "rows"):
        if not isinstance(value, list):
            return str(value)
        lines = []
        for item in value:
            if isinstance(item, dict) and "value" in item:
                lines.append(f"{item['value']} = {item.get('label', '')}")
            elif isinstance(item, dict):
                lines.append(str(item.get("label", item)))
            else:
                lines.append(str(item))
        return "\n".join(lines)
    if key.widget == "pairs" and isinstance(value, dict):
        return "\n".join(
            f"{k}: {', '.join(v) if isinstance(v, list) else v}" for k, v in value.items()
        )
    if key.widget == "requires" and isinstance(value, list):
        return "\n".join(
            (
                f"{r.get('resource', '')}: {r['quantity']}"
                if "quantity" in r
                else str(r.get("resource"))
            )
            if isinstance(r, dict)
            else str(r)
            for r in value
        )
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def from_text(key: Key, text: str, element: dict[str, Any]) -> Any:
    """The spec value of an input's text; None drops the key."""
    text = text.strip() if key.widget not in ("text", "expression") else text
    if text.strip() == "":
        return None
    if key.widget == "bool":
        return {"true": True, "false": False}.get(text, text)
    if key.widget == "scalar":
        return parse_scalar(text)
    if key.widget == "default":
        if element.get("type") in ("char", "text") or "field" in element:
            return text
        return parse_scalar(text)
    if key.widget == "list":
        return _split(text)
    if key.widget == "choices":
        items: list[Any] = []
        for line in text.splitlines():
            if not line.strip():
                continue
            if "=" in line:
                value, label = line.split("=", 1)
                items.append({"value": value.strip(), "label": label.strip()})
            else:
                items.append(line.strip())
        return items
    if key.widget == "rows":
        return [_row_parse(line) for line in text.splitlines() if line.strip()]
    if key.widget == "pairs":
        out: dict[str, Any] = {}
        for line in text.splitlines():
            if ":" in line:
                name, actions = line.split(":", 1)
                out[name.strip()] = _split(actions)
            elif line.strip():
                out[line.strip()] = []
        return out
    if key.widget == "requires":
        reqs = []
        for line in text.splitlines():
            if not line.strip():
                continue
            name, _sep, quantity = line.partition(":")
            req: dict[str, Any] = {"resource": name.strip()}
            if quantity.strip():
                req["quantity"] = parse_scalar(quantity.strip())
            reqs.append(req)
        return reqs
    return text


def keys_for(kind: str, element: Any, *, child: bool) -> tuple[Key, ...]:
    """The inputs an element shows: field keys by type, rule parameters by instruction."""
    keys = CHILD_KINDS[kind] if child else KINDS[kind].keys
    if not isinstance(element, dict):
        return keys
    if kind in ("field", "fields"):
        if element.get("field") is not None and kind == "field":
            shown = ("field", "required", "default", "help", "readonly")
            return tuple(k for k in keys if k.name in shown)
        ftype = element.get("type", "char")
        return tuple(k for k in keys if k.name != "field" and (not k.types or ftype in k.types))
    if kind == "rule":
        instruction = str(element.get("instruction", ""))
        mode = str(element.get("mode", "deterministic"))
        return (*keys, *param_keys(instruction, mode))
    if kind == "entities" and element.get("kind") != "dict":
        return tuple(k for k in keys if k.name != "rows")
    return keys


def as_mapping(element: Any, kind: str) -> dict[str, Any]:
    """A child written as a bare string (a reusable field, a form field) as a mapping."""
    if isinstance(element, dict):
        return dict(element)
    if kind in ("field", "form_field"):
        return {"field": element}
    return {"label": element} if kind == "menu" else {}


def compact(element: dict[str, Any], kind: str) -> Any:
    """Back to the bare string form when only the reference is left."""
    if kind in ("field", "form_field") and set(element) == {"field"}:
        return element["field"]
    return element


def apply_post(kind: str, element: Any, post: Any, *, child: bool) -> Any:
    """``element`` with the posted inputs applied (keys the form does not show are kept)."""
    updated = as_mapping(element, kind)
    # Keys follow the posted type/instruction, so switching type drops what it does not take.
    for probe in ("type", "instruction", "mode", "kind"):
        if probe in post:
            value = post.get(probe, "").strip()
            if value:
                updated[probe] = value
            else:
                updated.pop(probe, None)
    before = {k.name for k in keys_for(kind, as_mapping(element, kind), child=child)}
    shown = keys_for(kind, updated, child=child)
    shown_names = {k.name for k in shown}
    for name in before - shown_names:  # inputs of the old type no longer apply
        _set_key(updated, name, None)
    if kind == "rule" and not updated.get("params"):
        updated.pop("params", None)
    for key in shown:
        if key.name in post:
            _set_key(updated, key.name, from_text(key, post.get(key.name, ""), updated))
    if kind == "rule" and updated.get("mode") == "deterministic":
        updated.pop("mode")
    return compact(updated, kind)
