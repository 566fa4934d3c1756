"""Timer events: the periodic tick that fires each due ``after``/``cron`` occurrence exactly once."""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from core.cron import CronSchedule, parse_cron
from core.durations import parse_duration
from kernel.fsm import FINAL_STATES
from kernel.models import EventDef, Process, RuleDef
from kernel.models.timer import TimerFiring

logger = logging.getLogger(__name__)

# A cron timer that missed many occurrences (a worker outage) catches up at most this many
# per process and event in one tick; the rest follow on the next ticks, oldest first.
MAX_CATCH_UP = 100


@dataclass(frozen=True)
class TimerPlan:
    """One timer event of one revision and the services whose rules listen to it."""

    revision_id: int
    event: str
    after: timedelta | None
    of: str
    cron: str | None
    services: frozenset[str]


@lru_cache(maxsize=256)
def _cron(text: str) -> CronSchedule:
    return parse_cron(text)


@lru_cache(maxsize=256)
def _duration(text: str) -> timedelta:
    return parse_duration(text)


def timer_plans() -> list[TimerPlan]:
    """Every published timer event that some rule of its revision listens to (two queries)."""
    events = [
        (revision_id, name, timer)
        for revision_id, name, timer in EventDef.objects.filter(timer__isnull=False).values_list(
            "revision_id", "name", "timer"
        )
        if timer
    ]
    if not events:
        return []
    listeners: dict[tuple[int, str], set[str]] = defaultdict(set)
    rules = RuleDef.objects.filter(
        revision_id__in={e[0] for e in events}, event__in={e[1] for e in events}
    ).values_list("revision_id", "event", "service")
    for revision_id, event, service in rules:
        listeners[(revision_id, event)].add(service)
    plans = []
    for revision_id, name, timer in events:
        services = listeners.get((revision_id, name))
        if not services:
            continue
        plans.append(
            TimerPlan(
                revision_id=revision_id,
                event=name,
                after=_duration(timer["after"]) if timer.get("after") else None,
                of=timer.get("of") or "started",
                cron=timer.get("cron") or None,
                services=frozenset(services),
            )
        )
    return plans


def _anchor(process: Process, of: str) -> datetime | None:
    """The moment an ``after`` timer counts from (None: no such moment yet)."""
    if of == "scheduled_time":
        return process.scheduled_time
    return process.start_time or process.created_time


def _tenant_zone(process: Process) -> ZoneInfo:
    """Cron fields are wall-clock times of the tenant's time zone (else settings.TIME_ZONE)."""
    return ZoneInfo(process.tenant.timezone or settings.TIME_ZONE)


def cron_occurrences(
    schedule: CronSchedule, *, after: datetime, until: datetime, zone: ZoneInfo, limit: int
) -> list[datetime]:
    """Occurrences of ``schedule`` in ``(after, until]``, oldest first, at most ``limit`` (UTC)."""
    found: list[datetime] = []
    cursor = after.astimezone(zone)
    while len(found) < limit:
        cursor = schedule.next_after(cursor)
        if cursor > until:
            break
        found.append(cursor.astimezone(ZoneInfo("UTC")))
    return found


def _due(plan: TimerPlan, process: Process, last: datetime | None, now: datetime) -> list[datetime]:
    """The occurrences of ``plan`` due for ``process`` at ``now`` and not fired yet."""
    if plan.cron:
        start = _anchor(process, "started")
        if last is not None and last > start:
            start = last
        return cron_occurrences(
            _cron(plan.cron), after=start, until=now, zone=_tenant_zone(process), limit=MAX_CATCH_UP
        )
    anchor = _anchor(process, plan.of)
    if anchor is None or plan.after is None:
        return []
    due = anchor + plan.after
    if due > now or (last is not None and last >= due):
        return []
    return [due]


def occurrence_key(event: str, due: datetime) -> str:
    """The event occurrence handed to the engine, stable across ticks (for effect keys)."""
    return f"{event}@{int(due.timestamp())}"


def _fire(process: Process, event: str, due: datetime) -> bool:
    """Record the firing and run the event in one transaction; False if it was already fired."""
    from kernel import engine  # late: the engine imports the models this module uses

    try:
        with transaction.atomic():
            try:
                with transaction.atomic():
                    TimerFiring.objects.create(
                        tenant_id=process.tenant_id, event_name=event, process=process, due_at=due
                    )
            except IntegrityError:
                return False  # another tick fired it first
            engine.fire_event(process=process, event=event, occurrence=occurrence_key(event, due))
    except Exception:
        # The firing row rolled back with the failed event, so the next tick tries again.
        logger.exception("timer %s of process %s due %s failed", event, process.pk, due)
        return False
    return True


def timers_tick(*, now: datetime | None = None) -> int:
    """Fire every due timer occurrence once; return how many fired. Safe to run concurrently.

    For each published event with a timer whose revision has a rule on it, every non-final
    process of that revision whose service has such a rule is checked: ``after`` fires once
    when ``anchor + after <= now`` (anchor: start_time or created_time for ``of: started``,
    scheduled_time for ``of: scheduled_time``); ``cron`` fires each occurrence (tenant time
    zone) after the process started or after its last firing, up to ``now``. Each firing is
    its own transaction: a unique TimerFiring row, then ``kernel.engine.fire_event``.
    """
    now = now or timezone.now()
    plans = timer_plans()
    if not plans:
        return 0
    by_revision: dict[int, list[TimerPlan]] = defaultdict(list)
    for plan in plans:
        by_revision[plan.revision_id].append(plan)
    services = {s for plan in plans for s in plan.services}
    processes = list(
        Process.objects.filter(revision_id__in=by_revision, service__name__in=services)
        .exclude(state__in=[str(s) for s in FINAL_STATES])
        .select_related("service", "tenant")
        .order_by("pid")
    )
    if not processes:
        return 0
    last_firing = {
        (row["process_id"], row["event_name"]): row["last"]
        for row in TimerFiring.objects.filter(
            process_id__in=[p.pk for p in processes],
            event_name__in={plan.event for plan in plans},
        )
        .values("process_id", "event_name")
        .annotate(last=Max("due_at"))
    }
    fired = 0
    for process in processes:
        for plan in by_revision[process.revision_id]:
            if process.service.name not in plan.services:
                continue
            last = last_firing.get((process.pk, plan.event))
            for due in _due(plan, process, last, now):
                fired += _fire(process, plan.event, due)
    return fired
