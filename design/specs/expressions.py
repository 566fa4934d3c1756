"""Checks spec expressions with the kernel's sandbox parser: syntax and free names, located in the YAML."""

from __future__ import annotations

from collections.abc import Collection

from design.specs.errors import SpecError, SpecErrorCode
from design.specs.loader import PathKey, format_path
from design.specs.model import Location
from design.specs.names import Checker
from design.specs.shape import did_you_mean
from kernel.rules import RULE_NAMES, ExpressionError, compile_expression

# What event expressions and `params.over` may use (spec-format "events"): the sandbox's own set.
PROCESS_NAMES = RULE_NAMES


def _column_location(
    checker: Checker, path: PathKey, source: str, column: int | None
) -> Location | None:
    """The location of the error column inside a one-line expression, else the expression's own."""
    base = checker.raw.locate(path)
    if base is None or not column or "\n" in source or path not in checker.raw.locations:
        return base
    style = checker.raw.styles.get(path)
    if style == '"' and "\\" in source or style == "'" and "'" in source:
        return base
    return Location(base.file, base.line, base.column + (1 if style else 0) + column - 1)


def check_expression(
    checker: Checker, source: str, path: PathKey, allowed: Collection[str], what: str
) -> None:
    """Record EXPRESSION_SYNTAX / EXPRESSION_NAME errors for ``source`` written at ``path``."""
    try:
        compiled = compile_expression(source)
    except ExpressionError as exc:
        name_problem = str(getattr(exc, "code", "")) in ("unknown_name", "unknown_function")
        code = SpecErrorCode.EXPRESSION_NAME if name_problem else SpecErrorCode.EXPRESSION_SYNTAX
        kind = "unknown name" if name_problem else "syntax error"
        message = f"{kind} in {what} {source!r}: {getattr(exc, 'message', str(exc))}"
        location = _column_location(checker, path, source, getattr(exc, "column", None))
        checker.errors.append(SpecError(location, format_path(path), message, code))
        return
    allowed_set = set(allowed)
    columns = getattr(compiled, "name_columns", {})
    for name in sorted(compiled.root_names - allowed_set):
        hint = did_you_mean(name, sorted(allowed_set))
        location = _column_location(checker, path, source, columns.get(name))
        message = f"unknown name {name!r} in {what} {source!r}{hint}"
        checker.errors.append(
            SpecError(location, format_path(path), message, SpecErrorCode.EXPRESSION_NAME)
        )
