"""Fair waiting: waiters wake by priority, then by when they first found the resource short;
one waiting longer than its service's duration is overdue on the task lists."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from design.specs.model import RequirementSpec, ResourceSpec
from kernel import selectors, services
from kernel.api.columns import task_rows
from kernel.models import Process
from kernel.resources import ledger_mismatches
from tests.kernel.helpers import complete, live, operator, publish, rule, start, tiny_spec

pytestmark = pytest.mark.django_db

T = "t_fair"


@pytest.fixture
def shop():
    spec = tiny_spec(
        T, programs={"job": [rule("job", "started", "start_service", "a")]}, tasks=["a"]
    )
    spec.resources = [ResourceSpec(name="room", label="Room", kind="equipment", capacity=1)]
    spec.services[0].requires = [RequirementSpec(resource="room")]
    spec.services[0].duration = "PT30M"
    publish(spec)


def step() -> Process:
    return live(start(T, "job"), "a")


def claim(process: Process, who: str = "wanda") -> Process:
    return services.task_claim(process=process, operator=operator(T, who))


def running() -> list[int]:
    return list(
        Process.objects.filter(tenant__name=T, service__name="a", state="RUNNING").values_list(
            "pk", flat=True
        )
    )


def test_priority_first_then_first_come_first_served(shop):
    holder = claim(step())
    early_made, late_made, urgent = step(), step(), step()
    late = claim(late_made)  # made after early_made, but waits first
    early = claim(early_made)
    assert (late.state, early.state) == ("WAITING", "WAITING")
    assert late.waiting_since < early.waiting_since
    Process.objects.filter(pk=urgent.pk).update(priority=5)
    urgent = claim(Process.objects.get(pk=urgent.pk))
    assert urgent.state == "WAITING"

    complete(holder)
    assert running() == [urgent.pk]  # priority first
    complete(Process.objects.get(pk=urgent.pk))
    assert running() == [late.pk]  # then who waited first, not who was made first
    late.refresh_from_db()
    assert late.waiting_since is None  # it holds the room now
    early_since = early.waiting_since
    early.refresh_from_db()
    # Woken twice and short twice: it kept its place in line.
    assert early.state == "WAITING" and early.waiting_since == early_since
    complete(late)
    assert running() == [early.pk]
    assert ledger_mismatches() == []


def test_waiting_longer_than_the_duration_is_overdue_on_the_lists(shop):
    claim(step())
    waiter = claim(step())
    wanda = operator(T, "wanda")

    def row():
        mine = selectors.task_list(operator=wanda, scope="mine")
        [found] = [r for r in task_rows(mine, []) if r["pid"] == waiter.pk]
        return found

    assert row()["waiting_overdue"] is False
    assert row()["waiting_since"] == waiter.waiting_since
    Process.objects.filter(pk=waiter.pk).update(
        waiting_since=timezone.now() - timedelta(minutes=31)
    )
    assert row()["waiting_overdue"] is True
    waiter.refresh_from_db()
    assert selectors.waiting_overdue(waiter)
    assert not selectors.waiting_overdue(waiter, now=waiter.waiting_since + timedelta(minutes=29))
