"""Compile an allowlisted expression AST into a tree of closures; never eval/exec/compile."""

from __future__ import annotations

import ast
from collections.abc import Callable
from typing import Any

from kernel.rules import operators as ops
from kernel.rules.context import EvalContext
from kernel.rules.errors import ExpressionError, ExpressionErrorCode
from kernel.rules.functions import FUNCTIONS
from kernel.rules.limits import MAX_INT_BITS, MAX_SIZE
from kernel.rules.parse import Parsed

Evaluator = Callable[[EvalContext], Any]

_MISSING = object()
_ITERABLES = (list, tuple, set, frozenset)

_BINARY: dict[type[ast.operator], Callable[[EvalContext, Any, Any], Any]] = {
    ast.Add: ops.add,
    ast.Sub: ops.sub,
    ast.Mult: ops.mul,
    ast.Div: ops.div,
    ast.FloorDiv: ops.floordiv,
    ast.Mod: ops.mod,
    ast.Pow: ops.power,
}
_ORDER = {ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">="}
_FORBIDDEN_NAMES = {
    "Lambda": "lambda",
    "NamedExpr": "':=' assignment",
    "JoinedStr": "f-strings",
    "FormattedValue": "f-strings",
    "Yield": "yield",
    "YieldFrom": "yield",
    "Await": "await",
    "Starred": "'*' unpacking",
    "SetComp": "set comprehensions",
    "DictComp": "dict comprehensions",
    "MatMult": "the @ operator",
    "LShift": "bit operators",
    "RShift": "bit operators",
    "BitOr": "bit operators",
    "BitXor": "bit operators",
    "BitAnd": "bit operators",
    "Invert": "bit operators",
}


def _not_contains(ctx: EvalContext, container: Any, item: Any) -> bool:
    return False if container is None else not ops.contains(ctx, container, item)


def _compare_op(node: ast.cmpop) -> Callable[[EvalContext, Any, Any], bool] | None:
    if isinstance(node, ast.Eq):
        return ops.equal
    if isinstance(node, ast.NotEq):
        return lambda ctx, a, b: not ops.equal(ctx, a, b)
    symbol = _ORDER.get(type(node))
    if symbol:
        return lambda ctx, a, b: ops.order(ctx, symbol, a, b)
    if isinstance(node, ast.In):
        return lambda ctx, a, b: ops.contains(ctx, b, a)
    if isinstance(node, ast.NotIn):
        return lambda ctx, a, b: _not_contains(ctx, b, a)
    if isinstance(node, ast.Is):
        return lambda ctx, a, b: a is b
    if isinstance(node, ast.IsNot):
        return lambda ctx, a, b: a is not b
    return None


def _guard(column: int | None, run: Evaluator) -> Evaluator:
    """Count a step for the node and stamp its column on errors raised beneath it."""

    def guarded(ctx: EvalContext) -> Any:
        ctx.step()
        try:
            return run(ctx)
        except ExpressionError as exc:
            if exc.column is None:
                exc.column = column
                exc.details["column"] = column
            raise

    return guarded


