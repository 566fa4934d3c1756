"""Five-field cron expressions (minute hour day-of-month month day-of-week): parse and find the next run."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

_MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
_DAYS = ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")
# (name, lowest, highest, names mapped to numbers)
_FIELDS = (
    ("minute", 0, 59, {}),
    ("hour", 0, 23, {}),
    ("day-of-month", 1, 31, {}),
    ("month", 1, 12, {name: i + 1 for i, name in enumerate(_MONTHS)}),
    ("day-of-week", 0, 7, {name: i for i, name in enumerate(_DAYS)}),
)
_SEARCH_YEARS_OF_DAYS = 366 * 10  # "0 0 29 2 *" may need 8 years; anything rarer never matches


@dataclass(frozen=True)
class CronSchedule:
    """A parsed cron expression; each field is the frozenset of values it allows."""

    text: str
    minutes: frozenset[int]
    hours: frozenset[int]
    days: frozenset[int]
    months: frozenset[int]
    weekdays: frozenset[int]  # 0 = Sunday ... 6 = Saturday
    days_restricted: bool
    weekdays_restricted: bool

    def _day_matches(self, day: datetime) -> bool:
        weekday = (day.weekday() + 1) % 7
        in_days, in_weekdays = day.day in self.days, weekday in self.weekdays
        # Classic cron: when both day fields are restricted, either one may match.
        if self.days_restricted and self.weekdays_restricted:
            return in_days or in_weekdays
        return in_days and in_weekdays

    def next_after(self, dt: datetime) -> datetime:
        """The first matching minute strictly after ``dt`` (aware in, aware out, in dt's timezone)."""
        if dt.tzinfo is None or dt.utcoffset() is None:
            raise ValueError("next_after needs a timezone-aware datetime")
        wall = dt.replace(tzinfo=None, second=0, microsecond=0) + timedelta(minutes=1)
        day = wall.replace(hour=0, minute=0)
        for offset in range(_SEARCH_YEARS_OF_DAYS):
            current = day + timedelta(days=offset)
            if current.month not in self.months or not self._day_matches(current):
                continue
            for hour in sorted(self.hours):
                for minute in sorted(self.minutes):
                    candidate = current.replace(hour=hour, minute=minute)
                    if candidate >= wall:
                        return candidate.replace(tzinfo=dt.tzinfo)
        raise ValueError(f"cron {self.text!r} never matches")


def _value(token: str, field: str, low: int, high: int, names: dict[str, int]) -> int:
    upper = token.upper()
    if upper in names:
        return names[upper]
    if not token.isdigit():
        raise ValueError(f"{field}: {token!r} is not a number" + (" or a name" if names else ""))
    number = int(token)
    if not low <= number <= high:
        raise ValueError(f"{field}: {number} is out of range {low}-{high}")
    return number


def _parse_field(text: str, field: str, low: int, high: int, names: dict[str, int]) -> set[int]:
    values: set[int] = set()
    for item in text.split(","):
        if not item:
            raise ValueError(f"{field}: empty list item in {text!r}")
        base, _, step_text = item.partition("/")
        step = 1
        if step_text or "/" in item:
            if not step_text.isdigit() or int(step_text) == 0:
                raise ValueError(f"{field}: step {step_text!r} must be a positive number")
            step = int(step_text)
        if base == "*":
            start, end = low, high
        elif "-" in base:
            first, _, last = base.partition("-")
            start, end = (
                _value(first, field, low, high, names),
                _value(last, field, low, high, names),
            )
            if start > end:
                raise ValueError(f"{field}: range {base!r} runs backwards")
        else:
            start = _value(base, field, low, high, names)
            end = high if step_text else start
        values.update(range(start, end + 1, step))
    return values


def parse_cron(text: str) -> CronSchedule:
    """Parse ``'0 9 * * MON-FRI'``; raise ValueError naming the field and the problem."""
    if not isinstance(text, str):
        raise ValueError(f"a cron expression must be a string, not {type(text).__name__}")
    parts = text.split()
    if len(parts) != 5:
        raise ValueError(
            f"cron {text!r} has {len(parts)} fields; expected 5 (minute hour day-of-month month day-of-week)"
        )
    parsed = [_parse_field(part, *spec) for part, spec in zip(parts, _FIELDS, strict=True)]
    weekdays = frozenset(day % 7 for day in parsed[4])
    return CronSchedule(
        text=text,
        minutes=frozenset(parsed[0]),
        hours=frozenset(parsed[1]),
        days=frozenset(parsed[2]),
        months=frozenset(parsed[3]),
        weekdays=weekdays,
        days_restricted=not parts[2].startswith("*"),
        weekdays_restricted=not parts[4].startswith("*"),
    )
