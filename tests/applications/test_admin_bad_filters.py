"""Admin changelists with filters the database refuses: a message and the plain list, not a 500
(issue 7: ``?label__regex=%5C``, ``?full_name__startswith=%00``)."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

pytestmark = pytest.mark.django_db

# Refused by the database when the query runs: a redirect to ?e=1 with a message.
REFUSED = ["label__regex=%5C", "label__regex=(", "name__startswith=%00"]
# Answered by Django itself (a plain list or ?e=1): never a 500 either.
OTHER = ["q=%00", "id__gt=" + "9" * 40, "id=abc", "label__in=%00,x"]


def follow_problems(client: Client, url: str) -> list:
    from django.db import connection

    # SQLite takes a NUL, and runs a bad regex only against rows (there are none here).
    refused = REFUSED if connection.vendor == "postgresql" else []
    problems = []
    for query in REFUSED + OTHER:
        response = client.get(f"{url}?{query}", follow=True)
        if response.status_code != 200:
            problems.append((query, response.status_code))
        elif query in refused and not (
            response.redirect_chain
            and response.redirect_chain[-1][0].endswith("?e=1")
            and '<li class="error"' in response.content.decode()
        ):
            problems.append((query, "no redirect with a message", response.redirect_chain))
    return problems


@pytest.mark.urls("tests.applications.urls_two_tenants")
def test_tenant_admin_changelist_survives_filters_the_database_refuses(make_operator):
    operator = make_operator("alpha", "ann", perms=["kernel.view_role"])
    client = Client(raise_request_exception=False)
    client.force_login(operator.user)
    assert client.get("/alpha/admin/kernel/role/").status_code == 200
    assert follow_problems(client, "/alpha/admin/kernel/role/") == []


def test_system_admin_changelist_survives_filters_the_database_refuses(make_tenant):
    make_tenant("alpha")
    user = get_user_model().objects.create_superuser("root", "root@example.com", "pw-1234567")
    client = Client(raise_request_exception=False)
    client.force_login(user)
    assert client.get("/admin/core/tenant/").status_code == 200
    assert follow_problems(client, "/admin/core/tenant/") == []
