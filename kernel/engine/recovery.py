"""Re-send queued work whose message was lost, so no process waits forever for it.

A system service's action is queued with ``transaction.on_commit``; if the process that committed
dies before the message reaches the broker, nothing would ever run it. The periodic tick calls
``actions_resend``: every system process still RUNNING after a grace period whose exactly-once
key is unclaimed gets its action queued again. A duplicate is harmless: ``action_perform``
claims the key first and a second delivery returns "duplicate". Asynchronous instructions
(fan-outs) leave a ``PendingInstruction`` outbox row until performed; ``instructions_resend``
sends the old ones again, at most ``MAX_ATTEMPTS`` times each.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from kernel.engine.system import action_enqueue, action_key
from kernel.fsm import State
from kernel.models import Effect, PendingInstruction, Process

log = logging.getLogger(__name__)

RESEND_AFTER = timedelta(minutes=5)  # longer than queued work normally waits for a worker
MAX_ATTEMPTS = 10


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


def instructions_resend(*, now: datetime | None = None, grace: timedelta = RESEND_AFTER) -> int:
    """Queue again asynchronous instructions still in the outbox after ``grace``; returns the count."""
    from kernel.tasks import syscall_run

    cutoff = (now or timezone.now()) - grace
    pending = list(
        PendingInstruction.objects.filter(created__lt=cutoff, attempts__lt=MAX_ATTEMPTS).order_by(
            "pk"
        )[:1000]
    )
    for row in pending:
        kwargs = dict(row.kwargs)
        transaction.on_commit(lambda kwargs=kwargs: syscall_run.delay(**kwargs))
    if pending:
        PendingInstruction.objects.filter(pk__in=[row.pk for row in pending]).update(
            attempts=F("attempts") + 1
        )
        log.warning("re-sent %d queued instructions whose message was lost", len(pending))
    return len(pending)
