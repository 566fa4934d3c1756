"""Naming series: pattern parsing, periods, sequential and concurrent allocation."""

from __future__ import annotations

import threading
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from applications.errors import ApplicationsError, ApplicationsErrorCode
from applications.models import NamingSeries
from applications.naming import next_number, parse_pattern, series_key

SHANGHAI = ZoneInfo("Asia/Shanghai")
JAN = datetime(2025, 1, 15, 10, 0, tzinfo=SHANGHAI)
FEB = datetime(2025, 2, 1, 10, 0, tzinfo=SHANGHAI)
NEXT_YEAR = datetime(2026, 1, 2, 10, 0, tzinfo=SHANGHAI)


def test_parse_pattern_splits_text_dates_and_counter():
    assert parse_pattern("WO-{YYYY}{MM}-{####}") == [
        ("text", "WO-"),
        ("date", "YYYY"),
        ("date", "MM"),
        ("text", "-"),
        ("counter", "####"),
    ]


@pytest.mark.parametrize(
    ("pattern", "code"),
    [
        ("WO-{YYYY}-{XX}", ApplicationsErrorCode.NAMING_PATTERN_INVALID),
        ("WO-{YYYY}", ApplicationsErrorCode.NAMING_PATTERN_NO_COUNTER),
        ("{##}-{##}", ApplicationsErrorCode.NAMING_PATTERN_NO_COUNTER),
    ],
)
def test_parse_pattern_rejects_bad_patterns(pattern, code):
    with pytest.raises(ApplicationsError) as info:
        parse_pattern(pattern)
    assert info.value.code == code


def test_series_key_follows_the_pattern_period():
    assert series_key(pattern="A-{#####}", model_label="shop.Order", now=JAN) == "shop.order:"
    assert (
        series_key(pattern="A-{YY}-{###}", model_label="shop.Order", now=JAN) == "shop.order:2025"
    )
    assert (
        series_key(pattern="{YYYY}{MM}{DD}{###}", model_label="shop.Order", now=JAN)
        == "shop.order:2025-01-15"
    )


def test_series_key_uses_local_time():
    # 2024-12-31 20:00 UTC is already 2025-01-01 in Shanghai (the project's TIME_ZONE).
    late = datetime(2024, 12, 31, 20, 0, tzinfo=ZoneInfo("UTC"))
    assert series_key(pattern="{YYYY}-{#}", model_label="a.b", now=late) == "a.b:2025"


@pytest.mark.django_db
def test_next_number_counts_up_and_pads():
    numbers = [
        next_number(pattern="WO-{YYYY}-{#####}", model_label="shop.Order", now=JAN)
        for _ in range(3)
    ]
    assert numbers == ["WO-2025-00001", "WO-2025-00002", "WO-2025-00003"]
    assert NamingSeries.objects.get(key="shop.order:2025").value == 3


@pytest.mark.django_db
def test_next_number_resets_per_period_and_per_model():
    monthly = "R{YY}{MM}-{###}"
    assert next_number(pattern=monthly, model_label="shop.Order", now=JAN) == "R2501-001"
    assert next_number(pattern=monthly, model_label="shop.Order", now=JAN) == "R2501-002"
    assert next_number(pattern=monthly, model_label="shop.Order", now=FEB) == "R2502-001"
    assert next_number(pattern=monthly, model_label="shop.Invoice", now=FEB) == "R2502-001"
    yearly = "Y{YYYY}-{##}"
    assert next_number(pattern=yearly, model_label="shop.Order", now=FEB) == "Y2025-01"
    assert next_number(pattern=yearly, model_label="shop.Order", now=NEXT_YEAR) == "Y2026-01"
    # No date token: one counter for ever; wider than its pad when it overflows.
    for _ in range(9):
        next_number(pattern="N{#}", model_label="shop.Order", now=JAN)
    assert next_number(pattern="N{#}", model_label="shop.Order", now=NEXT_YEAR) == "N10"


THREADS = 8
PER_THREAD = 50


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_next_number_is_unique_under_concurrency():
    results: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()
    barrier = threading.Barrier(THREADS)

    def work() -> None:
        try:
            barrier.wait()
            mine = [
                next_number(pattern="C-{YYYY}-{######}", model_label="shop.Race", now=JAN)
                for _ in range(PER_THREAD)
            ]
            with lock:
                results.extend(mine)
        except BaseException as exc:  # noqa: BLE001 - surfaced by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(results) == THREADS * PER_THREAD
    assert len(set(results)) == THREADS * PER_THREAD
    assert sorted(results)[-1] == f"C-2025-{THREADS * PER_THREAD:06d}"
    assert NamingSeries.objects.get(key="shop.race:2025").value == THREADS * PER_THREAD
