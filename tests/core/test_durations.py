"""ISO 8601 durations: the strict subset specs may use."""

from datetime import timedelta

import pytest

from core.durations import parse_duration


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("PT30M", timedelta(minutes=30)),
        ("PT1H", timedelta(hours=1)),
        ("P3D", timedelta(days=3)),
        ("PT2H30M", timedelta(hours=2, minutes=30)),
        ("P1DT2H", timedelta(days=1, hours=2)),
        ("PT45S", timedelta(seconds=45)),
        ("PT1.5S", timedelta(seconds=1.5)),
        ("P2W", timedelta(weeks=2)),
    ],
)
def test_valid_durations(text, expected):
    assert parse_duration(text) == expected


@pytest.mark.parametrize(
    "text",
    ["30m", "PT", "P", "-PT1H", "P1DT", "pt1h", "", "P1Y", "P1M", "PT1H ", "P1W2D", "PT0M", "1H"],
)
def test_invalid_durations(text):
    with pytest.raises(ValueError, match="invalid ISO 8601 duration"):
        parse_duration(text)


def test_non_string_is_rejected():
    with pytest.raises(ValueError, match="must be a string"):
        parse_duration(30)


def test_message_names_the_text_and_examples():
    with pytest.raises(ValueError) as info:
        parse_duration("30m")
    assert (
        str(info.value)
        == "invalid ISO 8601 duration '30m' (examples: 'PT30M', 'PT1H', 'P3D', 'P1DT2H')"
    )
