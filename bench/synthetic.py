"""A deterministic synthetic tenant spec of any size (default 300 entities, 3,000 fields) for benchmarks."""

from __future__ import annotations

from pathlib import Path

import yaml

REUSABLE = [
    {
        "label": "Phone",
        "name": "rf_phone",
        "type": "char",
        "max_length": 20,
        "pattern": r"^[0-9+\- ]{5,20}$",
    },
    {"label": "Email", "name": "rf_email", "type": "char", "max_length": 120},
    {"label": "Notes", "name": "rf_notes", "type": "text"},
    {
        "label": "Amount",
        "name": "rf_amount",
        "type": "decimal",
        "max_digits": 10,
        "decimal_places": 2,
        "min": 0,
    },
    {"label": "Active", "name": "rf_active", "type": "boolean", "default": True},
    {"label": "Start date", "name": "rf_start", "type": "date"},
    {"label": "Owner", "name": "rf_owner", "type": "ref", "to": "operator"},
    {
        "label": "Priority",
        "name": "rf_priority",
        "type": "integer",
        "min": 0,
        "max": 9,
        "default": 1,
    },
]
ROLES = 5
OPERATORS = 10


def _kind(index: int) -> str:
    slot = index % 10
    return "dict" if slot == 0 else "model" if slot <= 5 else "record"


def _entity_name(index: int) -> str:
    return f"e{index:03d}"


def _fields(index: int, count: int, entities: int) -> list[object]:
    """``count`` field entries of entity ``index``: reusable uses, refs, choices, computed."""
    kind, name = _kind(index), _entity_name(index)
    decade = index - index % 10
    out: list[object] = []
    inherits = kind == "model" and index % 10 == 5
    if kind == "model" and not inherits and count >= 3:
        out += ["rf_phone", {"field": "rf_email", "required": True}, "Notes"]
    j = 0
    while len(out) < count:
        field_name = f"{name}_f{j:02d}"
        label = f"Field {index}.{j}"
        shape = j % 8
        if shape == 0:
            entry = {"label": label, "name": field_name, "type": "char", "max_length": 60}
        elif shape == 1:
            entry = {"label": label, "name": field_name, "type": "integer", "min": 0, "default": 0}
        elif shape == 2:
            entry = {
                "label": label,
                "name": field_name,
                "type": "decimal",
                "max_digits": 12,
                "decimal_places": 2,
            }
        elif shape == 3 and kind != "dict":
            entry = {"label": label, "name": field_name, "type": "ref", "to": _entity_name(decade)}
        elif shape == 4:
            choices = ["low", "mid", "high"]
            entry = {
                "label": label,
                "name": field_name,
                "type": "char",
                "choices": choices,
                "default": "mid",
            }
        elif shape == 5 and kind == "record":
            expression = f"{name}_f01 * {name}_f02"
            entry = {
                "label": label,
                "name": field_name,
                "type": "computed",
                "expression": expression,
            }
        elif shape == 6 and kind == "model" and index + 10 < entities:
            entry = {
                "label": label,
                "name": field_name,
                "type": "ref",
                "to": _entity_name(decade + 1),
                "multiple": True,
            }
        elif shape == 7:
            entry = {"label": label, "name": field_name, "type": "datetime"}
        else:
            entry = {"label": label, "name": field_name, "type": "text"}
        out.append(entry)
        j += 1
    return out


def _entities(entities: int, fields: int) -> list[dict[str, object]]:
    per, extra = divmod(fields, entities)
    out: list[dict[str, object]] = []
    for index in range(entities):
        kind, name = _kind(index), _entity_name(index)
        entity: dict[str, object] = {"label": f"Entity {index}", "name": name, "kind": kind}
        if index % 20 == 3:  # a Chinese label with a derived name, as analysts write them
            entity = {"label": f"实体{index}", "kind": kind}
            name = f"shi_ti_{index}"
        entity["fields"] = _fields(index, per + (1 if index < extra else 0), entities)
        if kind == "dict":
            entity["rows"] = ["Alpha", "Beta", {"label": "Gamma"}]
        elif kind == "model" and index % 10 == 5:
            entity["is_a"] = _entity_name(index - 4)
        elif kind == "model" and index % 10 == 1:
            entity["naming"] = f"N{index}-{{#####}}"
            if index + 8 < entities:  # a link to its latest record (part_of it): a cycle
                entity["fields"][-1] = {
                    "label": f"Latest record {index}",
                    "name": f"{name}_latest",
                    "type": "ref",
                    "to": _entity_name(index + 8),
                }
            entity["list"] = ["number", f"{name}_f00"] if index % 20 != 3 else ["number"]
        elif kind == "record":
            entity["part_of"] = _entity_name(index - index % 10 + 1)
        out.append(entity)
    return out


