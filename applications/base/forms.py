"""The ModelForm every generated form extends."""

from __future__ import annotations

from typing import Any, ClassVar

from django import forms

from applications.tenancy import scope_choices, tenant_of


class EntityForm(forms.ModelForm):
    """A record's form: the spec's required and read-only fields; links to built-in tables
    offer the model's tenant's rows only."""

    required_fields: ClassVar[list[str]] = []
    disabled_fields: ClassVar[list[str]] = []

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in self.required_fields:
            self.fields[name].required = True
        for name in self.disabled_fields:
            self.fields[name].disabled = True
        scope_choices(self.fields.values(), tenant_of(self._meta.model))
