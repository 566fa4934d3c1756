"""Spec entities -> the source lines of models.py (decisions here; the template only lays them out)."""

from __future__ import annotations

import ast
import datetime
import decimal
import io
import tokenize
from dataclasses import dataclass, field
from typing import Any

from core.naming import pascal_case
from design.codegen.errors import CodegenError, CodegenErrorCode
from design.codegen.literals import identifier, py_literal
from design.specs.model import EntitySpec, FieldSpec, Spec

# Class attributes the generator itself sets on a model; a spec field may not shadow them.
GENERATOR_ATTRIBUTES = frozenset({"naming_pattern", "computed_fields", "master", "number"})
# Module names a model class body uses; a field with one of these names gets them aliased.
MODULES = ("models", "validators", "settings", "datetime", "decimal")
BASE_CLASS = {"model": "EntityModel", "record": "RecordModel", "dict": "DictModel"}
SIMPLE_TYPES = {
    "text": "TextField",
    "integer": "IntegerField",
    "boolean": "BooleanField",
    "date": "DateField",
    "datetime": "DateTimeField",
    "time": "TimeField",
    "json": "JSONField",
}
STRING_TYPES = ("char", "text", "file")
# Computed columns: a comparison or boolean expression is a boolean, an expression holding a
# text constant is text, anything else is a number stored as Decimal(18, 4).
COMPUTED_MAX_DIGITS, COMPUTED_DECIMAL_PLACES = 18, 4


@dataclass
class ModelClass:
    """One generated model class, as lines the template lays out."""

    name: str
    entity: str
    bases: str
    fields: list[str] = field(default_factory=list)
    attributes: list[str] = field(default_factory=list)
    meta_bases: str = ""
    meta: list[str] = field(default_factory=list)


@dataclass
class ModelsModule:
    imports: list[str]
    functions: list[str]
    classes: list[ModelClass]


def model_attributes() -> frozenset[str]:
    """Names a Django model (and the platform's base models) already uses: a field may not shadow them."""
    from django.db import models

    from applications.base import models as base_models

    names = (
        set(dir(models.Model)) | set(dir(base_models.RecordModel)) | set(dir(base_models.DictModel))
    )
    return frozenset(n for n in names if not n.startswith("_"))


def module_aliases(names: set[str]) -> dict[str, str]:
    """Each module name, or a deterministic alias when a field of the spec would shadow it."""
    aliases = {}
    for module in MODULES:
        alias = module
        while alias in names:
            alias = f"{alias}_module"
        aliases[module] = alias
    return aliases


def class_name(entity: EntitySpec) -> str:
    """PascalCase class name of an entity."""
    return pascal_case(identifier(entity.name, path=f"entities.{entity.name}"))


def ordered_entities(spec: Spec) -> list[EntitySpec]:
    """Spec order, except that an ``is_a`` parent always precedes its children."""
    done: list[EntitySpec] = []
    seen: set[str] = set()

    def visit(entity: EntitySpec, stack: tuple[str, ...]) -> None:
        if entity.name in seen:
            return
        if entity.name in stack:
            raise CodegenError(CodegenErrorCode.NAME_COLLISION, "is_a cycle", path=entity.name)
        if entity.is_a:
            visit(spec.entity(entity.is_a), (*stack, entity.name))
        seen.add(entity.name)
        done.append(entity)

    for entity in spec.entities:
        visit(entity, ())
    return done


def computed_kind(expression: str) -> str:
    """``boolean``, ``text`` or ``decimal``: the column type a computed expression gets (parse only)."""
    try:
        tree = ast.parse(expression, mode="eval").body
    except SyntaxError:
        return "decimal"
    if isinstance(tree, ast.Compare | ast.BoolOp) or (
        isinstance(tree, ast.UnaryOp) and isinstance(tree.op, ast.Not)
    ):
        return "boolean"
    if any(isinstance(n, ast.Constant) and isinstance(n.value, str) for n in ast.walk(tree)):
        return "text"
    return "decimal"


def coerce_value(spec_field: FieldSpec, value: Any) -> Any:
    """A spec literal as the Python value of the field's type (dates from ISO text, decimals exact)."""
    if value is None or isinstance(value, bool) and spec_field.type != "boolean":
        return value
    kind = spec_field.type
    try:
        if kind == "decimal" and isinstance(value, int | float | str):
            return decimal.Decimal(str(value))
        if kind == "integer" and isinstance(value, str):
            return int(value)
        if kind == "date" and isinstance(value, str):
            return datetime.date.fromisoformat(value)
        if kind == "datetime" and isinstance(value, str):
            return datetime.datetime.fromisoformat(value)
        if kind == "time" and isinstance(value, str):
            return datetime.time.fromisoformat(value)
    except (ValueError, decimal.InvalidOperation) as exc:
        raise CodegenError(
            CodegenErrorCode.UNSUPPORTED_VALUE, f"{value!r} is not a {kind}", path=spec_field.name
        ) from exc
    return value


