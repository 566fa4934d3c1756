"""DRF's browsable pages are titled by kernel.api.names, not by class names ("Task List")."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.django_db


def title(client, url: str) -> str:
    page = client.get(url, HTTP_ACCEPT="text/html").content.decode()
    return re.search(r"<h1>(.*?)</h1>", page, re.S).group(1).strip()


def test_kernel_and_entity_pages_have_their_own_names(clinic, browser_as):
    xiaolin = browser_as("xiaolin", "en")
    assert title(xiaolin, "/clinic/api/tasks/") == "Task list"
    assert title(xiaolin, "/clinic/api/incidents/") == "Incidents"
    # a tenant's entity: its label from the spec, whatever the language
    assert title(xiaolin, "/clinic/api/customer/") == "客户"
    detail = title(xiaolin, f"/clinic/api/customer/{clinic.customer.pk}/")
    assert detail == "客户 detail"
    root = xiaolin.get("/clinic/api/", HTTP_ACCEPT="text/html").content.decode()
    assert "Tenant Api Root" not in root and "API root" in root
