"""Human numbers from naming patterns (``WO-{YYYY}-{#####}``), unique under concurrent saves."""

from __future__ import annotations

import re
from datetime import datetime

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from applications.errors import ApplicationsError, ApplicationsErrorCode

_TOKEN = re.compile(r"\{([^{}]*)\}")
_DATE_TOKENS = ("YYYY", "YY", "MM", "DD")
_COUNTER = re.compile(r"^#+$")


def parse_pattern(pattern: str) -> list[tuple[str, str]]:
    """Split a pattern into ``("text", s)`` / ``("date", token)`` / ``("counter", "###")`` parts."""
    parts: list[tuple[str, str]] = []
    position = 0
    counters = 0
    for match in _TOKEN.finditer(pattern):
        if match.start() > position:
            parts.append(("text", pattern[position : match.start()]))
        token = match.group(1)
        if token in _DATE_TOKENS:
            parts.append(("date", token))
        elif _COUNTER.match(token):
            parts.append(("counter", token))
            counters += 1
        else:
            raise ApplicationsError(
                ApplicationsErrorCode.NAMING_PATTERN_INVALID,
                f"naming pattern {pattern!r}: unknown token {{{token}}}",
            )
        position = match.end()
    if position < len(pattern):
        parts.append(("text", pattern[position:]))
    if counters != 1:
        raise ApplicationsError(
            ApplicationsErrorCode.NAMING_PATTERN_NO_COUNTER,
            f"naming pattern {pattern!r} must hold exactly one counter such as {{#####}}",
        )
    return parts


def _date_value(token: str, moment: datetime) -> str:
    return {
        "YYYY": f"{moment.year:04d}",
        "YY": f"{moment.year % 100:02d}",
        "MM": f"{moment.month:02d}",
        "DD": f"{moment.day:02d}",
    }[token]


def series_key(*, pattern: str, model_label: str, now: datetime) -> str:
    """The counter key: the model and the period the pattern's date tokens select."""
    moment = timezone.localtime(now) if timezone.is_aware(now) else now
    tokens = {value for kind, value in parse_pattern(pattern) if kind == "date"}
    period = []
    if tokens & {"YYYY", "YY"}:
        period.append(f"{moment.year:04d}")
    if "MM" in tokens:
        period.append(f"{moment.month:02d}")
    if "DD" in tokens:
        period.append(f"{moment.day:02d}")
    return f"{model_label.lower()}:{'-'.join(period)}"


def allocate(key: str) -> int:
    """Next value of counter ``key``; atomic ``UPDATE value = value + 1`` then a read, one transaction."""
    from applications.models import NamingSeries

    with transaction.atomic():
        # get_or_create retries its get on IntegrityError when two transactions create the row at once.
        NamingSeries.objects.get_or_create(key=key, defaults={"value": 0})
        # The UPDATE takes the row lock until commit, so the read below sees our own increment only.
        NamingSeries.objects.filter(key=key).update(value=F("value") + 1)
        return NamingSeries.objects.filter(key=key).values_list("value", flat=True).get()


def next_number(*, pattern: str, model_label: str, now: datetime) -> str:
    """Render the next number of ``pattern`` for ``model_label`` (``app_label.model``) at ``now``."""
    parts = parse_pattern(pattern)
    moment = timezone.localtime(now) if timezone.is_aware(now) else now
    value = allocate(series_key(pattern=pattern, model_label=model_label, now=now))
    out = []
    for kind, token in parts:
        if kind == "text":
            out.append(token)
        elif kind == "date":
            out.append(_date_value(token, moment))
        else:
            out.append(str(value).zfill(len(token)))
    return "".join(out)