class _FieldWriter:
    """Writes one field declaration; collects module-level default functions it needs."""

    def __init__(self, spec: Spec, aliases: dict[str, str]) -> None:
        self.spec = spec
        self.m = aliases
        self.functions: list[str] = []

    def lit(self, value: Any) -> str:
        return py_literal(value, decimal_mod=self.m["decimal"], datetime_mod=self.m["datetime"])

    def target(self, to: str) -> str:
        from applications.builtins import BUILTIN_TARGETS

        if to == "user":
            return f"{self.m['settings']}.AUTH_USER_MODEL"
        if to in BUILTIN_TARGETS and to not in {e.name for e in self.spec.entities}:
            return repr(BUILTIN_TARGETS[to])
        return repr(pascal_case(to))

    def declare(self, entity: EntitySpec, f: FieldSpec) -> str:
        name = identifier(f.name, path=f"entities.{entity.name}.fields.{f.name}")
        if name in GENERATOR_ATTRIBUTES or name in model_attributes():
            raise CodegenError(
                CodegenErrorCode.NAME_COLLISION,
                "the generator uses this name",
                path=f"{entity.name}.{name}",
            )
        m = self.m["models"]
        args: list[str] = []
        kwargs: dict[str, str] = {}
        nullable = not f.required and f.type not in STRING_TYPES
        related = f"{self.spec.tenant.name}_{entity.name}_{name}"
        if f.type == "char":
            cls = "CharField"
            kwargs["max_length"] = str(f.max_length or 255)
            if f.unique and not f.required:
                nullable = True  # several blank rows may not share "" in a unique column
        elif f.type == "decimal":
            cls = "DecimalField"
            kwargs["max_digits"] = str(f.max_digits or 12)
            kwargs["decimal_places"] = str(f.decimal_places if f.decimal_places is not None else 2)
        elif f.type == "file":
            cls = "FileField"
            kwargs["upload_to"] = repr(f"{self.spec.tenant.name}/{entity.name}/")
        elif f.type in ("ref", "user", "process"):
            to = {"user": "user", "process": "process"}.get(f.type, f.to or "")
            args.append(self.target(to))
            if f.type == "ref" and f.multiple:
                cls = "ManyToManyField"
                nullable = False
            else:
                cls = "ForeignKey"
                on_delete = f.effective_on_delete
                kwargs["on_delete"] = f"{m}.{on_delete.upper()}"
                nullable = nullable or on_delete == "set_null"
            kwargs["related_name"] = repr(related)
        elif f.type == "computed":
            kind = computed_kind(f.expression or "")
            cls = {"boolean": "BooleanField", "text": "TextField", "decimal": "DecimalField"}[kind]
            if kind == "decimal":
                kwargs["max_digits"] = str(COMPUTED_MAX_DIGITS)
                kwargs["decimal_places"] = str(COMPUTED_DECIMAL_PLACES)
            nullable = kind != "text"
            kwargs["editable"] = "False"
        elif f.type in SIMPLE_TYPES:
            cls = SIMPLE_TYPES[f.type]
        else:
            raise CodegenError(
                CodegenErrorCode.UNSUPPORTED_VALUE, f"unknown type {f.type!r}", path=name
            )
        kwargs = {"verbose_name": repr(f.label), **kwargs}
        if f.help:
            kwargs["help_text"] = repr(f.help)
        if f.choices and cls not in ("ForeignKey", "ManyToManyField"):
            pairs = [
                (coerce_value(f, c.value) if f.type == "integer" else c.value, c.label)
                for c in f.choices
            ]
            kwargs["choices"] = self.lit(pairs)
        if f.default is not None and cls != "ManyToManyField" and f.type != "computed":
            kwargs["default"] = self.default(entity, f)
        if f.unique and cls != "ManyToManyField":
            kwargs["unique"] = "True"
        elif f.index and cls != "ManyToManyField":
            kwargs["db_index"] = "True"
        if f.type == "boolean" and f.default is None and f.required:
            kwargs["default"] = "False"
        if f.type == "boolean" and f.default is not None:
            nullable = False
        if nullable:
            kwargs["null"] = "True"
        if not f.required or f.type == "computed":
            kwargs["blank"] = "True"
        validators = self.validators(f)
        if validators:
            kwargs["validators"] = "[" + ", ".join(validators) + "]"
        parts = [*args, *(f"{k}={v}" for k, v in kwargs.items())]
        return f"{name} = {m}.{cls}({', '.join(parts)})"

    def default(self, entity: EntitySpec, f: FieldSpec) -> str:
        value = coerce_value(f, f.default)
        if isinstance(value, dict | list):
            function = f"default_{entity.name}_{f.name}"
            self.functions.append(
                f"def {function}():\n    return {self.lit(value)}\n"
            )  # JSON defaults must be callables (a shared mutable would leak between rows)
            return function
        return self.lit(value)

    def validators(self, f: FieldSpec) -> list[str]:
        v = self.m["validators"]
        out = []
        if f.min is not None:
            out.append(f"{v}.MinValueValidator({self.lit(coerce_value(f, f.min))})")
        if f.max is not None:
            out.append(f"{v}.MaxValueValidator({self.lit(coerce_value(f, f.max))})")
        if f.pattern is not None:
            out.append(f"{v}.RegexValidator({self.lit(f.pattern)})")
        return out


