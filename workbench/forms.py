"""A task's form: the service's generated form (or its record's default form) with inlines."""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any

from django import forms
from django.apps import apps
from django.core.files.uploadedfile import UploadedFile
from django.db import models
from django.forms.models import BaseInlineFormSet, inlineformset_factory
from django.utils.translation import gettext_lazy

from applications.tenancy import entity_name_of
from kernel.models import ServiceDef

# Bootstrap classes by widget kind (the generated forms carry the widgets from the spec).
CHOICE_WIDGETS = (forms.RadioSelect, forms.CheckboxSelectMultiple)
CHECK_WIDGETS = (forms.CheckboxInput,)
SELECT_WIDGETS = (forms.Select, forms.SelectMultiple)


def _forms_module(model: type[models.Model]) -> Any | None:
    try:
        return importlib.import_module(f"generated.{model._meta.app_label}.forms")
    except ImportError:
        return None


def record_model(service: ServiceDef | None) -> type[models.Model] | None:
    if service is None or not service.record:
        return None
    try:
        return apps.get_model(service.record)
    except (LookupError, ValueError):
        return None


def form_class(service: ServiceDef | None) -> type[forms.ModelForm] | None:
    """The spec's ``form`` of the service, else the default form of its record (generated)."""
    model = record_model(service)
    module = _forms_module(model) if model is not None else None
    if module is None:
        return None
    named = getattr(module, "FORMS", {}).get(service.form or "")
    if named is not None and named._meta.model is model:
        return named
    return getattr(module, "DEFAULT_FORMS", {}).get(entity_name_of(model))


def style(form: forms.BaseForm) -> None:
    """Bootstrap classes on every widget; computed fields read-only; choices of this tenant only.

    A reference to a shared table with a ``tenant`` column (built-ins such as ``service`` or
    ``operator``) offers the rows of the record's tenant only (its app label is the tenant).
    """
    computed = set(getattr(form._meta.model, "computed_fields", {}) or {})
    tenant = form._meta.model._meta.app_label
    for name, field in form.fields.items():
        queryset = getattr(field, "queryset", None)
        if queryset is not None and any(
            f.name == "tenant" for f in queryset.model._meta.concrete_fields
        ):
            field.queryset = queryset.filter(tenant__name=tenant)
        if name in computed:
            field.disabled = True
            field.required = False
        widget = field.widget
        if isinstance(widget, CHOICE_WIDGETS):
            css = "wb-choice"
        elif isinstance(widget, CHECK_WIDGETS):
            css = "form-check-input"
        elif isinstance(widget, SELECT_WIDGETS):
            css = "form-select"
        else:
            css = "form-control"
        widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()
        if isinstance(widget, forms.Textarea):
            widget.attrs["rows"] = 3
        if isinstance(widget, forms.DateTimeInput):
            widget.input_type = "datetime-local"
            widget.format = "%Y-%m-%dT%H:%M"
        elif isinstance(widget, forms.DateInput):
            widget.input_type = "date"
            widget.format = "%Y-%m-%d"


def _inline_models(model: type[models.Model]) -> list[type[models.Model]]:
    """Entities ``part_of`` the record (a ``master`` FK to it, same app): shown as inlines."""
    return [
        relation.related_model
        for relation in model._meta.related_objects
        if relation.one_to_many
        and relation.field.name == "master"
        and relation.related_model._meta.app_label == model._meta.app_label
    ]


def _initial_from(entity: models.Model, klass: type[forms.ModelForm]) -> dict[str, Any]:
    own = {f.name: f for f in entity._meta.concrete_fields if not f.primary_key}
    initial = {}
    for name in klass._meta.fields or []:
        field = own.get(name)
        if field is None or name in ("erpsys_id", "label", "name", "pym", "number"):
            continue
        value = getattr(entity, field.attname)
        if value not in (None, ""):
            initial[name] = value
    return initial