def _services(entities: int) -> list[dict[str, object]]:
    services: list[dict[str, object]] = []
    for index in range(entities):
        if _kind(index) != "record" or index % 20 == 3:
            continue
        services.append(
            {
                "label": f"Service {index}",
                "name": f"s{index:03d}",
                "record": _entity_name(index),
                "serves": _entity_name(index - index % 10 + 1),
                "roles": [f"role_{index % ROLES}"],
                "duration": "PT30M",
                "requires": [{"resource": "bench", "quantity": 1}],
            }
        )
    for decade in range(0, entities - 9, 10):
        steps = [f"s{i:03d}" for i in range(decade + 6, decade + 10) if i % 20 != 3]
        if len(steps) < 3:
            continue
        program = f"p{decade:03d}"
        rules = [
            {
                "service": program,
                "event": "started",
                "instruction": "start_service",
                "operand": steps[0],
            },
            {
                "service": steps[0],
                "event": "completed",
                "instruction": "call_sub_service",
                "operand": steps[1],
            },
            {
                "service": steps[1],
                "event": "completed",
                "instruction": "start_service",
                "operand": steps[2],
            },
            {
                "service": steps[2],
                "event": "overdue",
                "instruction": "escalate_process",
                "params": {"to": "role_0"},
            },
            {
                "service": steps[2],
                "event": "completed",
                "instruction": "terminate_process",
                "params": {"scope": "tree"},
            },
        ]
        services.append(
            {
                "label": f"Program {decade}",
                "name": program,
                "serves": _entity_name(decade + 1),
                "manual_start": True,
                "rules": rules,
            }
        )
    return services


def synthetic_documents(
    *, entities: int = 300, fields: int = 3000, tenant: str = "synthetic"
) -> dict[str, dict]:
    """The synthetic spec as {file name: YAML document}."""
    if entities < 10 or fields < entities:
        raise ValueError("need at least 10 entities and one field per entity")
    services = _services(entities)
    names = [s["name"] for s in services]
    return {
        "tenant.yaml": {
            "spec_version": 1,
            "tenant": {"name": tenant, "label": "Synthetic", "language": "en"},
        },
        "entities.yaml": {"fields": REUSABLE, "entities": _entities(entities, fields)},
        "services.yaml": {
            "services": services,
            "events": [
                {"label": "Large", "name": "large", "expression": "process_priority > 5 and form"},
                {
                    "label": "Overdue",
                    "name": "overdue",
                    "timer": {"after": "PT2H", "of": "started"},
                },
                {"label": "Nightly", "name": "nightly", "timer": {"cron": "0 2 * * *"}},
            ],
            "roles": [
                {"label": f"Role {r}", "name": f"role_{r}", "services": names[r::ROLES]}
                for r in range(ROLES)
            ],
            "operators": [
                {"label": f"Operator {o}", "name": f"op_{o}", "roles": [f"role_{o % ROLES}"]}
                for o in range(OPERATORS)
            ],
            "resources": [
                {"label": "Bench", "name": "bench", "kind": "equipment", "capacity": 5},
                {
                    "label": "Glue",
                    "name": "glue",
                    "kind": "material",
                    "unit": "ml",
                    "quantity": 1000,
                },
            ],
            "views": [
                {
                    "label": "Open",
                    "name": "open_tasks",
                    "for": "public_tasks",
                    "columns": [
                        {"label": "Task", "value": "service.label"},
                        {"label": "Code", "value": "entity.e001_f00"},
                        {"label": "Process", "value": "pid", "visible": False},
                    ],
                },
                {
                    "label": "Mine",
                    "name": "my_tasks",
                    "for": "my_tasks",
                    "columns": [{"label": "State", "value": "state"}],
                },
            ],
            "menu": [
                {"label": f"Entity {i}", "entity": _entity_name(i)}
                for i in range(1, 10)
                if i % 10 != 3
            ]
            + [{"label": "Work", "children": [{"label": "Open", "view": "open_tasks"}]}],
        },
    }


def write_synthetic_spec(
    folder: Path, *, entities: int = 300, fields: int = 3000, tenant: str = "synthetic"
) -> Path:
    """Write a valid synthetic spec folder (same arguments, same bytes) and return it."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for file, document in synthetic_documents(
        entities=entities, fields=fields, tenant=tenant
    ).items():
        text = yaml.safe_dump(document, allow_unicode=True, sort_keys=False, width=120)
        (folder / file).write_text(text, encoding="utf-8")
    return folder
