"""The statements each operator action costs on W3's program (a -> b; b calls sub; c returns).

Pinned so that a change which adds a query to a step shows up here; data statements only
(transaction control is left out, as in the W3 bench).
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kernel import services
from kernel.engine.pids import pids_forget
from kernel.fsm.transitions import IllegalTransition
from kernel.models import Process
from tests.kernel.helpers import live, operator, publish, rule, tiny_spec

pytestmark = pytest.mark.django_db

CONTROL = ("BEGIN", "SAVEPOINT", "RELEASE", "COMMIT", "ROLLBACK")


class Statements(CaptureQueriesContext):
    """The data statements run inside the block."""

    @property
    def data(self) -> list[str]:
        return [
            q["sql"] for q in self.captured_queries if not q["sql"].lstrip().startswith(CONTROL)
        ]


@pytest.fixture
def w3(monkeypatch):
    # the newest revision stays cached however slow the machine (its expiry is not under test)
    monkeypatch.setattr("kernel.engine.compiled.NEWEST_REVISION_SECONDS", 3600.0)
    publish(
        tiny_spec(
            "count_t",
            programs={
                "job": [
                    rule("job", "started", "start_service", "a"),
                    rule("a", "completed", "start_service", "b"),
                    rule("b", "completed", "call_sub_service", "sub"),
                ],
                "sub": [
                    rule("sub", "started", "start_service", "c"),
                    rule("c", "completed", "calling_return"),
                ],
            },
            tasks=["a", "b", "c"],
        )
    )
    wanda = operator("count_t", "wanda")
    services.operator_roles(wanda)
    # a fresh block of reserved pids (PostgreSQL), so no reservation falls inside a counted action
    pids_forget()
    services.process_start(tenant="count_t", program="job", entity=None)  # caches the revision
    return wanda


def _batched_inserts() -> bool:
    """PostgreSQL hands out pids ahead: the processes one action creates are one INSERT, sent in
    the same statement as the action's UPDATE."""
    return connection.vendor == "postgresql"


def _task(program: Process, service: str) -> Process:
    return Process.objects.get(pk=live(program, service).pk)


def test_statements_per_operator_action(w3):
    tenant = w3.tenant
    with Statements(connection) as q:
        program = services.process_start(tenant=tenant, program="job", entity=None, operator=w3)
    # INSERT job (already RUNNING), INSERT a (one INSERT for both with reserved pids)
    assert len(q.data) == (1 if _batched_inserts() else 2), q.data

    a = _task(program, "a")
    with Statements(connection) as q:
        services.task_complete(process=a, operator=w3)
    # lock a with its live tree, INSERT b, UPDATE a (claim + start + complete in one write);
    # PostgreSQL: the INSERT and the UPDATE are one statement (WITH w0 AS (INSERT ...) UPDATE ...)
    assert len(q.data) == (2 if _batched_inserts() else 3), q.data

    b = _task(program, "b")
    with Statements(connection) as q:
        services.task_complete(process=b, operator=w3)
    # lock, INSERT sub, INSERT c, one UPDATE for b (done), job (waits) and sub (running);
    # PostgreSQL: the INSERT of both (reserved pids) and the UPDATE are one statement
    assert len(q.data) == (2 if _batched_inserts() else 4), q.data
    assert sum("UPDATE" in sql and not sql.startswith("SELECT") for sql in q.data) == 1

    c = _task(program, "c")
    with Statements(connection) as q:
        services.task_complete(process=c, operator=w3)
    # lock, one UPDATE for c, sub (returned) and job (woken, then completed: its last step ended)
    assert len(q.data) == 2, q.data
    program.refresh_from_db()
    assert program.state == "TERMINATED"


def test_claim_and_suspend_are_one_statement_each_after_the_lock(w3):
    program = services.process_start(tenant=w3.tenant, program="job", entity=None)
    a = _task(program, "a")
    with Statements(connection) as q:
        services.task_claim(process=a, operator=w3)
    assert len(q.data) == 2, q.data  # lock, UPDATE
    a = Process.objects.get(pk=a.pk)
    with Statements(connection) as q:
        services.task_suspend(process=a, operator=w3)
    assert len(q.data) == 2, q.data


def test_a_task_that_has_ended_is_locked_by_the_full_statement(w3):
    """The lock reads the live tree; a task no longer live is found by the second statement
    (task, root and live tree), so completing it again is refused, not reported missing."""
    program = services.process_start(tenant=w3.tenant, program="job", entity=None, operator=w3)
    a = _task(program, "a")
    services.task_complete(process=a, operator=w3)
    a = Process.objects.get(pk=a.pk)
    with Statements(connection) as q, pytest.raises(IllegalTransition):
        services.task_complete(process=a, operator=w3)
    assert len(q.data) == 2 and all(sql.startswith("SELECT") for sql in q.data), q.data
    assert Process.objects.get(pk=a.pk).seq == a.seq  # nothing written


@pytest.mark.postgres
def test_the_hot_reads_plan_index_scans_while_the_table_is_small(w3):
    """A prepared statement keeps the plan PostgreSQL made for it early, when the table was
    small: the task-lock and the program-tree reads must be index scans even then."""
    from psycopg.sql import Literal

    from kernel.engine.run import _LOCK_TREE, _LOCK_TREE_CARRYING
    from kernel.selectors import _PROCESS_TREE

    program = services.process_start(tenant=w3.tenant, program="job", entity=None, operator=w3)
    a = _task(program, "a")
    ct = a.tenant_id  # any small integer of the right type will do for a plan
    a.entity_type_id, a.entity_id = ct, 1  # the carrying lock is for tasks that serve an entity
    queries = {
        "lock": (_LOCK_TREE, (a.pk, program.pk)),
        "lock carrying": (_LOCK_TREE_CARRYING, (a.pk, program.pk, a, ct)),
        "tree": (_PROCESS_TREE, (program.pk,)),
    }
    with connection.cursor() as cursor:
        cursor.execute("SET plan_cache_mode = force_generic_plan")
        try:
            for name, (prepared, args) in queries.items():
                sql = prepared.shape(connection.alias, *args).sql
                params = list(prepared.params(*args))
                parts = sql.split("%s")
                numbered = "".join(f"{part}${n}" for n, part in enumerate(parts[:-1], 1))
                types = ["bigint" if isinstance(p, int) else "text" for p in params]
                statement = f"plan_{name.replace(' ', '_')}"
                cursor.execute(f"PREPARE {statement}({', '.join(types)}) AS {numbered}{parts[-1]}")
                # EXPLAIN takes no bind parameters: the arguments as literals
                arguments = ", ".join(Literal(p).as_string(connection.connection) for p in params)
                cursor.execute(f"EXPLAIN EXECUTE {statement}({arguments})")
                plan = "\n".join(row[0] for row in cursor.fetchall())
                cursor.execute(f"DEALLOCATE {statement}")
                assert "kernel_proc_tree_state" in plan, (name, plan)
                # every read of the table goes through the tree index or the primary key: any
                # other index (the tenant's, a foreign key's) reads rows of other programs
                scans = [line for line in plan.splitlines() if " on kernel_process" in line]
                assert all(
                    "using kernel_proc_tree_state" in line or "using kernel_process_pkey" in line
                    for line in scans
                ), (name, plan)
        finally:
            cursor.execute("RESET plan_cache_mode")
