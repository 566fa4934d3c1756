"""The public face of the sandbox: RULE_NAMES, CompiledExpression and compile_expression."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import (
    ROUND_HALF_EVEN,
    Context,
    DivisionByZero,
    InvalidOperation,
    Overflow,
    localcontext,
)
from typing import Any

from kernel.rules import operators as ops
from kernel.rules.compiler import Compiler, Evaluator
from kernel.rules.context import EvalContext
from kernel.rules.errors import ExpressionError, ExpressionErrorCode
from kernel.rules.limits import MAX_CACHE, MAX_STEPS
from kernel.rules.parse import parse_expression

RULE_NAMES: frozenset[str] = frozenset(
    {
        "process_state",
        "process_service",
        "process_priority",
        "process_operator",
        "form",
        "entity",
        "params",
        "parent",
    }
)

# Evaluation never depends on the host's decimal context (a huge precision would be a DoS).
_DECIMAL = Context(
    prec=28,
    rounding=ROUND_HALF_EVEN,
    Emax=999_999,
    Emin=-999_999,
    traps=[InvalidOperation, DivisionByZero, Overflow],
)


@dataclass(frozen=True, eq=False)
class CompiledExpression:
    """A parsed, validated expression; immutable and safe to share between threads."""

    source: str
    root_names: frozenset[str]
    function_names: frozenset[str]
    name_columns: Mapping[str, int | None] = field(repr=False)
    _root: Evaluator = field(repr=False)

    def evaluate(
        self,
        namespace: Mapping[str, Any],
        *,
        now: datetime | None = None,
        max_steps: int = MAX_STEPS,
    ) -> Any:
        """Evaluate against ``namespace`` (root name -> value); raise only ExpressionError.

        ``now`` fixes the clock of now()/today() (default: aware UTC now, read once).
        """
        if not isinstance(namespace, Mapping):
            raise ops.type_error("the namespace must be a mapping")
        ctx = EvalContext(namespace, now=now, max_steps=max_steps)
        try:
            with localcontext(_DECIMAL):
                return self._root(ctx)
        except ExpressionError:
            raise
        except (RecursionError, MemoryError):
            raise ops.cost_exceeded("the values are too large or too deeply nested") from None
        except ArithmeticError as exc:
            raise ops.arithmetic_error(exc) from None
        except Exception as exc:  # noqa: BLE001 - the contract: nothing but ExpressionError escapes
            raise ExpressionError(
                ExpressionErrorCode.TYPE_ERROR, f"internal error: {type(exc).__name__}: {exc}"
            ) from None


@functools.lru_cache(maxsize=MAX_CACHE)
def _compile_cached(source: str) -> CompiledExpression:
    parsed = parse_expression(source)
    compiler = Compiler(parsed)
    try:
        root = compiler.build(parsed.body, frozenset())
    except RecursionError:
        raise ExpressionError(
            ExpressionErrorCode.TOO_COMPLEX, "expression nested too deeply"
        ) from None
    return CompiledExpression(
        source=source,
        root_names=frozenset(compiler.roots),
        function_names=frozenset(compiler.functions),
        name_columns=dict(compiler.roots),
        _root=root,
    )


def compile_expression(source: str, *, names: Iterable[str] | None = None) -> CompiledExpression:
    """Parse and validate ``source`` once (cached by text); raise ExpressionError if rejected.

    With ``names``, every free root name must be one of them (else unknown_name with its column).
    """
    if not isinstance(source, str):
        raise ExpressionError(ExpressionErrorCode.SYNTAX, "an expression must be text")
    compiled = _compile_cached(source)
    if names is not None:
        allowed = frozenset(names)
        unknown = sorted(compiled.root_names - allowed, key=lambda n: compiled.name_columns[n] or 0)
        if unknown:
            name = unknown[0]
            raise ExpressionError(
                ExpressionErrorCode.UNKNOWN_NAME,
                f"unknown name {name!r}; available: {', '.join(sorted(allowed)) or 'none'}",
                compiled.name_columns[name],
            )
    return compiled


def clear_cache() -> None:
    """Forget every compiled expression (tests, or after changing limits)."""
    _compile_cached.cache_clear()


def cache_info() -> Any:
    """Return the functools cache statistics of compile_expression."""
    return _compile_cached.cache_info()
