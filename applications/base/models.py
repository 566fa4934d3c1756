"""Abstract bases of every generated model: base columns, pinyin, numbers, computed fields."""

from __future__ import annotations

import datetime
import logging
import uuid
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from applications.tenancy import builtin_scope, tenant_of
from core.inserts import insert_row
from core.naming import pinyin_initials

logger = logging.getLogger(__name__)


def record_namespace(instance: models.Model) -> dict[str, Any]:
    """The values a computed expression sees: each concrete field by name (a reference as its id)."""
    namespace: dict[str, Any] = {}
    for field in instance._meta.concrete_fields:
        namespace[field.name] = getattr(instance, field.attname)
    return namespace


def _coerce(field: models.Field, value: Any) -> Any:
    """Fit an expression's result to the column; raises ValidationError when it cannot."""
    if value is None:
        return None
    if isinstance(field, models.DecimalField):
        try:
            number = Decimal(str(value)) if not isinstance(value, Decimal) else value
            return number.quantize(Decimal(1).scaleb(-field.decimal_places))
        except (InvalidOperation, ValueError, TypeError) as exc:
            raise ValidationError(str(exc)) from exc
    if isinstance(field, models.CharField | models.TextField) and not isinstance(value, str):
        value = str(value)
    return field.to_python(value)


def compute_fields(
    instance: models.Model, *, compile_expression: Callable[[str], Any] | None = None
) -> dict[str, Any]:
    """Evaluate ``instance.computed_fields`` in order and set them; a failing one becomes None.

    Why None and not an error: a record is often saved half-filled (``quantity * unit_price``
    with no price yet); the failure is logged with the model, field and reason. Later computed
    fields see earlier results. ``compile_expression`` defaults to the kernel's sandbox.
    """
    results: dict[str, Any] = {}
    computed: dict[str, str] = getattr(instance, "computed_fields", {}) or {}
    if not computed:
        return results
    if compile_expression is None:
        from kernel.rules import compile_expression
    namespace = record_namespace(instance)
    for name, expression in computed.items():
        field = instance._meta.get_field(name)
        try:
            value = _coerce(field, compile_expression(expression).evaluate(namespace))
        except Exception as exc:  # noqa: BLE001 - any evaluator or coercion failure means "no value"
            logger.warning(
                "computed field %s.%s = %r failed: %s", instance._meta.label, name, expression, exc
            )
            value = None
        setattr(instance, field.attname, value)
        namespace[name] = value
        results[name] = value
    return results


# Generated models label their ``number`` column ``_("number")``; generated/ is not scanned by
# makemessages, so the string is marked here to keep it in the catalog.
NUMBER_VERBOSE_NAME = _("number")


# Every backend stores these (PostgreSQL would take a BC date, SQLite any text, and reading either
# back into Python fails): a day inside year 1..9999 wherever the value is seen (UTC or local).
EARLIEST_STORABLE = datetime.datetime(1, 1, 2, tzinfo=datetime.UTC)
LATEST_STORABLE = datetime.datetime(9999, 12, 30, tzinfo=datetime.UTC)


def storable_datetime(value: Any) -> None:
    """Refuse a datetime that some backend cannot store and read back (year 1 or 9999 at an offset)."""
    if not isinstance(value, datetime.datetime):
        return
    bound = value if timezone.is_aware(value) else value.replace(tzinfo=datetime.UTC)
    if not EARLIEST_STORABLE <= bound <= LATEST_STORABLE:
        raise ValidationError(
            _("Enter a date and time between the years 1 and 9999."), code="out_of_range"
        )


def storable_text(value: Any) -> None:
    """Refuse text with a NUL character or a lone surrogate (no database stores either)."""
    if not isinstance(value, str):
        return
    if "\x00" in value:
        raise ValidationError(
            _("Null characters are not allowed."), code="null_characters_not_allowed"
        )
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValidationError(
            _("Surrogate characters are not allowed."), code="surrogate_characters_not_allowed"
        ) from exc


def has_number_field(model: type[models.Model]) -> bool:
    """Whether the model declares the ``number`` column naming fills."""
    return any(field.name == "number" for field in model._meta.concrete_fields)


