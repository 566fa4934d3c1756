"""Sandboxed expressions for rules, computed fields and iteration params (docs/expressions.md)."""

from kernel.rules.errors import ExpressionError, ExpressionErrorCode
from kernel.rules.expression import (
    RULE_NAMES,
    CompiledExpression,
    cache_info,
    clear_cache,
    compile_expression,
)
from kernel.rules.functions import FUNCTIONS, Function

__all__ = [
    "FUNCTIONS",
    "RULE_NAMES",
    "CompiledExpression",
    "ExpressionError",
    "ExpressionErrorCode",
    "Function",
    "cache_info",
    "clear_cache",
    "compile_expression",
]
