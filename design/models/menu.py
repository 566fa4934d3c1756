"""MenuItem: the tenant's menu tree; a leaf opens an entity or a view."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from design.models.base import MetaModel


class MenuItem(MetaModel):
    tenant = models.ForeignKey(
        "design.Tenant", on_delete=models.CASCADE, related_name="design_menu_items"
    )
    name = models.CharField(_("name"), max_length=40, blank=True)  # optional for menu items
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="children"
    )
    entity = models.ForeignKey(
        "design.DataItem", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    view = models.ForeignKey(
        "design.View", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("menu item")
        verbose_name_plural = _("menu items")
        ordering = ["tenant", "parent_id", "order", "id"]