def _declares_number(spec: Spec, entity: EntitySpec) -> bool:
    """Whether this class (not an ancestor) must declare the ``number`` column."""
    if not entity.naming:
        return False
    parent = entity.is_a
    while parent:
        ancestor = spec.entity(parent)
        if ancestor.naming:
            return False
        parent = ancestor.is_a
    return True


def models_module(spec: Spec) -> ModelsModule:
    """The whole models.py as import lines, default functions and class descriptions."""
    tenant = identifier(spec.tenant.name, path="tenant.name")
    field_names = {f.name for e in spec.entities for f in e.fields}
    aliases = module_aliases(field_names)
    writer = _FieldWriter(spec, aliases)
    m = aliases["models"]
    classes = []
    for entity in ordered_entities(spec):
        name = class_name(entity)
        if entity.is_a:
            bases = pascal_case(entity.is_a)
            meta_bases = ""
        else:
            base = BASE_CLASS.get(entity.kind)
            if base is None:
                raise CodegenError(
                    CodegenErrorCode.UNSUPPORTED_VALUE, f"kind {entity.kind!r}", path=entity.name
                )
            bases = f"base_models.{base}"
            meta_bases = f"base_models.{base}.Meta"
        cls = ModelClass(name=name, entity=entity.name, bases=bases, meta_bases=meta_bases)
        if _declares_number(spec, entity):
            cls.fields.append(
                f'number = {m}.CharField(_("number"), max_length=40, unique=True, null=True,'
                " blank=True, editable=False)"
            )
        if entity.part_of:
            parent = spec.entity(entity.part_of)
            cls.fields.append(
                f"master = {m}.ForeignKey({pascal_case(parent.name)!r}, on_delete={m}.CASCADE,"
                f" related_name={entity.name!r}, verbose_name={parent.label!r})"
            )
        cls.fields.extend(writer.declare(entity, f) for f in entity.fields)
        if entity.naming:
            cls.attributes.append(f"naming_pattern = {py_literal(entity.naming)}")
        own_computed = [f for f in entity.fields if f.type == "computed"]
        if own_computed:
            computed = {
                f.name: f.expression or "" for f in spec.all_fields(entity) if f.type == "computed"
            }
            cls.attributes.append(f"computed_fields = {py_literal(computed)}")
        cls.meta = [
            f"db_table = {f'{tenant}_{entity.name}'!r}",
            f"verbose_name = {entity.label!r}",
            f"verbose_name_plural = {entity.label!r}",
        ]
        classes.append(cls)
    used = "\n".join([*(line for c in classes for line in c.fields), *writer.functions])
    stdlib = [
        _import_as(mod, aliases[mod])
        for mod in ("datetime", "decimal")
        if _uses(used, aliases[mod])
    ]
    third = [
        _from_import(package, mod, aliases[mod])
        for package, mod in (
            ("django.conf", "settings"),
            ("django.core", "validators"),
            ("django.db", "models"),
        )
        if _uses(used, aliases[mod])
    ]
    if any(c.fields and c.fields[0].startswith("number = ") for c in classes):
        third.append("from django.utils.translation import gettext_lazy as _")
    imports = [
        *stdlib,
        *([""] if stdlib else []),
        *third,
        "",
        "from applications.base import models as base_models",
    ]
    return ModelsModule(imports=imports, functions=writer.functions, classes=classes)


def _import_as(module: str, alias: str) -> str:
    return f"import {module}" if module == alias else f"import {module} as {alias}"


def _from_import(package: str, module: str, alias: str) -> str:
    return (
        f"from {package} import {module}"
        if module == alias
        else f"from {package} import {module} as {alias}"
    )


def _uses(source: str, alias: str) -> bool:
    """Whether ``alias.`` occurs as code (tokens), not inside a string literal."""
    tokens = [
        t for t in tokenize.generate_tokens(io.StringIO(source).readline) if t.type != tokenize.NL
    ]
    return any(
        a.type == tokenize.NAME
        and a.string == alias
        and b.string == "."
        and (i == 0 or tokens[i - 1].string != ".")
        for i, (a, b) in enumerate(zip(tokens, tokens[1:], strict=False))
    )
