"""Property: random expressions of allowed syntax (and random text) raise only ExpressionError."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kernel.rules import FUNCTIONS, ExpressionError, compile_expression

NOW = datetime(2025, 3, 10, 9, 30, tzinfo=UTC)
NAMESPACE: dict[str, Any] = {
    "a": 3,
    "b": -2,
    "big": 2**900,
    "f": 2.5,
    "dec": Decimal("12.34"),
    "s": "héllo",
    "none": None,
    "items": [1, 2, 3],
    "nested": [[1, 2], [3]],
    "m": {"amount": Decimal("5"), "name": "x", "lines": [{"amount": 1}, {"amount": None}]},
    "d": date(2025, 1, 2),
    "dt": datetime(2025, 1, 2, 3, 4, tzinfo=UTC),
    "td": timedelta(hours=5),
    "form": {"amount": 7, "customer": {"name": "Li"}},
}
NAMES = sorted(NAMESPACE) + ["x", "unknown"]
FIELDS = ["amount", "name", "lines", "customer", "missing", "x"]
BINOPS = ["+", "-", "*", "/", "//", "%", "**"]
COMPARES = ["<", "<=", ">", ">=", "==", "!=", "in", "not in"]
FUNCTION_NAMES = sorted(FUNCTIONS)

leaves = st.one_of(
    st.integers(-(10**6), 10**6).map(str),
    st.floats(allow_nan=False, allow_infinity=False, width=32).map(repr),
    st.sampled_from(NAMES),
    st.text(alphabet="ab_ 1é中", max_size=4).map(repr),
    st.sampled_from(["True", "False", "None", "[]", "{}", "()"]),
)


def _extend(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    pair = st.tuples(children, children)
    return st.one_of(
        st.tuples(children, st.sampled_from(BINOPS), children).map(
            lambda t: f"({t[0]} {t[1]} {t[2]})"
        ),
        st.tuples(st.sampled_from(["-", "+", "not "]), children).map(lambda t: f"({t[0]}{t[1]})"),
        st.tuples(
            children, st.sampled_from(COMPARES), children, st.sampled_from(COMPARES), children
        ).map(lambda t: f"({t[0]} {t[1]} {t[2]} {t[3]} {t[4]})"),
        st.tuples(children, st.sampled_from(["and", "or"]), children).map(
            lambda t: f"({t[0]} {t[1]} {t[2]})"
        ),
        st.tuples(children, children, children).map(lambda t: f"({t[0]} if {t[1]} else {t[2]})"),
        st.tuples(children, st.sampled_from(FIELDS)).map(lambda t: f"({t[0]}).{t[1]}"),
        pair.map(lambda t: f"({t[0]})[{t[1]}]"),
        st.tuples(children, children).map(lambda t: f"({t[0]})[{t[1]}:]"),
        st.tuples(st.sampled_from(FUNCTION_NAMES), st.lists(children, max_size=3)).map(
            lambda t: f"{t[0]}({', '.join(t[1])})"
        ),
        st.lists(children, max_size=4).map(lambda xs: f"[{', '.join(xs)}]"),
        st.lists(children, max_size=3).map(lambda xs: f"({', '.join(xs)},)"),
        st.lists(pair, max_size=3).map(
            lambda ps: "{" + ", ".join(f"{k}: {v}" for k, v in ps) + "}"
        ),
        st.tuples(children, children, children).map(
            lambda t: f"[{t[0]} for x in {t[1]} if {t[2]}]"
        ),
    )


expressions = st.recursive(leaves, _extend, max_leaves=20)


def _check(source: str) -> None:
    try:
        compiled = compile_expression(source)
    except ExpressionError as error:
        assert not error.message.startswith("internal error"), (source, error)
        return
    try:
        compiled.evaluate(NAMESPACE, now=NOW)
    except ExpressionError as error:
        assert not error.message.startswith("internal error"), (source, error)


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(expressions)
def test_random_allowed_expressions_raise_only_expression_error(source: str) -> None:
    _check(source)


@settings(max_examples=500, deadline=None)
@given(st.text(max_size=60))
def test_random_text_raises_only_expression_error(source: str) -> None:
    _check(source)
