"""Small filters of the workbench templates."""

from __future__ import annotations

import datetime
import json
from typing import Any

from django import template
from django.template.defaultfilters import date as date_filter
from django.utils import timezone
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def get(mapping: Any, key: Any) -> Any:
    """``mapping|get:key``: a dict value by a variable key."""
    return mapping.get(key, key) if hasattr(mapping, "get") else None


@register.filter
def index(sequence: Any, position: int) -> Any:
    try:
        return sequence[position]
    except (IndexError, TypeError, KeyError):
        return None


@register.filter
def cell(value: Any) -> str:
    """A value as a table cell reads it: dates local and short, lists joined, yes/no, a dash for none."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return date_filter(value, "Y-m-d H:i")
    if isinstance(value, datetime.date):
        return date_filter(value, "Y-m-d")
    if isinstance(value, list):
        return ", ".join(cell(item) for item in value)
    return str(value)


@register.filter
def pretty(value: Any) -> str:
    """JSON, indented, characters as they are (Chinese stays readable)."""
    return json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True, default=str)


@register.filter
def who(operator: Any) -> str:
    """An operator as people call them (label, else name), or a dash."""
    if operator is None:
        return "—"
    return operator.label or operator.name
