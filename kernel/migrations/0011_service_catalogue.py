"""The kernel's service catalogue (``kernel.Service``), seeded from the design layer's services.

Generated apps used to link ``to: service`` fields to ``design.Service``; they now link here.
So that the links already stored stay valid when a generated app's follow-up migration points
its foreign keys at this table, every existing ``design.Service`` row is copied with the same
primary key (and ``erpsys_id``), then the id sequence is moved past them. Publish later upserts
these rows by name, so the ids are kept. Without the design app (or on a fresh database) there
is nothing to copy.
"""

import uuid

import django.db.models.deletion
from django.core.management.color import no_style
from django.db import migrations, models


def copy_design_services(apps, schema_editor):
    """Copy every ``design.Service`` row into ``kernel.Service`` under the same id."""
    try:
        source = apps.get_model("design", "Service")
    except LookupError:  # the design app is not installed: no service to carry over
        return
    target = apps.get_model("kernel", "Service")
    alias = schema_editor.connection.alias
    taken = set(target.objects.using(alias).values_list("tenant_id", "name"))
    rows = [
        target(
            id=row["id"],
            tenant_id=row["tenant_id"],
            name=row["name"],
            label=row["label"],
            pym=row["pym"],
            erpsys_id=row["erpsys_id"],
            price=row["price"],
            order=row["order"],
        )
        for row in source.objects.using(alias)
        .order_by("id")
        .values("id", "tenant_id", "name", "label", "pym", "erpsys_id", "price", "order")
        if (row["tenant_id"], row["name"]) not in taken
    ]
    if not rows:
        return
    target.objects.using(alias).bulk_create(rows, batch_size=500)
    statements = schema_editor.connection.ops.sequence_reset_sql(no_style(), [target])
    with schema_editor.connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


class Migration(migrations.Migration):
    # design.Service exists from design 0002_meta_models, which 0003_engine depends on.
    dependencies = [
        ("core", "0001_tenant_moved_from_design"),
        ("kernel", "0010_translated_choices"),
    ]

    operations = [
        migrations.CreateModel(
            name="Service",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.CharField(max_length=40, verbose_name="name")),
                ("label", models.CharField(max_length=255, verbose_name="label")),
                (
                    "pym",
                    models.CharField(
                        blank=True, editable=False, max_length=255, verbose_name="pinyin initials"
                    ),
                ),
                ("erpsys_id", models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                (
                    "price",
                    models.DecimalField(
                        blank=True, decimal_places=6, max_digits=20, null=True, verbose_name="price"
                    ),
                ),
                ("order", models.PositiveIntegerField(default=0, verbose_name="order")),
                ("is_active", models.BooleanField(default=True, verbose_name="active")),
                (
                    "tenant",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="kernel_services",
                        to="core.tenant",
                    ),
                ),
            ],
            options={
                "verbose_name": "service",
                "verbose_name_plural": "services",
                "ordering": ["tenant", "order", "id"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("tenant", "name"), name="kernel_service_tenant_name"
                    )
                ],
            },
        ),
        migrations.RunPython(copy_design_services, migrations.RunPython.noop, elidable=False),
    ]
