"""Task lists: public / mine / entity, each in a constant number of queries."""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kernel import services
from kernel.selectors import task_list
from tests.kernel.helpers import operator, publish, rule, tiny_spec

pytestmark = pytest.mark.django_db


def make(n):
    users = [get_user_model().objects.create(username=f"cust{i}-{n}") for i in range(n)]
    for user in users:
        services.process_start(tenant="t_sel", program="job", entity=user)
    return users


def count_queries(call) -> tuple[int, list]:
    wanda = operator("t_sel", "wanda")  # fresh instance: role names are read inside
    with CaptureQueriesContext(connection) as ctx:
        result = call(wanda)
    return len(ctx.captured_queries), result


def test_lists_and_constant_queries():
    publish(
        tiny_spec(
            "t_sel", programs={"job": [rule("job", "started", "start_service", "a")]}, tasks=["a"]
        )
    )
    users = make(2)
    small, public = count_queries(lambda op: task_list(operator=op, scope="public"))
    assert len(public) == 2 and all(p.service.name == "a" for p in public)
    assert {p.entity for p in public} == set(users)
    make(10)
    large, public = count_queries(
        lambda op: [str(p.entity) for p in task_list(operator=op, scope="public")]
    )
    assert len(public) == 12 and large == small

    wanda = operator("t_sel", "wanda")
    services.task_claim(process=task_list(operator=wanda, scope="public")[0], operator=wanda)
    mine = task_list(operator=wanda, scope="mine")
    assert len(mine) == 1 and mine[0].state == "RUNNING"
    assert len(task_list(operator=wanda, scope="public")) == 11
    entity_tasks = task_list(operator=wanda, scope="entity", entity=users[1])
    assert [(p.service.name, p.state) for p in entity_tasks] == [("a", "READY"), ("job", "RUNNING")]
    assert task_list(operator=operator("t_sel", "otto"), scope="public") == []
