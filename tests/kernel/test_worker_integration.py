"""Programs whose instructions and system actions run asynchronously in a real Celery worker."""

from __future__ import annotations

import json

import pytest
from django.db.models import Count

from design.specs.model import ServiceSpec
from kernel.models import Effect, Process
from kernel.services import process_start
from tests.kernel.conftest import wait_for
from tests.kernel.helpers import publish, rule, tiny_spec

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.slow]

PROGRAMS = 5


def fan_out_spec():
    spec = tiny_spec(
        "t_worker",
        programs={
            "job": [
                rule("job", "started", "start_parallel_service", "ping", params={"threads": 2}),
                rule("ping", "children_completed", "start_service", "wrap_up"),
                rule("wrap_up", "completed", "calling_return"),
            ]
        },
        tasks=[],
    )
    spec.services[:0] = [
        ServiceSpec(name="ping", label="Ping", kind="system", action="remind_follow_up"),
        ServiceSpec(name="wrap_up", label="Wrap up", kind="system", action="remind_follow_up"),
    ]
    return spec


def test_programs_fan_out_and_join_through_the_worker_exactly_once(
    celery_worker_process, transactional_db
):
    publish(fan_out_spec())
    jobs = [process_start(tenant="t_worker", program="job", entity=None) for _ in range(PROGRAMS)]
    job_pids = [job.pk for job in jobs]

    def all_done() -> bool:
        return not Process.objects.filter(tenant__name="t_worker").exclude(
            state="TERMINATED"
        ).exists() and (
            Process.objects.filter(tenant__name="t_worker", service__name="wrap_up").count()
            == PROGRAMS
        )

    assert wait_for(all_done, timeout=90), celery_worker_process.log_tail()
    children = (
        Process.objects.filter(root_id__in=job_pids)
        .values("root_id", "service__name")
        .annotate(n=Count("pk"))
    )
    per_program = {(c["root_id"], c["service__name"]): c["n"] for c in children}
    for pid in job_pids:
        assert per_program[(pid, "ping")] == 2
        assert per_program[(pid, "wrap_up")] == 1
    assert set(Process.objects.filter(pk__in=job_pids).values_list("state", flat=True)) == {
        "TERMINATED"
    }
    keys = list(Effect.objects.values_list("key", flat=True))
    assert len(keys) == len(set(keys))
    # each action ran once per system process (2 pings + 1 wrap-up per program)
    assert sum(1 for key in keys if key.startswith("action:")) == 3 * PROGRAMS, json.dumps(
        keys[:10]
    )


def test_healthz_sees_the_worker(celery_worker_process, transactional_db, client):
    body = json.loads(client.get("/healthz").content)
    assert body["broker"]["ok"] is True
    assert body["worker"]["ok"] is True and body["worker"]["workers"] >= 1
