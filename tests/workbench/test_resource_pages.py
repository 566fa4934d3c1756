"""The resource pages: list with holders and waiters, a resource with its paginated ledger and
the keepers' stock form, a process's holdings; role-checked and tenant-scoped."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from core.models import Tenant
from kernel.models import LedgerEntry, MaterialResource, Operator, Process, Resource, ServiceDef
from kernel.resources import allocate, ledger_mismatches, requirements_of, stock_adjust

pytestmark = pytest.mark.django_db


def treatment(operator, state="RUNNING", **fields) -> Process:
    service = (
        ServiceDef.objects.filter(revision__tenant__name="clinic", name="botox_treatment")
        .order_by("-revision__number")
        .first()
    )
    return Process.objects.create(
        tenant=service.revision.tenant,
        service=service,
        revision=service.revision,
        state=state,
        operator=operator,
        **fields,
    )


@pytest.fixture
def busy(clinic, operator):
    """Dr Wang holds a treatment room and a botox; Dr Chen's treatment waits (for 31 minutes)."""
    holder = treatment(operator("dr_wang"))
    assert allocate(process=holder, requirements=requirements_of(holder))
    waiter = treatment(
        operator("dr_chen"),
        state="WAITING",
        waiting_since=timezone.now() - timedelta(minutes=31),
    )
    return holder, waiter


def botox() -> Resource:
    return Resource.objects.get(tenant__name="clinic", name="botox")


def test_the_list_shows_stock_free_units_holders_and_waiters(busy, browser_as):
    holder, waiter = busy
    page = browser_as("dr_wang", "en").get("/clinic/resources/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'href="/clinic/resources/"' in html  # the menu link
    row = html[html.index('data-resource="botox"') :]
    row = row[: row.index("</tr>")]
    assert "肉毒素" in row and "100" in row and f"#{holder.pk}" in row
    assert '<td class="text-end free">99</td>' in row
    room = html[html.index('data-resource="treatment_room"') :]
    room = room[: room.index("</tr>")]
    assert f"#{holder.pk}" in room and f"#{waiter.pk}" in room


def test_a_resource_page_has_its_ledger_in_pages(busy, browser_as, operator):
    for _ in range(55):
        stock_adjust(resource=botox(), operator=operator("nurse_li"), reason="receive", quantity=1)
    client = browser_as("dr_wang", "en")
    first = client.get(f"/clinic/resources/{botox().pk}/").content.decode()
    assert first.count("data-entry=") == 50
    assert "Page 1 of 2" in first and "Received" not in first  # reasons are labels
    assert "received" in first
    second = client.get(f"/clinic/resources/{botox().pk}/?page=2").content.decode()
    assert second.count("data-entry=") == 57 - 50  # opening + allocate + 55 receipts
    assert "opening balance" in second
    assert 'class="stock-adjust"' not in first  # a doctor is not a keeper


def test_a_keeper_adjusts_the_stock_through_the_ledger(busy, browser_as, operator):
    client = browser_as("nurse_li", "en")
    url = f"/clinic/resources/{botox().pk}/"
    assert 'class="stock-adjust"' in client.get(url).content.decode()
    response = client.post(url, {"reason": "receive", "quantity": "20", "note": "PO-9"})
    assert response.status_code == 302 and response["Location"] == url
    entry = LedgerEntry.objects.filter(resource=botox()).latest("pk")
    assert (entry.reason, entry.quantity, entry.balance, entry.note) == (
        "receive",
        Decimal(20),
        Decimal(119),
        "PO-9",
    )
    assert entry.operator == operator("nurse_li")
    response = client.post(url, {"reason": "count", "quantity": "118"})
    assert response.status_code == 302
    assert MaterialResource.objects.get(pk=botox().pk).quantity == Decimal(118)
    assert ledger_mismatches(tenant=botox().tenant) == []


def test_refused_adjustments_say_why_and_change_nothing(busy, browser_as):
    client = browser_as("nurse_li", "en")
    url = f"/clinic/resources/{botox().pk}/"
    before = LedgerEntry.objects.count()
    response = client.post(url, {"reason": "write_off", "quantity": "100"})  # 1 is held
    assert response.status_code == 400
    assert "running tasks hold part of this stock" in response.content.decode()
    response = client.post(url, {"reason": "receive", "quantity": "-3"})
    assert response.status_code == 400
    response = client.post(url, {"reason": "steal", "quantity": "3"})
    assert response.status_code == 400
    doctor = browser_as("dr_wang", "en").post(url, {"reason": "receive", "quantity": "3"})
    assert doctor.status_code == 403
    assert LedgerEntry.objects.count() == before
    assert MaterialResource.objects.get(pk=botox().pk).quantity == Decimal(100)


def test_the_process_page_shows_what_it_holds_and_waits_for(busy, browser_as):
    holder, waiter = busy
    client = browser_as("dr_wang", "en")
    held = client.get(f"/clinic/processes/{holder.pk}/").content.decode()
    assert "Holds" in held and "治疗室" in held and "肉毒素" in held
    waiting = client.get(f"/clinic/processes/{waiter.pk}/").content.decode()
    assert "Waits for" in waiting and "waiting too long" in waiting
    assert "1 free" in waiting  # the second treatment room is still free


def test_the_board_and_the_rest_list_mark_a_waiter_past_its_duration(busy, browser_as, operator):
    from rest_framework.test import APIClient

    holder, waiter = busy
    html = browser_as("dr_chen", "en").get("/clinic/?tab=mine").content.decode()
    assert "waiting too long" in html
    rest = APIClient()
    rest.force_login(operator("dr_chen").user)
    rows = rest.get("/clinic/api/tasks/?scope=mine").json()["results"]
    [row] = [r for r in rows if r["pid"] == waiter.pk]
    assert row["waiting_overdue"] is True and row["waiting_since"]
    rest.force_login(operator("dr_wang").user)
    rows = rest.get("/clinic/api/tasks/?scope=mine").json()["results"]
    [row] = [r for r in rows if r["pid"] == holder.pk]
    assert (row["waiting_overdue"], row["waiting_since"]) == (False, None)


def test_pages_are_tenant_scoped_and_role_checked(busy, browser_as, client):
    other = Tenant.objects.create(name="other_shop", label="Other")
    foreign = MaterialResource.objects.create(tenant=other, name="glue", label="Glue")
    doctor = browser_as("dr_wang", "en")
    assert doctor.get(f"/clinic/resources/{foreign.pk}/").status_code == 404
    assert doctor.post(f"/clinic/resources/{foreign.pk}/", {"reason": "receive"}).status_code == 404
    anonymous = client.get("/clinic/resources/")
    assert anonymous.status_code == 302 and "/clinic/login/" in anonymous["Location"]
    user = get_user_model().objects.create_user("clinic.nobody", password="x")
    Operator.objects.create(
        tenant=Tenant.objects.get(name="clinic"), name="nobody", label="N", user=user
    )
    roleless = Client()
    roleless.force_login(user)
    assert roleless.get("/clinic/resources/").status_code == 403
    assert roleless.get(f"/clinic/resources/{botox().pk}/").status_code == 403


def test_chinese_labels_when_the_catalogue_has_them(busy, browser_as):
    from django.utils import translation

    with translation.override("zh-hans"):
        translated = str(translation.gettext("Resources")) != "Resources"
    assert translated, "the compiled zh_Hans catalogue lacks the resource strings"
    html = browser_as("dr_wang", "zh-hans").get("/clinic/resources/").content.decode()
    assert "资源" in html and "库存不足" not in html  # botox is not low
