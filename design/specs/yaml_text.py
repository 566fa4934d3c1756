"""The YAML text emitter of ``spec export``: safe scalars, one-line flow values and block layout."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import yaml

_LINE_BREAKS = ("\n", "\r", "\t", "\x85", "\u2028", "\u2029")


class _Dumper(yaml.SafeDumper):
    """Safe scalars only: strings are quoted exactly when a YAML reader would read them otherwise."""


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = '"' if any(ch in value for ch in _LINE_BREAKS) else None  # one line, escaped
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


def _represent_decimal(dumper: yaml.SafeDumper, value: Decimal) -> yaml.ScalarNode:
    if value == value.to_integral_value():
        return dumper.represent_int(int(value))
    return dumper.represent_scalar("tag:yaml.org,2002:float", format(value, "f"))


_Dumper.add_representer(str, _represent_str)
_Dumper.add_representer(Decimal, _represent_decimal)


class Pairs(list):
    """A block mapping: a list of (key, value)."""


class Block(list):
    """A block sequence; items are ``Pairs`` (block) or anything flow-rendered."""


def scalar(value: Any) -> str:
    """One scalar as YAML text that is safe in flow and block context."""
    text = yaml.dump(
        [value], Dumper=_Dumper, default_flow_style=True, allow_unicode=True, width=1 << 30
    )
    return text.rstrip("\n")[1:-1]


def flow(value: Any) -> str:
    """A value as one line of flow YAML; mappings keep their key order."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{scalar(k)}: {flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(flow(v) for v in value) + "]"
    return scalar(value)


def mapping_lines(pairs: Pairs, indent: int, prefix: str) -> list[str]:
    """A block mapping as lines; the first key follows ``prefix`` (``"- "`` for a sequence item)."""
    lines: list[str] = []
    for i, (key, value) in enumerate(pairs):
        lead = " " * indent + (prefix if i == 0 else " " * len(prefix))
        inner = indent + len(prefix)
        if isinstance(value, Block):
            lines.append(f"{lead}{key}:")
            lines.extend(sequence_lines(value, inner + 2, spaced=False))
        elif isinstance(value, Pairs):
            lines.append(f"{lead}{key}:")
            lines.extend(mapping_lines(value, inner + 2, ""))
        else:
            lines.append(f"{lead}{key}: {flow(value)}")
    return lines


def sequence_lines(items: Block, indent: int, *, spaced: bool) -> list[str]:
    """Items as ``- `` lines; with ``spaced``, a blank line sets block items apart."""
    lines: list[str] = []
    previous_block = False
    for i, item in enumerate(items):
        is_block = isinstance(item, Pairs)
        if spaced and i and (is_block or previous_block):
            lines.append("")
        if is_block:
            lines.extend(mapping_lines(item, indent, "- "))
        else:
            lines.append(" " * indent + "- " + flow(item))
        previous_block = is_block
    return lines
