"""Re-send system actions whose queued task was lost, so no system process stays RUNNING forever.

A system service's action is queued with ``transaction.on_commit``; if the process that committed
dies before the message reaches the broker, nothing would ever run it. The periodic tick calls
``actions_resend``: every system process still RUNNING after a grace period whose exactly-once
key is unclaimed gets its action queued again. A duplicate is harmless: ``action_perform``
claims the key first and a second delivery returns "duplicate".
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Q
from django.utils import timezone

from kernel.engine.system import action_enqueue, action_key
from kernel.fsm import State
from kernel.models import Effect, Process

RESEND_AFTER = timedelta(minutes=5)  # longer than an action normally waits in the queue


def actions_resend(*, now: datetime | None = None, grace: timedelta = RESEND_AFTER) -> int:
    """Queue again the actions of system processes stuck in RUNNING; returns how many were sent."""
    cutoff = (now or timezone.now()) - grace
    stuck = list(
        Process.objects.filter(state=State.RUNNING, service__kind="system", updated_time__lt=cutoff)
        .filter(Q(scheduled_time__isnull=True) | Q(scheduled_time__lt=cutoff))
        .only("pid", "retry_count")
        .order_by("pid")[:1000]
    )
    if not stuck:
        return 0
    keys = {action_key(process): process for process in stuck}
    done = set(Effect.objects.filter(key__in=keys).values_list("key", flat=True))
    lost = [process for key, process in keys.items() if key not in done]
    for process in lost:
        action_enqueue(process)
    return len(lost)
