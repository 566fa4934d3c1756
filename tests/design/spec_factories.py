"""Hand-built normalized Specs for the design-DB tests (no validator needed)."""

from __future__ import annotations

from decimal import Decimal

from design.specs.model import (
    Choice,
    ColumnSpec,
    EntitySpec,
    EventSpec,
    FieldSpec,
    FormFieldSpec,
    FormSpec,
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


def small_spec(tenant: str = "shop") -> Spec:
    """A spec touching every table and most keys: reusable fields with overrides, is_a, part_of, rules."""
    full_name = FieldSpec(name="full_name", label="姓名", type="char", max_length=50, required=True)
    phone = FieldSpec(
        name="phone", label="电话", type="char", max_length=20, pattern="^[0-9+\\- ]{5,20}$"
    )
    return Spec(
        tenant=TenantSpec(
            name=tenant, label="修理店", language="zh-hans", timezone="Asia/Shanghai"
        ),
        fields=[full_name, phone],
        entities=[
            EntitySpec(
                name="fault",
                label="故障",
                kind="dict",
                rows=[{"label": "屏幕"}, {"label": "yes"}],
                rows_as_strings=True,
            ),
            EntitySpec(
                name="customer",
                label="客户",
                naming="C-{#####}",
                fields=[
                    FieldSpec(**{**full_name.__dict__, "source": "full_name"}),
                    FieldSpec(
                        **{**phone.__dict__, "required": True, "label": "手机"},
                    ).__class__(
                        **{
                            **phone.__dict__,
                            "required": True,
                            "label": "手机",
                            "source": "phone",
                            "overrides": ("label", "required"),
                        }
                    ),
                    FieldSpec(
                        name="contact",
                        label="Preferred contact",
                        type="char",
                        choices=[Choice("phone", "phone"), Choice("no", "no")],
                        default="no",
                        help="a: b # not a comment",
                    ),
                    FieldSpec(name="since", label="Since", type="date", min="2020-01-01"),
                ],
                list_display=["number", "full_name"],
                search=["full_name", "phone"],
            ),
            EntitySpec(
                name="vip",
                label="VIP 客户",
                is_a="customer",
                fields=[
                    FieldSpec(
                        name="rate",
                        label="折扣率",
                        type="decimal",
                        max_digits=4,
                        decimal_places=2,
                        default=Decimal("0.95"),
                    )
                ],
            ),
            EntitySpec(
                name="intake",
                label="Intake",
                kind="record",
                part_of="customer",
                fields=[
                    FieldSpec(name="faults", label="Faults", type="ref", to="fault", multiple=True),
                    FieldSpec(name="tech", label="Technician", type="ref", to="operator"),
                    FieldSpec(
                        name="at", label="At", type="datetime", role="scheduled_time", readonly=True
                    ),
                    FieldSpec(name="total", label="Total", type="computed", expression="1 + 2"),
                ],
            ),
        ],
        forms=[
            FormSpec(
                name="intake_form",
                label="Intake form",
                entity="intake",
                fields=[
                    FormFieldSpec(field="faults", required=True, widget="select"),
                    FormFieldSpec(field="at"),
                ],
                inlines=[],
            )
        ],
        services=[
            ServiceSpec(
                name="take_in",
                label="收件",
                record="intake",
                serves="customer",
                form="intake_form",
                roles=["desk", "boss"],
                price=0,
                duration="PT15M",
                requires=[RequirementSpec("bench", 1), RequirementSpec("panel", Decimal("2.5"))],
            ),
            ServiceSpec(
                name="notify",
                label="Notify",
                kind="system",
                serves="customer",
                action="notify_customer",
            ),
            ServiceSpec(
                name="job",
                label="Job",
                serves="customer",
                manual_start=True,
                price=Decimal("19.99"),
                rules=[
                    RuleSpec(
                        service="job",
                        event="started",
                        instruction="start_service",
                        operand="take_in",
                    ),
                    RuleSpec(
                        service="take_in",
                        event="late",
                        instruction="escalate_process",
                        params={"to": "boss", "priority": 5},
                        mode="decision",
                        order=3,
                    ),
                    RuleSpec(
                        service="take_in",
                        event="completed",
                        instruction="calling_return",
                        params={"returns": ["total"]},
                    ),
                ],
            ),
        ],
        events=[
            EventSpec(name="late", label="Late", timer=TimerSpec(after="PT2H", of="started")),
            EventSpec(name="big", label="Big", expression="form.total > 1000"),
        ],
        roles=[
            RoleSpec(name="desk", label="前台", services=["take_in"]),
            RoleSpec(name="boss", label="Boss"),
        ],
        operators=[OperatorSpec(name="ana", label="Ana", roles=["desk", "boss"])],
        resources=[
            ResourceSpec(name="bench", label="Bench", kind="equipment", capacity=2),
            ResourceSpec(name="panel", label="Panel", kind="material", unit="pcs", quantity=25),
        ],
        views=[
            ViewSpec(
                name="public_tasks",
                label="Open",
                for_="public_tasks",
                columns=[
                    ColumnSpec("Customer", "entity.full_name"),
                    ColumnSpec("Pid", "pid", visible=False),
                ],
            )
        ],
        menu=[
            MenuItemSpec(label="Customers", entity="customer"),
            MenuItemSpec(
                label="Work",
                children=[MenuItemSpec(label="Open", view="public_tasks", name="open")],
            ),
        ],
    )
