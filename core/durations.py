"""A small strict ISO 8601 duration parser (``PT30M``, ``P3D``, ``P1DT2H``) shared by validator and kernel."""

from __future__ import annotations

import re
from datetime import timedelta

# Years and months have no fixed length, so they are rejected: a timer must mean one span.
_DURATION = re.compile(
    r"^P(?:(?P<weeks>\d+)W|(?:(?P<days>\d+)D)?"
    r"(?:T(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+(?:\.\d+)?)S)?)?)$"
)


def parse_duration(text: str) -> timedelta:
    """Parse a strict ISO 8601 duration (weeks, days, hours, minutes, seconds); raise ValueError."""
    if not isinstance(text, str):
        raise ValueError(f"a duration must be a string like 'PT30M', not {type(text).__name__}")
    match = _DURATION.match(text)
    if match is None or text in ("P", "PT") or text.endswith("T"):
        raise ValueError(
            f"invalid ISO 8601 duration {text!r} (examples: 'PT30M', 'PT1H', 'P3D', 'P1DT2H')"
        )
    parts = {key: float(value) for key, value in match.groupdict().items() if value is not None}
    if not parts:
        raise ValueError(f"invalid ISO 8601 duration {text!r}: no amount given")
    value = timedelta(**parts)
    if value <= timedelta(0):
        raise ValueError(f"invalid ISO 8601 duration {text!r}: it must be longer than zero")
    return value
