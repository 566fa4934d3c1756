"""DataItem: entities (model/record/dict) and field definitions in one self-referencing table.

Scheme: an entity is a row of kind ``model``/``record``/``dict``. A field definition is a
row of kind ``field``: a reusable field (spec section ``fields``) has no ``owner``; a field
an entity defines inline is owned by that entity (``owner``). An entity lists its fields
through ``DataItemConsists`` rows, which point either at a reusable field (with the keys the
entity overrode in ``overrides``) or at one of its own inline fields. Names are unique per
tenant among entities, among reusable fields, and per owner among inline fields.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.labels import (
    BUILTIN_ENTITY_LABELS,
    FIELD_TYPE_LABELS,
    ON_DELETE_LABELS,
    labelled,
)
from core.models import MetaModel
from design.specs.model import BUILTIN_ENTITIES, FIELD_TYPES, ON_DELETE


class DataItemKind(models.TextChoices):
    MODEL = "model", _("master data")
    RECORD = "record", _("business record")
    DICT = "dict", _("dictionary")
    FIELD = "field", _("field")


ENTITY_KINDS = (DataItemKind.MODEL, DataItemKind.RECORD, DataItemKind.DICT)


class DataItem(MetaModel):
    """An entity or a field definition of one tenant."""

    tenant = models.ForeignKey(
        "core.Tenant",
        on_delete=models.CASCADE,
        related_name="design_data_items",
        verbose_name=_("tenant"),
    )
    kind = models.CharField(_("kind"), max_length=8, choices=DataItemKind.choices)
    owner = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="inline_fields",
        verbose_name=_("owning entity"),
        help_text=_("Set on a field defined inline by one entity; empty for reusable fields."),
    )
    order = models.PositiveIntegerField(_("order"), default=0)
    # Entity keys.
    is_a = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="subtypes",
        verbose_name=_("is a"),
    )
    part_of = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="parts",
        verbose_name=_("part of"),
    )
    naming = models.CharField(_("naming"), max_length=100, blank=True)
    rows = models.JSONField(_("rows"), default=list, blank=True)
    rows_as_strings = models.BooleanField(_("rows as plain strings"), default=False)
    list_display = models.JSONField(_("list columns"), null=True, blank=True)
    search = models.JSONField(_("search fields"), null=True, blank=True)
    # Field keys.
    type = models.CharField(
        _("type"), max_length=16, blank=True, choices=labelled(FIELD_TYPES, FIELD_TYPE_LABELS)
    )
    required = models.BooleanField(_("required"), default=False)
    default = models.JSONField(_("default"), null=True, blank=True)
    unique = models.BooleanField(_("unique"), default=False)
    index = models.BooleanField(_("index"), default=False)
    max_length = models.PositiveIntegerField(_("max length"), null=True, blank=True)
    max_digits = models.PositiveIntegerField(_("max digits"), null=True, blank=True)
    decimal_places = models.PositiveIntegerField(_("decimal places"), null=True, blank=True)
    choices = models.JSONField(_("choices"), null=True, blank=True)
    min_value = models.JSONField(_("min"), null=True, blank=True)
    max_value = models.JSONField(_("max"), null=True, blank=True)
    pattern = models.CharField(_("pattern"), max_length=255, blank=True)
    to = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="referenced_by",
        verbose_name=_("reference target"),
    )
    to_builtin = models.CharField(
        _("built-in target"),
        max_length=16,
        blank=True,
        choices=labelled(BUILTIN_ENTITIES, BUILTIN_ENTITY_LABELS),
    )
    multiple = models.BooleanField(_("multiple"), default=False)
    on_delete = models.CharField(
        _("on delete"), max_length=16, blank=True, choices=labelled(ON_DELETE, ON_DELETE_LABELS)
    )
    expression = models.TextField(_("expression"), blank=True)
    help = models.TextField(_("help"), blank=True)
    readonly = models.BooleanField(_("read-only"), default=False)
    role = models.CharField(_("role"), max_length=32, blank=True)

    class Meta:
        verbose_name = _("data item")
        verbose_name_plural = _("data items")
        ordering = ["tenant", "kind", "order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "name"],
                condition=~Q(kind="field"),
                name="design_dataitem_entity_name",
            ),
            models.UniqueConstraint(
                fields=["tenant", "name"],
                condition=Q(kind="field", owner__isnull=True),
                name="design_dataitem_field_name",
            ),
            models.UniqueConstraint(
                fields=["owner", "name"],
                condition=Q(owner__isnull=False),
                name="design_dataitem_inline_name",
            ),
        ]

    @property
    def is_entity(self) -> bool:
        return self.kind != DataItemKind.FIELD
