"""What every meta-model row carries: a stable UUID, pinyin initials and timestamps."""

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from design.specs.naming import pinyin_initials


class Identified(models.Model):
    """A stable UUID that survives renames and re-loads (parts of a meta-model carry one too)."""

    erpsys_id = models.UUIDField(_("erpsys id"), default=uuid.uuid4, unique=True, editable=False)

    class Meta:
        abstract = True


class MetaModel(Identified):
    """Abstract base of the design layer's tables; ``pym`` follows ``label`` on every save."""

    label = models.CharField(_("label"), max_length=255)
    name = models.CharField(_("name"), max_length=40)
    pym = models.CharField(_("pinyin initials"), max_length=255, blank=True, editable=False)
    created_time = models.DateTimeField(_("created"), auto_now_add=True)
    updated_time = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.pym = pinyin_initials(self.label)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "label" in update_fields:
            kwargs["update_fields"] = {*update_fields, "pym"}
        super().save(*args, **kwargs)

    def __str__(self) -> str:
        return self.label or self.name
