"""A small hand-made Spec that touches every field type and key the generator knows."""

from __future__ import annotations

import datetime
import decimal

from design.specs.model import (
    Choice,
    EntitySpec,
    FieldSpec,
    FormFieldSpec,
    FormSpec,
    Spec,
    TenantSpec,
)


def full_spec(tenant: str = "golden") -> Spec:
    """Every field type, choices (strings and value/label), defaults, validators, is_a, part_of."""
    customer = EntitySpec(
        name="customer",
        label="客户",
        kind="model",
        naming="CUS-{YYYY}-{#####}",
        fields=[
            FieldSpec(
                name="full_name",
                label="姓名",
                type="char",
                max_length=50,
                required=True,
                index=True,
            ),
            FieldSpec(
                name="phone",
                label="电话",
                type="char",
                max_length=20,
                pattern=r"^[0-9+\- ]{5,20}$",
                unique=True,
                help='Digits, "+" and spaces',
            ),
            FieldSpec(name="notes", label="备注", type="text"),
            FieldSpec(name="visits", label="Visits", type="integer", min=0, max=1000, default=0),
            FieldSpec(
                name="balance",
                label="Balance",
                type="decimal",
                max_digits=10,
                decimal_places=2,
                default=decimal.Decimal("0.50"),
                min=0,
            ),
            FieldSpec(name="is_vip", label="VIP", type="boolean", default=True),
            FieldSpec(name="consent", label="Consent", type="boolean"),
            FieldSpec(
                name="birth_date",
                label="出生日期",
                type="date",
                min=datetime.date(1900, 1, 1),
                default=datetime.date(2000, 1, 1),
            ),
            FieldSpec(name="last_seen", label="Last seen", type="datetime"),
            FieldSpec(
                name="preferred_time", label="Preferred time", type="time", default="09:30:00"
            ),
            FieldSpec(name="profile", label="Profile", type="json", default={"tags": []}),
            FieldSpec(name="photo", label="Photo", type="file"),
            FieldSpec(
                name="contact",
                label="Contact",
                type="char",
                choices=[Choice("phone", "phone"), Choice("email", "email")],
                default="phone",
            ),
            FieldSpec(
                name="tier",
                label="Tier",
                type="integer",
                choices=[Choice("1", "Bronze"), Choice("2", "Silver")],
            ),
            FieldSpec(name="status", label="婚否", type="ref", to="marital_status"),
            FieldSpec(name="symptoms", label="症状", type="ref", to="symptom", multiple=True),
            FieldSpec(name="owner", label="Owner", type="user"),
            FieldSpec(name="doctor", label="Doctor", type="ref", to="operator", required=True),
            FieldSpec(name="process", label="Process", type="process"),
            FieldSpec(
                name="referrer", label="Referrer", type="ref", to="customer", on_delete="cascade"
            ),
        ],
        list_display=["number", "full_name", "phone", "symptoms"],
        search=["full_name", "phone", "status", "visits"],
    )
    return Spec(
        tenant=TenantSpec(
            name=tenant, label="Golden 诊所", language="zh-hans", timezone="Asia/Shanghai"
        ),
        entities=[
            EntitySpec(
                name="marital_status",
                label="婚否",
                kind="dict",
                rows=[{"label": "已婚"}, {"label": "未婚", "name": "unmarried"}],
                rows_as_strings=False,
            ),
            EntitySpec(
                name="symptom",
                label="症状",
                kind="dict",
                rows=[{"label": "Acne"}],
                rows_as_strings=True,
            ),
            customer,
            EntitySpec(
                name="vip_customer",
                label="VIP 客户",
                is_a="customer",
                naming="VIP-{####}",
                fields=[
                    FieldSpec(
                        name="discount_rate",
                        label="折扣率",
                        type="decimal",
                        max_digits=4,
                        decimal_places=2,
                    ),
                ],
            ),
            EntitySpec(
                name="order",
                label="Order",
                kind="record",
                part_of="customer",
                fields=[
                    FieldSpec(
                        name="placed_at",
                        label="Placed",
                        type="datetime",
                        role="scheduled_time",
                        required=True,
                    ),
                    FieldSpec(name="paid", label="Paid", type="boolean", required=True),
                    FieldSpec(name="total", label="Total", type="computed", expression="0"),
                    FieldSpec(name="contract", label="Contract", type="file", required=True),
                    FieldSpec(
                        name="service",
                        label="Service",
                        type="ref",
                        to="service",
                        required=True,
                        on_delete="set_null",
                    ),
                ],
            ),
            EntitySpec(
                name="order_line",
                label="Order line",
                kind="record",
                part_of="order",
                fields=[
                    FieldSpec(name="quantity", label="Quantity", type="integer", default=1, min=1),
                    FieldSpec(name="unit_price", label="Unit price", type="decimal"),
                    FieldSpec(
                        name="line_total",
                        label="Line total",
                        type="computed",
                        expression="quantity * unit_price",
                    ),
                    FieldSpec(
                        name="is_big", label="Big", type="computed", expression="quantity > 10"
                    ),
                    FieldSpec(
                        name="resource",
                        label="Resource",
                        type="ref",
                        to="resource",
                        on_delete="protect",
                    ),
                    FieldSpec(
                        name="role",
                        label="Role",
                        type="ref",
                        to="role",
                        multiple=True,
                        required=True,
                    ),
                ],
            ),
        ],
        forms=[
            FormSpec(
                name="order_form",
                label="Order form",
                entity="order",
                fields=[
                    FormFieldSpec(field="placed_at", required=True),
                    FormFieldSpec(field="paid", widget="checkbox"),
                    FormFieldSpec(field="total"),
                    FormFieldSpec(field="service", widget="select", readonly=True),
                ],
                inlines=["order_line"],
            ),
        ],
    )