class EntityModel(models.Model):
    """Base of every generated table: label/name/pym/erpsys_id/timestamps, numbering, computed fields.

    ``save()`` fills ``pym`` from ``label``, recomputes ``computed_fields`` (field name -> safe
    expression, see ``compute_fields``) and, on the first save of a model with a ``number``
    field and a ``naming_pattern``, allocates the number (``applications.naming.next_number``).
    """

    label = models.CharField(_("label"), max_length=255, blank=True)
    name = models.CharField(_("name"), max_length=40, blank=True)
    pym = models.CharField(_("pinyin initials"), max_length=255, blank=True, editable=False)
    erpsys_id = models.UUIDField(_("erpsys id"), default=uuid.uuid4, unique=True, editable=False)
    created_time = models.DateTimeField(_("created"), auto_now_add=True)
    updated_time = models.DateTimeField(_("updated"), auto_now=True)

    naming_pattern: ClassVar[str | None] = None
    computed_fields: ClassVar[dict[str, str]] = {}

    class Meta:
        abstract = True

    def assign_number(self) -> None:
        """Give the row its number from ``naming_pattern`` if it has none yet."""
        if not self.naming_pattern or not has_number_field(type(self)) or self.number:
            return
        from applications.naming import next_number

        # The counter belongs to the table holding ``number`` (an ``is_a`` child shares its
        # parent's unique column, so it must share the parent's counter too).
        owner = self._meta.get_field("number").model._meta.label
        self.number = next_number(
            pattern=self.naming_pattern, model_label=owner, now=timezone.now()
        )

    def clean_fields(self, exclude: Any = None) -> None:
        """Field validation, values every backend stores (``storable_datetime``, ``storable_text``),
        and a link to a built-in table must hold a row of this tenant.

        Another tenant's row gets the very message of a missing one (Django's ``invalid``
        of the foreign key), so validation tells no one which ids exist elsewhere.
        """
        errors: dict[str, list[ValidationError]] = {}
        try:
            super().clean_fields(exclude=exclude)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        for field in self._meta.concrete_fields:  # what every backend can store and read back
            if field.name in errors or field.name in (exclude or ()):
                continue
            value = getattr(self, field.attname)
            try:
                if isinstance(field, models.DateTimeField):
                    storable_datetime(value)
                elif isinstance(field, models.CharField | models.TextField):
                    storable_text(value)
            except ValidationError as exc:
                errors[field.name] = [exc]
        for field in self._meta.concrete_fields:
            value = getattr(self, field.attname)
            if not field.many_to_one or value is None or field.name in (exclude or ()):
                continue
            scope = builtin_scope(field.related_model, tenant_of(type(self)))
            if scope is None or field.name in errors:
                continue
            target = field.remote_field.field_name
            if not field.related_model._base_manager.filter(scope, **{target: value}).exists():
                errors[field.name] = [
                    ValidationError(
                        field.error_messages["invalid"],
                        code="invalid",
                        params={
                            "model": field.related_model._meta.verbose_name,
                            "pk": value,
                            "field": target,
                            "value": value,
                        },
                    )
                ]
        if errors:
            raise ValidationError(errors)

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.pym = pinyin_initials(self.label or "")
        computed = compute_fields(self)
        self.assign_number()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            extra = {"pym", *computed} | ({"number"} if has_number_field(type(self)) else set())
            kwargs["update_fields"] = {*update_fields, *extra}
        super().save(*args, **kwargs)

    def _do_insert(self, manager, using, fields, returning_fields, raw):  # noqa: ANN001
        """Django's INSERT, compiled once per shape of row (``core.inserts``)."""
        rows = insert_row(self, manager, using, fields, returning_fields, raw)
        if rows is None:
            return super()._do_insert(manager, using, fields, returning_fields, raw)
        return rows

    def __str__(self) -> str:
        return self.label or getattr(self, "number", "") or str(self.pk)


class RecordModel(EntityModel):
    """A business record produced by a service; ``pid`` links the process that produced it."""

    pid = models.ForeignKey(
        "kernel.Process",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("process"),
    )

    class Meta:
        abstract = True


class DictModel(EntityModel):
    """A small enumeration whose rows are seeded from ``generated/<tenant>/rows.json``."""

    class Meta:
        abstract = True
        ordering = ["id"]
