"""Five-field cron: parsing with precise errors, and the next run after a moment."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from core.cron import parse_cron

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_parse_fields():
    schedule = parse_cron("*/15 9-17 1,15 JAN-MAR MON-FRI")
    assert schedule.minutes == frozenset({0, 15, 30, 45})
    assert schedule.hours == frozenset(range(9, 18))
    assert schedule.days == frozenset({1, 15})
    assert schedule.months == frozenset({1, 2, 3})
    assert schedule.weekdays == frozenset({1, 2, 3, 4, 5})


def test_sunday_is_0_and_7():
    assert parse_cron("0 0 * * 7").weekdays == frozenset({0})
    assert parse_cron("0 0 * * sun").weekdays == frozenset({0})


def test_step_from_a_start_value():
    assert parse_cron("5/20 * * * *").minutes == frozenset({5, 25, 45})


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "0 9 * *",
            "cron '0 9 * *' has 4 fields; expected 5 (minute hour day-of-month month day-of-week)",
        ),
        ("60 * * * *", "minute: 60 is out of range 0-59"),
        ("* 24 * * *", "hour: 24 is out of range 0-23"),
        ("* * 0 * *", "day-of-month: 0 is out of range 1-31"),
        ("* * * 13 *", "month: 13 is out of range 1-12"),
        ("* * * * 8", "day-of-week: 8 is out of range 0-7"),
        ("*/0 * * * *", "minute: step '0' must be a positive number"),
        ("5-1 * * * *", "minute: range '5-1' runs backwards"),
        ("x * * * *", "minute: 'x' is not a number"),
        ("* * * FOO *", "month: 'FOO' is not a number or a name"),
        (",1 * * * *", "minute: empty list item in ',1'"),
    ],
)
def test_errors_are_precise(text, message):
    with pytest.raises(ValueError) as info:
        parse_cron(text)
    assert str(info.value) == message


def test_next_after_daily():
    start = datetime(2026, 11, 22, 15, 0, tzinfo=SHANGHAI)
    assert parse_cron("0 9 * * *").next_after(start) == datetime(
        2026, 11, 23, 9, 0, tzinfo=SHANGHAI
    )


def test_next_after_is_strictly_later():
    start = datetime(2026, 11, 22, 9, 0, 0, tzinfo=UTC)
    assert parse_cron("0 9 * * *").next_after(start) == datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    assert parse_cron("* * * * *").next_after(start) == datetime(2026, 11, 22, 9, 1, tzinfo=UTC)


def test_next_after_weekdays_skip_the_weekend():
    saturday = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
    assert parse_cron("30 8 * * MON-FRI").next_after(saturday) == datetime(
        2026, 11, 23, 8, 30, tzinfo=UTC
    )


def test_day_of_month_or_day_of_week_when_both_restricted():
    # 2026-11-22 is a Sunday; "the 1st or any Monday" next fires on Monday the 23rd.
    sunday = datetime(2026, 11, 22, 0, 0, tzinfo=UTC)
    assert parse_cron("0 0 1 * MON").next_after(sunday) == datetime(2026, 11, 23, 0, 0, tzinfo=UTC)


def test_leap_day():
    start = datetime(2026, 3, 1, tzinfo=UTC)
    assert parse_cron("0 0 29 2 *").next_after(start) == datetime(2028, 2, 29, tzinfo=UTC)


def test_aware_in_aware_out_in_the_same_zone():
    start = datetime(2026, 1, 1, 23, 59, tzinfo=SHANGHAI)
    result = parse_cron("0 0 * * *").next_after(start)
    assert result.tzinfo is SHANGHAI
    assert result == datetime(2026, 1, 2, 0, 0, tzinfo=SHANGHAI)


def test_naive_datetime_is_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        parse_cron("* * * * *").next_after(datetime(2026, 1, 1))


def test_impossible_date_never_matches():
    with pytest.raises(ValueError, match="never matches"):
        parse_cron("0 0 31 2 *").next_after(datetime(2026, 1, 1, tzinfo=UTC))
