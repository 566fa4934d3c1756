"""Turn expression text into a size-checked AST, with 1-based columns for errors."""

from __future__ import annotations

import ast
import io
import tokenize
from dataclasses import dataclass

from kernel.rules.errors import ExpressionError, ExpressionErrorCode
from kernel.rules.limits import MAX_DEPTH, MAX_NODES, MAX_SOURCE_LENGTH

# Operator and context singletons are not counted as nodes.
_UNCOUNTED = (ast.expr_context, ast.operator, ast.cmpop, ast.boolop, ast.unaryop)
_TOLERATED_TOKENS = {tokenize.STRING, tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE}


@dataclass(frozen=True)
class Parsed:
    """A parsed expression: the AST body and what is needed to report columns."""

    source: str
    body: ast.expr
    lines: tuple[str, ...]
    lead: int  # characters of leading blanks removed from the first line

    def column(self, node: ast.AST) -> int | None:
        """Return the 1-based character column of ``node`` (of the name, for ``a.name``)."""
        if isinstance(node, ast.Attribute) and node.end_col_offset is not None:
            return self.at(node.end_lineno, node.end_col_offset - len(node.attr))
        return self.at(getattr(node, "lineno", None), getattr(node, "col_offset", None))

    def at(self, lineno: int | None, offset: int | None) -> int | None:
        """Return the 1-based character column for an AST (line, UTF-8 byte offset) pair."""
        if lineno is None or offset is None or not 0 < lineno <= len(self.lines):
            return None
        line = self.lines[lineno - 1]
        chars = len(line.encode("utf-8")[:offset].decode("utf-8", errors="ignore"))
        return chars + 1 + (self.lead if lineno == 1 else 0)


def _fail(code: ExpressionErrorCode, message: str, column: int | None = None) -> ExpressionError:
    return ExpressionError(code, message, column)


def _check_tokens(text: str, lead: int) -> None:
    """Refuse non-ASCII outside string literals (NFKC look-alikes such as ``ｅval``)."""
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type in _TOLERATED_TOKENS or token.string.isascii():
                continue
            line, col = token.start
            raise _fail(
                ExpressionErrorCode.FORBIDDEN,
                f"only ASCII letters are allowed in names and operators: {token.string!r}",
                col + 1 + (lead if line == 1 else 0),
            )
    except (tokenize.TokenError, SyntaxError) as exc:
        raise _fail(ExpressionErrorCode.SYNTAX, f"invalid expression: {exc}") from None


def _check_shape(body: ast.expr, parsed: Parsed) -> None:
    """Bound node count and nesting depth without recursion."""
    count = 0
    stack: list[tuple[ast.AST, int]] = [(body, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, _UNCOUNTED):
            continue
        count += 1
        if count > MAX_NODES:
            raise _fail(
                ExpressionErrorCode.TOO_COMPLEX, f"expression has more than {MAX_NODES} parts"
            )
        if depth > MAX_DEPTH:
            raise _fail(
                ExpressionErrorCode.TOO_COMPLEX,
                f"expression is nested more than {MAX_DEPTH} levels deep",
                parsed.column(node),
            )
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))


def parse_expression(source: str) -> Parsed:
    """Parse ``source`` as one expression; raise ExpressionError (syntax, too_complex, forbidden)."""
    if not isinstance(source, str):
        raise _fail(ExpressionErrorCode.SYNTAX, "an expression must be text")
    if len(source) > MAX_SOURCE_LENGTH:
        raise _fail(
            ExpressionErrorCode.TOO_COMPLEX,
            f"expression is longer than {MAX_SOURCE_LENGTH} characters",
        )
    text = source.lstrip(" \t")
    lead = len(source) - len(text)
    if not text.strip():
        raise _fail(ExpressionErrorCode.SYNTAX, "the expression is empty")
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError as exc:
        lines = text.splitlines() or [""]
        lineno = exc.lineno if exc.lineno and exc.lineno <= len(lines) else len(lines)
        # Offset 0 means "at the end of the input" (an unfinished expression).
        offset = exc.offset or len(lines[lineno - 1].rstrip()) + 1
        column = offset + (lead if lineno == 1 else 0)
        raise _fail(ExpressionErrorCode.SYNTAX, f"invalid expression: {exc.msg}", column) from None
    except (ValueError, RecursionError, MemoryError, OverflowError) as exc:
        code = ExpressionErrorCode.SYNTAX if isinstance(exc, ValueError) else None
        raise _fail(
            code or ExpressionErrorCode.TOO_COMPLEX, f"invalid expression: {exc or 'too deep'}"
        ) from None
    _check_tokens(text, lead)
    parsed = Parsed(
        source=source, body=tree.body, lines=tuple(text.splitlines()) or ("",), lead=lead
    )
    _check_shape(tree.body, parsed)
    return parsed
