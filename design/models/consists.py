"""DataItemConsists: the ordered fields of an entity, each a reusable or an inline field definition."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import Identified


class DataItemConsists(Identified):
    """Entity -> field; ``overrides`` holds the keys (and values) the entity set on a reusable field."""

    tenant = models.ForeignKey(
        "core.Tenant",
        on_delete=models.CASCADE,
        related_name="design_consists",
        verbose_name=_("tenant"),
    )
    entity = models.ForeignKey(
        "design.DataItem",
        on_delete=models.CASCADE,
        related_name="consists",
        verbose_name=_("entity"),
    )
    field = models.ForeignKey(
        "design.DataItem", on_delete=models.CASCADE, related_name="used_by", verbose_name=_("field")
    )
    order = models.PositiveIntegerField(_("order"), default=0)
    overrides = models.JSONField(_("overrides"), default=dict, blank=True)

    class Meta:
        verbose_name = _("entity field")
        verbose_name_plural = _("entity fields")
        ordering = ["entity", "order", "id"]

    def __str__(self) -> str:
        return f"{self.entity_id}.{self.field_id}"