@dataclass
class TaskForm:
    """The bound (or unbound) record form and its inline formsets."""

    form: forms.ModelForm
    inlines: list[tuple[str, BaseInlineFormSet]]

    def is_valid(self) -> bool:
        valid = self.form.is_valid()
        return all([valid, *(formset.is_valid() for _, formset in self.inlines)])

    def data(self) -> dict[str, Any]:
        """The record's editable fields for the kernel: references as pks, multiples as pk lists."""
        model = self.form._meta.model
        out: dict[str, Any] = {}
        for name, field in self.form.fields.items():
            if field.disabled:
                continue
            value = self.form.cleaned_data.get(name)
            model_field = model._meta.get_field(name)
            if model_field.many_to_many:
                out[name] = [item.pk for item in value or []]
            elif model_field.is_relation:
                out[name] = value.pk if value is not None else None
            elif isinstance(model_field, models.FileField):
                if isinstance(value, UploadedFile):
                    out[name] = value
                elif value is False:  # "clear" ticked
                    out[name] = None
            else:
                out[name] = value
        return out

    def save_related(self, record: models.Model) -> None:
        """Save the inline rows under the (just saved) record."""
        for _, formset in self.inlines:
            formset.instance = record
            formset.save()

    def add_errors(self, errors: dict[str, list[str]]) -> None:
        """Put the kernel's field errors in place (unknown fields go to the top of the form)."""
        for name, messages in errors.items():
            for message in messages if isinstance(messages, list) else [messages]:
                known = name in self.form.fields and not self.form.fields[name].disabled
                self.form.add_error(name if known else None, message)


def task_form(
    service: ServiceDef | None,
    *,
    record: models.Model | None,
    entity: models.Model | None = None,
    data: Any = None,
    files: Any = None,
    disabled: bool = False,
) -> TaskForm | None:
    """The task's form over ``record`` (a new one when None); None when the service has no record.

    A new record starts with the values of the served ``entity``'s fields of the same name
    (the customer's name and phone on an appointment), as initial values the operator may change.
    """
    klass = form_class(service)
    if klass is None:
        return None
    model = klass._meta.model
    instance = record if record is not None else model()
    initial = _initial_from(entity, klass) if record is None and entity is not None else None
    form = klass(data=data, files=files, instance=instance, initial=initial, prefix="record")
    style(form)
    inlines = []
    for child in _inline_models(model):
        module = _forms_module(child)
        child_form = getattr(module, "DEFAULT_FORMS", {}).get(entity_name_of(child))
        fields = list(child_form._meta.fields) if child_form is not None else "__all__"
        formset_class = inlineformset_factory(
            model, child, fk_name="master", fields=fields, extra=1, can_delete=True
        )
        formset = formset_class(
            data=data, files=files, instance=instance, prefix=f"inline-{child._meta.model_name}"
        )
        for inline in formset.forms:
            style(inline)
        inlines.append((str(child._meta.verbose_name_plural), formset))
    if disabled:
        for each in [form, *(f for _, fs in inlines for f in fs.forms)]:
            for field in each.fields.values():
                field.disabled = True
    return TaskForm(form=form, inlines=inlines)


class StockAdjustForm(forms.Form):
    """Receive, count or write off a material's stock (kernel.resources.stock_adjust)."""

    reason = forms.ChoiceField(
        label=gettext_lazy("What"),
        choices=[
            ("receive", gettext_lazy("Received")),
            ("count", gettext_lazy("Counted (the stock is now)")),
            ("write_off", gettext_lazy("Written off")),
        ],
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    quantity = forms.DecimalField(
        label=gettext_lazy("Quantity"),
        min_value=0,
        max_digits=14,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"class": "form-control", "step": "0.01"}),
    )
    note = forms.CharField(
        label=gettext_lazy("Note"),
        max_length=255,
        required=False,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )


# The platform's own columns: never typed on a New form (``label`` is filled, see entity_form).
PLATFORM_COLUMNS = frozenset(
    {"label", "name", "pym", "number", "erpsys_id", "created_time", "updated_time", "pid"}
)


def entity_form_class(model: type[models.Model]) -> type[forms.ModelForm]:
    """The entity's default form: its own fields in spec order (computed ones left out)."""
    from applications.base.forms import EntityForm

    computed = set(getattr(model, "computed_fields", {}) or {})
    names = [
        f.name
        for f in [*model._meta.concrete_fields, *model._meta.many_to_many]
        if f.editable
        and not f.primary_key
        and not getattr(f, "parent_link", False)
        and not f.auto_created
        and f.name not in PLATFORM_COLUMNS | computed
    ]
    return forms.modelform_factory(model, form=EntityForm, fields=names)


def entity_form(
    model: type[models.Model], *, data: Any = None, files: Any = None
) -> forms.ModelForm:
    """A New form for ``model`` (styled); see ``entity_label`` for the row's label."""
    form = entity_form_class(model)(data=data, files=files, prefix="entity")
    style(form)
    return form


def entity_label(row: models.Model, form: forms.ModelForm) -> str:
    """A new row's label: the first text the operator typed (e.g. the customer's name)."""
    for name, field in form.fields.items():
        value = form.cleaned_data.get(name)
        if isinstance(field, forms.CharField) and isinstance(value, str) and value.strip():
            return value.strip()[:255]
    return ""
