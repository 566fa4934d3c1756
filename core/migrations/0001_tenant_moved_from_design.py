"""The tenant moved here from the design app. Its table ``design_tenant`` already exists (design's
0001 created it), so this migration only tells Django's state about the model."""

import uuid

from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = []

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Tenant",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "erpsys_id",
                            models.UUIDField(
                                default=uuid.uuid4,
                                editable=False,
                                unique=True,
                                verbose_name="erpsys id",
                            ),
                        ),
                        ("label", models.CharField(max_length=255, verbose_name="label")),
                        (
                            "pym",
                            models.CharField(
                                blank=True,
                                editable=False,
                                max_length=255,
                                verbose_name="pinyin initials",
                            ),
                        ),
                        (
                            "created_time",
                            models.DateTimeField(auto_now_add=True, verbose_name="created"),
                        ),
                        (
                            "updated_time",
                            models.DateTimeField(auto_now=True, verbose_name="updated"),
                        ),
                        ("name", models.SlugField(max_length=40, unique=True, verbose_name="name")),
                        (
                            "language",
                            models.CharField(blank=True, max_length=16, verbose_name="language"),
                        ),
                        (
                            "timezone",
                            models.CharField(blank=True, max_length=64, verbose_name="time zone"),
                        ),
                        (
                            "spec_version",
                            models.PositiveSmallIntegerField(
                                default=1, verbose_name="spec version"
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "tenant",
                        "verbose_name_plural": "tenants",
                        "db_table": "design_tenant",
                        "ordering": ["name"],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
