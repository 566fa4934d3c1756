"""Per-evaluation state: the namespace, the clock, and the step, work and size budgets."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

from kernel.rules.errors import ExpressionError, ExpressionErrorCode
from kernel.rules.limits import MAX_SIZE, MAX_STEPS, MAX_WORK

_CONTAINERS = (list, tuple, set, frozenset)
# Exact types counted as one element without a call (the hot path of size()).
_ATOMIC = frozenset({int, float, bool, Decimal, type(None), date, datetime, time, timedelta, UUID})
_IN_PROGRESS = -1


def cost_exceeded(message: str) -> ExpressionError:
    """Return (not raise) a cost_exceeded error with ``message``."""
    return ExpressionError(ExpressionErrorCode.COST_EXCEEDED, message)


class EvalContext:
    """Mutable state of one evaluation; compiled expressions themselves stay immutable."""

    __slots__ = ("namespace", "locals", "steps", "max_steps", "work", "_now", "_sizes")

    def __init__(
        self,
        namespace: Mapping[str, Any],
        *,
        now: datetime | None = None,
        max_steps: int = MAX_STEPS,
    ) -> None:
        self.namespace = namespace
        self.locals: dict[str, Any] = {}
        self.steps = 0
        self.max_steps = max_steps
        self.work = 0
        self._now = now
        # id(value) -> (value, deep size); the value is kept so its id cannot be reused.
        self._sizes: dict[int, tuple[Any, int]] = {}

    def step(self) -> None:
        """Count one node visit; raise cost_exceeded past the step budget."""
        self.steps += 1
        if self.steps > self.max_steps:
            raise cost_exceeded(f"more than {self.max_steps} evaluation steps")

    def charge(self, units: int) -> None:
        """Count ``units`` of work (elements or characters); raise past MAX_WORK."""
        self.work += units
        if self.work > MAX_WORK:
            raise cost_exceeded(f"more than {MAX_WORK} units of work")

    def now(self) -> datetime:
        """Return the evaluation's clock, fixed for the whole evaluation (aware UTC by default)."""
        if self._now is None:
            self._now = datetime.now(UTC)
        return self._now

    def size(self, value: Any) -> int:
        """Return the deep size of ``value`` (shared parts counted each time they appear).

        Containers count 1 plus their members; a string counts 1 + len // 16. The walk is
        memoised per container, so computing it costs at most the distinct members (charged).
        """
        kind = type(value)
        if kind in _ATOMIC:
            return 1
        if kind is str:
            return 1 + len(value) // 16
        if not isinstance(value, (*_CONTAINERS, Mapping)):
            return 1
        key = id(value)
        known = self._sizes.get(key)
        if known is not None:
            return 0 if known[1] == _IN_PROGRESS else known[1]
        self._sizes[key] = (value, _IN_PROGRESS)
        self.charge(len(value))
        members = value.items() if isinstance(value, Mapping) else value
        pairs = isinstance(value, Mapping)
        total = 1
        for member in members:
            for part in member if pairs else (member,):
                kind = type(part)
                if kind in _ATOMIC:
                    total += 1
                elif kind is str:
                    total += 1 + len(part) // 16
                else:
                    total += self.size(part)
            if total > MAX_SIZE:
                break
        self._sizes[key] = (value, total)
        return total

    def check_size(self, value: Any, what: str = "value") -> Any:
        """Return ``value`` when its deep size is within MAX_SIZE, else raise cost_exceeded."""
        if self.size(value) > MAX_SIZE:
            raise cost_exceeded(f"{what} is larger than {MAX_SIZE} elements")
        return value
