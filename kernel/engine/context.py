"""ContextFrame / ContextStack / ProcessExecutionContext: the call stack of a process tree (pure)."""

from __future__ import annotations

import hashlib
import json
from collections import ChainMap
from dataclasses import dataclass, field
from typing import Any


@dataclass
class ContextFrame:
    """The variables of one call level; lookups fall through to the caller's frame."""

    pid: int | None
    variables: dict[str, Any] = field(default_factory=dict)


class ContextStack:
    """Frames from the outermost caller (index 0) to the current call (top)."""

    def __init__(self, frames: list[ContextFrame] | None = None) -> None:
        self.frames: list[ContextFrame] = list(frames or [])

    def push(self, pid: int | None, variables: dict[str, Any] | None = None) -> ContextFrame:
        """Open a frame for a callee; it sees every caller variable unless it shadows it."""
        frame = ContextFrame(pid=pid, variables=dict(variables or {}))
        self.frames.append(frame)
        return frame

    def pop(self, returns: dict[str, Any] | None = None) -> ContextFrame:
        """Close the top frame and hand ``returns`` back into the caller's frame."""
        frame = self.frames.pop()
        if returns and self.frames:
            self.frames[-1].variables.update(returns)
        return frame

    @property
    def top(self) -> ContextFrame:
        return self.frames[-1]

    def variables(self) -> ChainMap:
        """The visible variables: the top frame first, then each caller outwards."""
        return ChainMap(*(f.variables for f in reversed(self.frames)))

    def __len__(self) -> int:
        return len(self.frames)


class ProcessExecutionContext:
    """One process's view: its frame's own variables, merged over what it inherited at call time."""

    def __init__(
        self, *, pid: int | None, variables: dict[str, Any], caller: dict[str, Any] | None = None
    ):
        self.stack = ContextStack([ContextFrame(None, dict(caller or {}))])
        self.stack.push(pid, variables)

    def document(self) -> dict[str, Any]:
        """The JSON document stored for this process (the flattened visible variables)."""
        return {"variables": dict(self.stack.variables())}


def child_variables(caller: dict[str, Any], extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """A callee frame's initial variables: a copy of the caller's, plus ``extra`` (item, index)."""
    merged = dict(caller)
    if extra:
        merged.update(extra)
    return merged


def context_hash(variables: dict[str, Any]) -> str:
    """A stable hash of a context (sorted JSON); equal contexts hash equally."""
    text = json.dumps(variables, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()
