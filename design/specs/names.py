"""Namespaces of a spec: name derivation and rules, collisions, and reference resolution by name or label."""

from __future__ import annotations

import keyword
import re
from dataclasses import dataclass
from typing import Any

from core.naming import derive_name
from design.specs.errors import SpecError, SpecErrorCode
from design.specs.loader import PathKey, RawSpec
from design.specs.model import BASE_COLUMNS, NAME_MAX_LENGTH, NAME_PATTERN
from design.specs.shape import did_you_mean

_NAME = re.compile(NAME_PATTERN)
# Reserved names that are part of every Django model's own API.
DJANGO_MODEL_NAMES = frozenset(
    {"id", "pk", "objects", "Meta", "meta", "DoesNotExist", "MultipleObjectsReturned"}
)


class Checker:
    """Collects located errors during the semantic pass (never stops at the first)."""

    def __init__(self, raw: RawSpec):
        self.raw = raw
        self.errors: list[SpecError] = []

    def error(self, path: PathKey, message: str, code: SpecErrorCode, *, key: bool = False) -> None:
        """Record one error located at ``path`` (at its key when ``key``)."""
        self.errors.append(self.raw.error(path, message, code, key=key))


@dataclass
class Named:
    """One element of a namespace: its final name, label, and where it was written."""

    name: str
    label: str
    explicit: bool
    path: PathKey
    data: dict[str, Any]


def _reserved_why(name: str) -> str:
    """What ``name`` is and why it cannot be used, in words an analyst can act on."""
    from django.db import models

    if keyword.iskeyword(name):
        return "a Python keyword, which generated code cannot use as a name"
    if name in BASE_COLUMNS:
        return "a reserved name because every entity already has this column"
    if name in DJANGO_MODEL_NAMES or hasattr(models.Model, name):
        return f"a reserved name because every Django model already has `{name}`"
    return "a reserved name because the platform uses it for its own data"


def _suggestion(name: str, owner: str | None) -> str:
    base = name.lower()
    ideas = [f"{base}_", *([f"{owner}_{base}"] if owner else [])]
    return " or ".join(repr(idea) for idea in ideas)


def name_problem(
    name: str, *, reserved: frozenset[str] | set[str] = frozenset(), owner: str | None = None
) -> tuple[str, SpecErrorCode] | None:
    """Why ``name`` cannot be an identifier (message and code), or None when it can.

    ``owner`` (the entity a field belongs to) makes the suggested replacement more specific.
    """
    if name in reserved or keyword.iskeyword(name):
        message = f"{name!r} is {_reserved_why(name)}; try {_suggestion(name, owner)}"
        return message, SpecErrorCode.RESERVED_NAME
    if not _NAME.match(name):
        return (
            f"{name!r} is not a valid name (lower-case letters, digits and '_', starting with a letter)",
            (SpecErrorCode.INVALID_NAME),
        )
    if len(name) > NAME_MAX_LENGTH:
        return f"{name!r} is longer than {NAME_MAX_LENGTH} characters", SpecErrorCode.INVALID_NAME
    return None


class Namespace:
    """Elements that share one name space, resolvable by name first, then by label."""

    def __init__(self, what: str, builtins: tuple[str, ...] = ()):
        self.what = what
        self.builtins = builtins
        self.by_name: dict[str, Named] = {}
        self.by_label: dict[str, list[Named]] = {}

    def add(self, item: Named) -> Named | None:
        """Register ``item``; return the element already holding its name, if any."""
        first = self.by_name.get(item.name)
        if first is not None:
            return first
        self.by_name[item.name] = item
        self.by_label.setdefault(item.label, []).append(item)
        return None

    def candidates(self, *, builtins: bool = True) -> list[str]:
        own = [*self.by_name, *(label for label in self.by_label if label not in self.by_name)]
        return [*self.builtins, *own] if builtins else own

    def lookup(self, ref: str, *, builtins: bool = True) -> tuple[str | None, str | None]:
        """(name, None) when ``ref`` resolves, else (None, a message saying why not)."""
        if (builtins and ref in self.builtins) or ref in self.by_name:
            return ref, None
        matches = self.by_label.get(ref, [])
        if len(matches) == 1:
            return matches[0].name, None
        if matches:
            names = ", ".join(repr(m.name) for m in matches)
            return None, f"ambiguous {self.what} {ref!r}: it is the label of {names}; use the name"
        hint = did_you_mean(ref, self.candidates(builtins=builtins))
        return None, f"unknown {self.what} {ref!r}{hint}"

    def resolve(
        self, checker: Checker, ref: Any, path: PathKey, *, builtins: bool = True
    ) -> str | None:
        """The name ``ref`` resolves to, or None after recording an UNKNOWN/AMBIGUOUS error at ``path``."""
        if not isinstance(ref, str):
            return None
        name, problem = self.lookup(ref, builtins=builtins)
        if problem:
            code = (
                SpecErrorCode.AMBIGUOUS_REFERENCE
                if problem.startswith("ambiguous")
                else SpecErrorCode.UNKNOWN_REFERENCE
            )
            checker.error(path, problem, code)
        return name


def name_elements(
    checker: Checker,
    items: list[dict[str, Any]],
    base: PathKey,
    namespace: Namespace,
    *,
    reserved: frozenset[str] | set[str] = frozenset(),
    forbidden: tuple[str, ...] = (),
    paths: list[PathKey] | None = None,
    owner: str | None = None,
) -> list[Named | None]:
    """Give each item its (explicit or derived) name, check it, and register it in ``namespace``.

    Returns one entry per item: the Named, or None when the item's name is unusable.
    """
    out: list[Named | None] = []
    for index, item in enumerate(items):
        path = paths[index] if paths is not None else (*base, index)
        label = str(item.get("label", ""))
        explicit = "name" in item
        name = item["name"] if explicit else derive_name(label)
        problem = name_problem(name, reserved=reserved, owner=owner)
        if problem is None and name in forbidden:
            problem = f"{name!r} is a built-in {namespace.what} name", SpecErrorCode.RESERVED_NAME
        if problem is not None:
            message, code = problem
            if not explicit:
                message = f"label {label!r} derives the name {name!r}: {message.split(': ', 1)[-1]}; give it an explicit `name`"
                if not name:
                    message = f"label {label!r} derives no usable name; give it an explicit `name`"
            checker.error((*path, "name") if explicit else (*path, "label"), message, code)
            out.append(None)
            continue
        named = Named(name=name, label=label, explicit=explicit, path=path, data=item)
        first = namespace.add(named)
        if first is not None:
            where = checker.raw.locate(first.path)
            if explicit and first.explicit:
                checker.error(
                    (*path, "name"),
                    f"duplicate {namespace.what} name {name!r} (first defined at {where})",
                    SpecErrorCode.DUPLICATE,
                )
            else:
                checker.error(
                    (*path, "name") if explicit else (*path, "label"),
                    f"{namespace.what} name {name!r} collides with {first.label!r} at {where}; "
                    "give one of them an explicit `name`",
                    SpecErrorCode.NAME_COLLISION,
                )
            out.append(None)
            continue
        out.append(named)
    return out
