"""Hypothesis strategies producing small valid ``Spec`` objects (names pinned, mixed-script labels)."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import strategies as st

from design.specs.model import (
    ColumnSpec,
    EntitySpec,
    EventSpec,
    FieldSpec,
    MenuItemSpec,
    OperatorSpec,
    RequirementSpec,
    ResourceSpec,
    RoleSpec,
    RuleSpec,
    ServiceSpec,
    Spec,
    TenantSpec,
    TimerSpec,
    ViewSpec,
)

# Labels and texts a YAML writer must quote (or must not) to read them back as the same strings.
TRICKY = [
    "yes",
    "no",
    "on",
    "off",
    "1",
    "00:30",
    "a: b",
    "x # y",
    "null",
    "~",
    "- dash",
    "100%",
    "it's",
    '"q"',
    "[x]",
    "{y}",
    "@home",
    "*star",
]
LABELS = [
    "客户",
    "预约记录",
    "婚否",
    "治疗室",
    "VIP 客户",
    "Work Order",
    "Device",
    "Café crème",
    "Invoice 2",
    *TRICKY,
]

labels = st.sampled_from(LABELS)
texts = st.sampled_from([*LABELS, "first line\nsecond line", " padded ", "tab\there"])
numbers = st.one_of(
    st.integers(0, 10_000), st.sampled_from([Decimal("2.5"), Decimal("19.99"), Decimal("0.01")])
)


def _names(prefix: str, count: int) -> list[str]:
    return [f"{prefix}_{i}" for i in range(count)]


@st.composite
def field_specs(draw: st.DrawFn, name: str, targets: list[str]) -> FieldSpec:
    """One inline or reusable field definition; refs point at ``targets`` or a built-in."""
    kind = draw(
        st.sampled_from(
            ["char", "text", "integer", "decimal", "boolean", "date", "ref"]
            if targets
            else ["char", "integer", "boolean"]
        )
    )
    field = FieldSpec(name=name, label=draw(labels), type=kind, required=draw(st.booleans()))
    if draw(st.booleans()):
        field.help = draw(texts)
    if kind == "char":
        field.max_length = draw(st.none() | st.integers(1, 200))
        if draw(st.booleans()):
            field.default = draw(st.sampled_from(TRICKY))
    elif kind == "integer":
        field.default = draw(st.none() | st.integers(0, 500))
        field.min = draw(st.none() | st.just(0))
    elif kind == "decimal":
        field.max_digits, field.decimal_places = 8, 2
    elif kind == "boolean":
        field.default = draw(st.none() | st.booleans())
    elif kind == "ref":
        field.to = draw(st.sampled_from([*targets, "operator", "user"]))
        field.multiple = draw(st.booleans())
    return field


@st.composite
def specs(draw: st.DrawFn) -> Spec:
    """A small valid spec: entities with inline and reusable fields, services, a program, people, views."""
    reusable = [draw(field_specs(n, [])) for n in _names("shared", draw(st.integers(0, 2)))]
    models_ = _names("thing", draw(st.integers(1, 3)))
    records = _names("note", draw(st.integers(0, 2)))
    entities: list[EntitySpec] = []
    for i, name in enumerate(models_ + records):
        targets = models_[:i] if i < len(models_) else models_
        count = draw(st.integers(0, 3))
        fields = [draw(field_specs(f"{name}_f{j}", targets)) for j in range(count)]
        entity = EntitySpec(name=name, label=draw(labels), fields=fields)
        if name in records:
            entity.kind, entity.part_of = "record", models_[0]
        elif i and draw(st.booleans()):
            entity.is_a = models_[0]  # inherits thing_0's fields: it must not repeat a reusable one
        for field in reusable if entity.is_a is None else []:
            if draw(st.booleans()):
                usage = FieldSpec(**{**field.__dict__, "source": field.name})
                if draw(st.booleans()):
                    usage.required, usage.overrides = not field.required, ("required",)
                fields.append(usage)
        entities.append(entity)
    if draw(st.booleans()):
        as_strings = draw(st.booleans())
        rows = [
            {"label": label}
            for label in draw(st.lists(labels, min_size=1, max_size=3, unique=True))
        ]
        entities.append(
            EntitySpec(
                name="choice_list",
                label=draw(labels),
                kind="dict",
                rows=rows,
                rows_as_strings=as_strings,
            )
        )

    resources = [
        ResourceSpec(
            name="bench", label=draw(labels), kind="equipment", capacity=draw(st.integers(1, 3))
        ),
        ResourceSpec(
            name="stock",
            label=draw(labels),
            kind="material",
            unit=draw(st.none() | st.just("pcs")),
            quantity=draw(numbers),
            minimum=draw(st.none() | numbers),
            keepers=draw(st.sampled_from([[], ["desk"]])),
        ),
    ]
    steps = _names("step", draw(st.integers(1, 3)))
    services = [
        ServiceSpec(
            name=name,
            label=draw(labels),
            record=draw(st.sampled_from(records)) if records and draw(st.booleans()) else None,
            serves=models_[0],
            price=draw(st.none() | numbers),
            duration=draw(st.none() | st.sampled_from(["PT30M", "PT1H"])),
            requires=[RequirementSpec("bench", 1)] if draw(st.booleans()) else [],
        )
        for name in steps
    ]
    events = []
    if draw(st.booleans()):
        events.append(
            EventSpec(
                name="overdue", label=draw(labels), timer=TimerSpec(after="PT2H", of="started")
            )
        )
    rules = [
        RuleSpec(service="flow", event="started", instruction="start_service", operand=steps[0])
    ]
    for a, b in zip(steps, steps[1:], strict=False):
        rules.append(RuleSpec(service=a, event="completed", instruction="start_service", operand=b))
    rules.append(
        RuleSpec(
            service=steps[-1],
            event="completed",
            instruction="terminate_process",
            params={"scope": "tree"},
        )
    )
    if events:
        rules.append(
            RuleSpec(
                service=steps[0],
                event="overdue",
                instruction="retry_process",
                params={"max_retries": 2, "backoff": "PT1M"},
            )
        )
    services.append(
        ServiceSpec(
            name="flow", label=draw(labels), serves=models_[0], manual_start=True, rules=rules
        )
    )
    roles = [
        RoleSpec(
            name="desk",
            label=draw(labels),
            services=draw(st.lists(st.sampled_from(steps), unique=True)),
            supervises=draw(st.lists(st.just("desk"), max_size=1)),
            entities={
                name: draw(
                    st.lists(st.sampled_from(["view", "add", "change"]), unique=True, min_size=1)
                )
                for name in draw(st.lists(st.sampled_from(models_), unique=True, max_size=2))
            },
        )
    ]
    for service in services[:-1]:
        service.roles = ["desk"] if draw(st.booleans()) else []
    operators = (
        [OperatorSpec(name="ana", label=draw(labels), roles=["desk"])]
        if draw(st.booleans())
        else []
    )
    columns = [
        ColumnSpec(draw(labels), "pid", visible=draw(st.booleans())),
        ColumnSpec(draw(labels), "service.label"),
    ]
    views = [
        ViewSpec(name="public_tasks", label=draw(labels), for_="public_tasks", columns=columns)
    ]
    menu = [MenuItemSpec(label=draw(labels), entity=models_[0])]
    if draw(st.booleans()):
        menu.append(
            MenuItemSpec(
                label=draw(labels), children=[MenuItemSpec(label=draw(labels), view="public_tasks")]
            )
        )
    return Spec(
        tenant=TenantSpec(
            name="prop", label=draw(labels), language=draw(st.none() | st.just("en"))
        ),
        fields=reusable,
        entities=entities,
        services=services,
        events=events,
        roles=roles,
        operators=operators,
        resources=resources,
        views=views,
        menu=menu,
    )
