"""timers_tick with a fake ``now``: after/cron occurrences fire once, only where a rule listens."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection

from kernel.models import ProcessState, TimerFiring
from kernel.timers import MAX_CATCH_UP, occurrence_key, timers_tick
from tests.kernel.timers.conftest import at


@pytest.mark.django_db
def test_nothing_published_nothing_fired(fired, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert timers_tick(now=at("2026-01-01 10:00")) == 0
    assert fired.calls == []


@pytest.mark.django_db
def test_after_started_fires_once_when_due(published, fired):
    p = published("appointment", started=at("2026-01-01 08:00"))
    assert timers_tick(now=at("2026-01-01 09:59")) == 0
    assert timers_tick(now=at("2026-01-01 10:00")) == 1
    due = at("2026-01-01 10:00")
    assert fired.calls == [(p.pk, "stale", occurrence_key("stale", due))]
    assert timers_tick(now=at("2026-01-01 12:00")) == 0
    assert TimerFiring.objects.get().due_at == due


@pytest.mark.django_db
def test_after_started_counts_from_created_time_without_start_time(published, fired):
    p = published("appointment", started=None)
    assert timers_tick(now=p.created_time + timedelta(hours=2)) == 1
    assert fired.calls[0][:2] == (p.pk, "stale")


@pytest.mark.django_db
def test_after_scheduled_time(published, fired):
    p = published("appointment", started=at("2026-01-01 08:00"), scheduled_time=None)
    # No scheduled time: only the `stale` (of: started) timer can fire.
    assert timers_tick(now=at("2026-01-01 09:00")) == 0
    p.scheduled_time = at("2026-01-01 08:45")
    p.save(update_fields=["scheduled_time"])
    assert timers_tick(now=at("2026-01-01 09:14")) == 0
    assert timers_tick(now=at("2026-01-01 09:15")) == 1
    assert [c[1] for c in fired.calls] == ["overdue"]
    # Rescheduled later: the new appointment time can be overdue again.
    p.scheduled_time = at("2026-01-01 11:00")
    p.save(update_fields=["scheduled_time"])
    assert timers_tick(now=at("2026-01-01 11:30")) == 2  # overdue again, and stale at 10:00
    assert sorted(c[1] for c in fired.calls) == ["overdue", "overdue", "stale"]


@pytest.mark.django_db
def test_cron_fires_each_missed_occurrence_once_in_tenant_time(published, fired):
    p = published("follow_up", started=at("2026-01-01 08:00"))
    assert timers_tick(now=at("2026-01-01 08:59")) == 0
    assert timers_tick(now=at("2026-01-03 10:00")) == 3  # Jan 1, 2 and 3 at 09:00 Shanghai
    dues = sorted(TimerFiring.objects.values_list("due_at", flat=True))
    assert dues == [at(f"2026-01-0{d} 09:00") for d in (1, 2, 3)]
    assert [c[2] for c in fired.calls] == [occurrence_key("daily", d) for d in dues]
    assert all(c[:2] == (p.pk, "daily") for c in fired.calls)
    assert timers_tick(now=at("2026-01-03 23:59")) == 0
    assert timers_tick(now=at("2026-01-04 09:00")) == 1


@pytest.mark.django_db
def test_cron_catch_up_is_bounded_per_tick(published, fired):
    published("reception", started=at("2026-01-01 08:00"))
    now = at("2026-01-01 08:00") + timedelta(minutes=2 * MAX_CATCH_UP + 50)
    assert timers_tick(now=now) == MAX_CATCH_UP
    assert timers_tick(now=now) == MAX_CATCH_UP
    assert timers_tick(now=now) == 50
    assert timers_tick(now=now) == 0
    assert TimerFiring.objects.count() == 2 * MAX_CATCH_UP + 50


@pytest.mark.django_db
def test_only_listening_services_and_live_processes(published, fired):
    published("reception", started=at("2026-01-01 08:00"), state=ProcessState.TERMINATED)
    published("follow_up", started=at("2026-01-01 08:00"), state=ProcessState.SUSPENDED)
    # `unheard` has no rule; the appointment process has no scheduled time; stale is not due.
    published("appointment", started=at("2026-01-01 08:00"))
    assert timers_tick(now=at("2026-01-01 09:30")) == 1
    assert [c[1] for c in fired.calls] == ["daily"]  # suspended is not final


@pytest.mark.django_db
def test_failed_event_is_retried_on_the_next_tick(published, fired):
    published("appointment", started=at("2026-01-01 08:00"))
    fired.fail = True
    assert timers_tick(now=at("2026-01-01 10:00")) == 0
    assert not TimerFiring.objects.exists()
    fired.fail = False
    assert timers_tick(now=at("2026-01-01 10:01")) == 1
    assert fired.calls[0][2] == occurrence_key("stale", at("2026-01-01 10:00"))


@pytest.mark.django_db
def test_tick_task_runs_eagerly_and_is_on_the_beat_schedule(published, fired, settings):
    from erpsys.celery import app
    from kernel.tasks_timers import tick

    published("appointment", started=at("2000-01-01 08:00"))
    assert tick.apply().get() == 1
    app.loader.import_default_modules()
    entry = settings.CELERY_BEAT_SCHEDULE["kernel-timers-tick"]
    assert entry["task"] in app.tasks and entry["schedule"] == 60.0


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_ticks_fire_each_occurrence_once(published, fired):
    processes = [published("reception", started=at("2026-01-01 08:00")) for _ in range(5)]
    now = at("2026-01-01 08:30")
    barrier = threading.Barrier(4)
    totals: list[int] = []

    def run() -> None:
        try:
            barrier.wait(10)
            totals.append(timers_tick(now=now))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sum(totals) == 5 * 30
    assert len(fired.calls) == 5 * 30 == len(set(fired.calls))
    assert TimerFiring.objects.count() == 5 * 30
    assert {c[0] for c in fired.calls} == {p.pk for p in processes}
