"""RowSync: upsert one tenant's rows of a table by key with bulk queries (the engine of spec_apply)."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from typing import Any

from django.db import models
from django.utils import timezone

from core.models import Tenant
from core.naming import pinyin_initials
from design.specs.errors import SpecError, SpecErrorCode, SpecInvalid

Key = Hashable


def differs(stored: Any, wanted: Any) -> bool:
    """Whether a stored value must be rewritten. Unlike ``!=``, a bool is not the number it
    equals, nor an int the float (a field's default 0 is not its earlier default False), in
    JSON values too."""
    sequences = (list, tuple)
    if isinstance(stored, sequences) and isinstance(wanted, sequences):
        return len(stored) != len(wanted) or any(map(differs, stored, wanted))
    if isinstance(stored, dict) and isinstance(wanted, dict):
        return stored.keys() != wanted.keys() or any(differs(stored[k], wanted[k]) for k in wanted)
    if isinstance(stored, bool) != isinstance(wanted, bool):
        return True
    if isinstance(stored, float) != isinstance(wanted, float):
        return True
    return stored != wanted


class RowSync:
    """Upserts rows of one tenant by key with bulk queries; removals wait until ``finish``."""

    def __init__(self, tenant: Tenant):
        self.tenant = tenant
        self.removals: list[tuple[type[models.Model], list[int]]] = []

    def sync(
        self,
        model: type[models.Model],
        existing: Iterable[models.Model],
        key_of: Callable[[Any], Key],
        desired: list[tuple[Key, dict[str, Any]]],
    ) -> dict[Key, Any]:
        """Make the rows keyed ``desired`` exist with those values; others of ``existing`` go later."""
        names = {f.attname for f in model._meta.concrete_fields}
        current = {key_of(obj): obj for obj in existing}
        out: dict[Key, Any] = {}
        new: list[models.Model] = []
        changed: list[models.Model] = []
        changed_fields: set[str] = set()
        for key, values in desired:
            if "pym" in names:
                values["pym"] = pinyin_initials(values["label"])
            obj = current.pop(key, None)
            if obj is None:
                obj = model(tenant_id=self.tenant.pk, **values)
                new.append(obj)
            else:
                diff = [f for f, v in values.items() if differs(getattr(obj, f), v)]
                if diff:
                    for f in diff:
                        setattr(obj, f, values[f])
                    changed_fields.update(diff)
                    changed.append(obj)
            out[key] = obj
        if new:
            model.objects.bulk_create(new, batch_size=500)
        if changed:
            if "updated_time" in names:
                now = timezone.now()
                for obj in changed:
                    obj.updated_time = now
                changed_fields.add("updated_time")
            model.objects.bulk_update(changed, sorted(changed_fields), batch_size=200)
        if current:
            self.removals.append((model, [obj.pk for obj in current.values()]))
        return out

    def finish(self) -> None:
        """Delete what the spec no longer has, most dependent tables first."""
        for model, pks in reversed(self.removals):
            model.objects.filter(pk__in=pks).delete()


def unknown_reference(path: str, what: str, name: str) -> SpecInvalid:
    """The error for a reference to an element the spec does not have."""
    return SpecInvalid(
        [SpecError(None, path, f"unknown {what} {name!r}", SpecErrorCode.UNKNOWN_REFERENCE)]
    )


def ref_id(mapping: dict[Key, Any], name: str | None, path: str, what: str) -> int | None:
    """The pk of the row named ``name`` in ``mapping`` (None for None); unknown names raise."""
    if name is None:
        return None
    if name not in mapping:
        raise unknown_reference(path, what, name)
    return mapping[name].pk


def sync_children(
    sync: RowSync,
    model: type[models.Model],
    parent_attr: str,
    groups: Iterable[tuple[int, list[dict[str, Any]]]],
) -> None:
    """Ordered child rows (position-keyed) of many parents in one sync."""
    desired = []
    for parent_id, items in groups:
        for i, values in enumerate(items):
            desired.append(((parent_id, i), {parent_attr: parent_id, "order": i, **values}))
    sync.sync(
        model,
        model.objects.filter(tenant=sync.tenant),
        lambda o: (getattr(o, parent_attr), o.order),
        desired,
    )


def named_rows(
    spec_items: list[Any], build: Callable[[int, Any], dict[str, Any]]
) -> list[tuple[Key, dict]]:
    """``(name, values)`` pairs of named spec elements: label, name and position, plus ``build``'s columns."""
    return [
        (item.name, {"label": item.label, "name": item.name, "order": i, **build(i, item)})
        for i, item in enumerate(spec_items)
    ]
