"""Give the parts of meta-models (form fields, rules, requirements, columns, entity-field links) a
stable erpsys_id, and view columns their pinyin initials.

Three steps so existing rows each get their own UUID: add nullable, fill, then make unique.
"""

import uuid

from django.db import migrations, models

from core.naming import pinyin_initials

PARTS = ("dataitemconsists", "formfield", "servicerequirement", "servicerule", "viewcolumn")


def fill(apps, schema_editor):
    for model_name in PARTS:
        model = apps.get_model("design", model_name)
        rows = list(model.objects.filter(erpsys_id__isnull=True).only("pk"))
        for row in rows:
            row.erpsys_id = uuid.uuid4()
        model.objects.bulk_update(rows, ["erpsys_id"], batch_size=500)
    column = apps.get_model("design", "viewcolumn")
    columns = list(column.objects.only("pk", "label"))
    for row in columns:
        row.pym = pinyin_initials(row.label)
    column.objects.bulk_update(columns, ["pym"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [("design", "0003_view_entity")]

    operations = [
        *[
            migrations.AddField(
                model_name=model_name,
                name="erpsys_id",
                field=models.UUIDField(null=True, editable=False, verbose_name="erpsys id"),
            )
            for model_name in PARTS
        ],
        migrations.AddField(
            model_name="viewcolumn",
            name="pym",
            field=models.CharField(
                blank=True, editable=False, max_length=255, verbose_name="pinyin initials"
            ),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        *[
            migrations.AlterField(
                model_name=model_name,
                name="erpsys_id",
                field=models.UUIDField(
                    default=uuid.uuid4, editable=False, unique=True, verbose_name="erpsys id"
                ),
            )
            for model_name in PARTS
        ],
    ]
