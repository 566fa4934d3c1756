"""A new tenant whose entities link to each other in cycles (the first migration must split them)."""

from __future__ import annotations

from design.specs.model import EntitySpec, FieldSpec, Spec, TenantSpec


def cyclic_spec(tenant: str = "cyclic") -> Spec:
    """``ticket`` refs its ``step`` (part_of ticket); ``asset`` (is_a base) refs ``vehicle``, a later
    ``is_a asset``; ``team`` and ``person`` ref each other; ``node`` refs itself."""
    return Spec(
        tenant=TenantSpec(name=tenant, label="Cyclic"),
        entities=[
            EntitySpec(
                name="ticket",
                label="Ticket",
                fields=[
                    FieldSpec(name="title", label="Title", type="char", required=True),
                    FieldSpec(name="current_step", label="Current step", type="ref", to="step"),
                ],
            ),
            EntitySpec(
                name="step",
                label="Step",
                kind="record",
                part_of="ticket",
                fields=[FieldSpec(name="note", label="Note", type="text")],
            ),
            EntitySpec(
                name="asset",
                label="Asset",
                fields=[
                    FieldSpec(name="tag", label="Tag", type="char", max_length=20),
                    FieldSpec(name="replacement", label="Replacement", type="ref", to="vehicle"),
                    FieldSpec(name="fleet", label="Fleet", type="ref", to="vehicle", multiple=True),
                ],
            ),
            EntitySpec(
                name="vehicle",
                label="Vehicle",
                is_a="asset",
                fields=[
                    FieldSpec(name="plate", label="Plate", type="char", max_length=12),
                    FieldSpec(name="driver", label="Driver", type="ref", to="person"),
                ],
            ),
            EntitySpec(
                name="team",
                label="Team",
                fields=[FieldSpec(name="lead", label="Lead", type="ref", to="person")],
            ),
            EntitySpec(
                name="person",
                label="Person",
                fields=[
                    FieldSpec(name="team", label="Team", type="ref", to="team"),
                    FieldSpec(name="mentor", label="Mentor", type="ref", to="person"),
                    FieldSpec(name="owner", label="Owner", type="user"),
                    FieldSpec(name="handler", label="Handler", type="ref", to="operator"),
                ],
            ),
        ],
    )
