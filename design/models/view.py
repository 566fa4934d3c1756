"""View and ViewColumn: task lists, search results and profile headers."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.labels import VIEW_KIND_LABELS, labelled
from core.models import Identified, MetaModel
from design.specs.model import VIEW_KINDS


class View(MetaModel):
    tenant = models.ForeignKey(
        "core.Tenant",
        on_delete=models.CASCADE,
        related_name="design_views",
        verbose_name=_("tenant"),
    )
    for_kind = models.CharField(
        _("for"), max_length=20, choices=labelled(VIEW_KINDS, VIEW_KIND_LABELS)
    )
    entity = models.ForeignKey(
        "design.DataItem",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="views",
        help_text=_("The entity an entity_search or profile view is about."),
        verbose_name=_("entity"),
    )
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("view")
        verbose_name_plural = _("views")
        ordering = ["tenant", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "name"], name="design_view_tenant_name")
        ]


class ViewColumn(Identified):
    tenant = models.ForeignKey(
        "core.Tenant", on_delete=models.CASCADE, related_name="+", verbose_name=_("tenant")
    )
    view = models.ForeignKey(
        View, on_delete=models.CASCADE, related_name="columns", verbose_name=_("view")
    )
    label = models.CharField(_("label"), max_length=255)
    pym = models.CharField(_("pinyin initials"), max_length=255, blank=True, editable=False)
    value = models.CharField(_("value path"), max_length=255)
    visible = models.BooleanField(_("visible"), default=True)
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("view column")
        verbose_name_plural = _("view columns")
        ordering = ["view", "order", "id"]

    def __str__(self) -> str:
        return self.label
