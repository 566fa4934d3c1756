"""Hard limits of the expression sandbox; see docs/expressions.md."""

from __future__ import annotations

MAX_SOURCE_LENGTH = 2_000  # characters of expression text
MAX_NODES = 400  # AST nodes per expression (operators and contexts not counted)
MAX_DEPTH = 60  # AST nesting depth per expression
MAX_STEPS = 10_000  # node visits per evaluation (default budget)
MAX_WORK = 500_000  # elements/characters created or traversed per evaluation
MAX_SIZE = 100_000  # elements (counted deeply) or characters of any one value built or compared
MAX_INT_BITS = 1_024  # magnitude of any integer produced (about 308 decimal digits)
MAX_ROUND_DIGITS = 100  # |ndigits| accepted by round()
MAX_CACHE = 2_048  # compiled expressions kept by compile_expression
