"""Form and FormField: what an operator sees when doing a service."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.labels import WIDGET_LABELS, labelled
from core.models import Identified, MetaModel
from design.specs.model import WIDGETS


class Form(MetaModel):
    """A form over one entity; ``inlines`` is the ordered list of child entity names."""

    tenant = models.ForeignKey(
        "core.Tenant",
        on_delete=models.CASCADE,
        related_name="design_forms",
        verbose_name=_("tenant"),
    )
    entity = models.ForeignKey(
        "design.DataItem", on_delete=models.CASCADE, related_name="forms", verbose_name=_("entity")
    )
    inlines = models.JSONField(_("inlines"), default=list, blank=True)
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("form")
        verbose_name_plural = _("forms")
        ordering = ["tenant", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "name"], name="design_form_tenant_name")
        ]


class FormField(Identified):
    """One field of a form, by field name, with the form's overrides (None = the field's own)."""

    tenant = models.ForeignKey(
        "core.Tenant", on_delete=models.CASCADE, related_name="+", verbose_name=_("tenant")
    )
    form = models.ForeignKey(
        Form, on_delete=models.CASCADE, related_name="form_fields", verbose_name=_("form")
    )
    field = models.CharField(_("field"), max_length=40)
    required = models.BooleanField(_("required"), null=True, blank=True)
    readonly = models.BooleanField(_("read-only"), null=True, blank=True)
    widget = models.CharField(
        _("widget"), max_length=16, blank=True, choices=labelled(WIDGETS, WIDGET_LABELS)
    )
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("form field")
        verbose_name_plural = _("form fields")
        ordering = ["form", "order", "id"]

    def __str__(self) -> str:
        return self.field