class Compiler:
    """One compilation: walks the AST once, validating and building closures."""

    def __init__(self, parsed: Parsed) -> None:
        self.parsed = parsed
        self.roots: dict[str, int | None] = {}
        self.functions: set[str] = set()

    def fail(self, code: ExpressionErrorCode, message: str, node: ast.AST) -> ExpressionError:
        return ExpressionError(code, message, self.parsed.column(node))

    def forbid(self, node: ast.AST, what: str | None = None) -> ExpressionError:
        kind = what or _FORBIDDEN_NAMES.get(type(node).__name__, type(node).__name__)
        return self.fail(ExpressionErrorCode.FORBIDDEN, f"not allowed: {kind}", node)

    def check_name(self, name: str, node: ast.AST) -> None:
        if name.startswith("_"):
            raise self.fail(
                ExpressionErrorCode.FORBIDDEN,
                f"names starting with '_' are not allowed: {name!r}",
                node,
            )

    def build(self, node: ast.AST, scope: frozenset[str]) -> Evaluator:
        handler = getattr(self, f"c_{type(node).__name__}", None)
        if handler is None:
            raise self.forbid(node)
        return _guard(self.parsed.column(node), handler(node, scope))

    def c_Constant(self, node: ast.Constant, scope: frozenset[str]) -> Evaluator:
        value = node.value
        if value is not None and not isinstance(value, (bool, int, float, str)):
            raise self.forbid(node, f"{type(value).__name__} literals")
        if type(value) is int and value.bit_length() > MAX_INT_BITS:
            raise self.fail(ExpressionErrorCode.TOO_COMPLEX, "integer literal too large", node)
        return lambda ctx: value

    def c_Name(self, node: ast.Name, scope: frozenset[str]) -> Evaluator:
        name = node.id
        self.check_name(name, node)
        if name in scope:
            return lambda ctx: ctx.locals[name]
        self.roots.setdefault(name, self.parsed.column(node))

        def lookup(ctx: EvalContext) -> Any:
            value = ctx.namespace.get(name, _MISSING)
            if value is _MISSING:
                raise ExpressionError(ExpressionErrorCode.UNKNOWN_NAME, f"unknown name {name!r}")
            return value

        return lookup

    def c_Attribute(self, node: ast.Attribute, scope: frozenset[str]) -> Evaluator:
        name = node.attr
        self.check_name(name, node)
        target = self.build(node.value, scope)
        return lambda ctx: ops.get_field(target(ctx), name)

    def c_Subscript(self, node: ast.Subscript, scope: frozenset[str]) -> Evaluator:
        target = self.build(node.value, scope)
        key = node.slice
        if isinstance(key, ast.Slice):
            parts = [
                None if p is None else self.build(p, scope)
                for p in (key.lower, key.upper, key.step)
            ]

            def slice_(ctx: EvalContext) -> Any:
                container = target(ctx)
                lower, upper, step = (None if p is None else p(ctx) for p in parts)
                return ops.get_slice(ctx, container, lower, upper, step)

            return slice_
        if isinstance(key, ast.Constant) and isinstance(key.value, str):
            self.check_name(key.value, key)
        index = self.build(key, scope)
        return lambda ctx: ops.get_item(target(ctx), index(ctx))

    def c_BinOp(self, node: ast.BinOp, scope: frozenset[str]) -> Evaluator:
        operation = _BINARY.get(type(node.op))
        if operation is None:
            raise self.forbid(node.op)
        left, right = self.build(node.left, scope), self.build(node.right, scope)
        return lambda ctx: operation(ctx, left(ctx), right(ctx))

    def c_UnaryOp(self, node: ast.UnaryOp, scope: frozenset[str]) -> Evaluator:
        operand = self.build(node.operand, scope)
        if isinstance(node.op, ast.Not):
            return lambda ctx: not ops.truthy(operand(ctx))
        if isinstance(node.op, ast.USub):
            return lambda ctx: ops.negate(ctx, operand(ctx))
        if isinstance(node.op, ast.UAdd):
            return lambda ctx: ops.positive(ctx, operand(ctx))
        raise self.forbid(node.op)

    def c_BoolOp(self, node: ast.BoolOp, scope: frozenset[str]) -> Evaluator:
        values = [self.build(value, scope) for value in node.values]
        want = isinstance(node.op, ast.Or)

        def boolean(ctx: EvalContext) -> Any:
            result = None
            for value in values:
                result = value(ctx)
                if ops.truthy(result) is want:
                    return result
            return result

        return boolean

    def c_Compare(self, node: ast.Compare, scope: frozenset[str]) -> Evaluator:
        first = self.build(node.left, scope)
        chain = []
        for operator, comparator in zip(node.ops, node.comparators, strict=True):
            if isinstance(operator, (ast.Is, ast.IsNot)) and not (
                isinstance(comparator, ast.Constant) and comparator.value in (None, True, False)
            ):
                raise self.forbid(operator, "'is' with anything but None, True or False")
            compare = _compare_op(operator)
            if compare is None:
                raise self.forbid(operator)
            chain.append((compare, self.build(comparator, scope)))

        def comparison(ctx: EvalContext) -> bool:
            left = first(ctx)
            for compare, right_of in chain:
                right = right_of(ctx)
                if not compare(ctx, left, right):
                    return False
                left = right
            return True

        return comparison

    def c_IfExp(self, node: ast.IfExp, scope: frozenset[str]) -> Evaluator:
        test = self.build(node.test, scope)
        body, orelse = self.build(node.body, scope), self.build(node.orelse, scope)
        return lambda ctx: body(ctx) if ops.truthy(test(ctx)) else orelse(ctx)

    def c_Call(self, node: ast.Call, scope: frozenset[str]) -> Evaluator:
        if not isinstance(node.func, ast.Name):
            raise self.forbid(node, "calling anything but a listed function by name (methods)")
        name = node.func.id
        self.check_name(name, node.func)
        function = FUNCTIONS.get(name)
        if function is None:
            raise self.fail(
                ExpressionErrorCode.UNKNOWN_FUNCTION, f"{name}() is not an available function", node
            )
        if node.keywords:
            raise self.forbid(node.keywords[0], "keyword arguments")
        count = len(node.args)
        if count < function.min_args or (
            function.max_args is not None and count > function.max_args
        ):
            raise self.fail(
                ExpressionErrorCode.TYPE_ERROR, f"{name}() got {count} argument(s)", node
            )
        self.functions.add(name)
        args = [self.build(arg, scope) for arg in node.args]
        impl = function.impl
        return lambda ctx: impl(ctx, *[arg(ctx) for arg in args])

    def _elements(
        self, node: ast.List | ast.Tuple | ast.Set, scope: frozenset[str]
    ) -> list[Evaluator]:
        return [self.build(element, scope) for element in node.elts]

    def _sized(self, build: Callable[[list[Any]], Any], elements: list[Evaluator]) -> Evaluator:
        def literal(ctx: EvalContext) -> Any:
            ctx.charge(len(elements))
            return ctx.check_size(build([element(ctx) for element in elements]), "a literal")

        return literal

    def c_List(self, node: ast.List, scope: frozenset[str]) -> Evaluator:
        return self._sized(list, self._elements(node, scope))

    def c_Tuple(self, node: ast.Tuple, scope: frozenset[str]) -> Evaluator:
        return self._sized(tuple, self._elements(node, scope))

    def c_Set(self, node: ast.Set, scope: frozenset[str]) -> Evaluator:
        elements = self._elements(node, scope)

        def build(values: list[Any]) -> Any:
            for value in values:
                if isinstance(value, ops.CONTAINERS):
                    raise ops.type_error(f"a set cannot hold a {ops.type_name(value)}")
            return set(values)

        return self._sized(build, elements)

    def c_Dict(self, node: ast.Dict, scope: frozenset[str]) -> Evaluator:
        pairs = []
        for key, value in zip(node.keys, node.values, strict=True):
            if key is None:
                raise self.forbid(value, "'**' unpacking")
            if isinstance(key, ast.Constant) and isinstance(key.value, str):
                self.check_name(key.value, key)
            pairs.append((self.build(key, scope), self.build(value, scope)))

        def build(ctx: EvalContext) -> dict[Any, Any]:
            ctx.charge(len(pairs))
            result = {}
            for key_of, value_of in pairs:
                key = key_of(ctx)
                ops.check_key(key)
                if not isinstance(key, (str, int, float, bool, type(None))):
                    raise ops.type_error(f"a mapping key cannot be a {ops.type_name(key)}")
                result[key] = value_of(ctx)
            return ctx.check_size(result, "a mapping")

        return build

    def c_ListComp(self, node: ast.ListComp, scope: frozenset[str]) -> Evaluator:
        return self._comprehension(node, scope)

    def c_GeneratorExp(self, node: ast.GeneratorExp, scope: frozenset[str]) -> Evaluator:
        return self._comprehension(node, scope)

    def _comprehension(
        self, node: ast.ListComp | ast.GeneratorExp, scope: frozenset[str]
    ) -> Evaluator:
        bound = set(scope)
        loops: list[tuple[str, Evaluator, list[Evaluator]]] = []
        for generator in node.generators:
            if generator.is_async:
                raise self.forbid(node, "async comprehensions")
            if not isinstance(generator.target, ast.Name):
                raise self.forbid(generator.target, "unpacking in a comprehension")
            name = generator.target.id
            self.check_name(name, generator.target)
            source = self.build(generator.iter, frozenset(bound))
            bound.add(name)
            conditions = [self.build(test, frozenset(bound)) for test in generator.ifs]
            loops.append((name, source, conditions))
        element = self.build(node.elt, frozenset(bound))
        names = [name for name, _, _ in loops]

        def fill(ctx: EvalContext, level: int, out: list[Any], size: list[int]) -> None:
            if level == len(loops):
                value = element(ctx)
                ctx.charge(1)
                size[0] += ctx.size(value)
                if size[0] > MAX_SIZE:
                    raise ops.cost_exceeded(f"a comprehension built more than {MAX_SIZE} elements")
                out.append(value)
                return
            name, source, conditions = loops[level]
            items = source(ctx)
            if items is None:
                return
            if not isinstance(items, _ITERABLES):
                raise ops.type_error(f"cannot iterate over {ops.type_name(items)}")
            for item in items:
                ctx.step()
                ctx.locals[name] = item
                if all(ops.truthy(condition(ctx)) for condition in conditions):
                    fill(ctx, level + 1, out, size)

        def comprehension(ctx: EvalContext) -> list[Any]:
            saved = {name: ctx.locals.get(name, _MISSING) for name in names}
            out: list[Any] = []
            try:
                fill(ctx, 0, out, [1])
            finally:
                for name, value in saved.items():
                    if value is _MISSING:
                        ctx.locals.pop(name, None)
                    else:
                        ctx.locals[name] = value
            return out

        return comprehension
