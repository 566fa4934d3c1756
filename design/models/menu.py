"""MenuItem: the tenant's menu tree; a leaf opens an entity or a view."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import MetaModel


class MenuItem(MetaModel):
    tenant = models.ForeignKey(
        "core.Tenant",
        on_delete=models.CASCADE,
        related_name="design_menu_items",
        verbose_name=_("tenant"),
    )
    name = models.CharField(_("name"), max_length=40, blank=True)  # optional for menu items
    parent = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent"),
    )
    entity = models.ForeignKey(
        "design.DataItem",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("entity"),
    )
    view = models.ForeignKey(
        "design.View",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("view"),
    )
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("menu item")
        verbose_name_plural = _("menu items")
        ordering = ["tenant", "parent_id", "order", "id"]
