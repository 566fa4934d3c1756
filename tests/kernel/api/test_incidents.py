"""Incidents over REST: the completion and its record commit, the program shows in ERROR, retry/skip."""

from __future__ import annotations

import pytest
from django.apps import apps

from design.publish import revision_publish
from design.selectors import spec_get
from design.specs.model import OperatorSpec, RuleSpec
from kernel.models import Incident, Process
from tests.kernel.api.test_endpoints import API, live, start_job

pytestmark = pytest.mark.django_db

# An extra rule of repair_job: after intake, each named technician inspects in parallel.
EXTRA = RuleSpec(
    service="intake_service",
    event="completed",
    instruction="start_parallel_service",
    operand="inspect",
    params={"operators": ["erin"]},
    order=99,
)


def publish_with_extra_rule(*, erin: bool) -> None:
    spec = spec_get(tenant="repair_shop")
    job = next(s for s in spec.services if s.name == "repair_job")
    job.rules.append(EXTRA)
    if erin:
        spec.operators.append(OperatorSpec(name="erin", label="Erin", roles=["technician"]))
    revision_publish(tenant="repair_shop", spec=spec)


def test_a_failing_rule_keeps_the_record_and_is_resolved_over_rest(shop, client_as, act):
    publish_with_extra_rule(erin=False)  # erin is not an operator yet
    ana, ben = client_as(shop.ana), client_as(shop.ben)
    job = start_job(act, ana, shop.customer)
    intake = live(job["pid"], "intake_service")

    done = act(ana.post, f"{API}/tasks/{intake.pk}/complete/", {"device": shop.device.pk})
    assert done.status_code == 200, done.content
    assert done.json()["state"] == "TERMINATED"
    assert apps.get_model("repair_shop", "Intake").objects.filter(pid=intake.pk).exists()
    assert Process.objects.get(pk=job["pid"]).state == "ERROR"

    rows = ana.get(f"{API}/tasks/", {"scope": "public"}).json()["results"]
    failed = [row for row in rows if row["state"] == "ERROR"]
    assert [row["pid"] for row in failed] == [job["pid"]]
    assert failed[0]["incident"]["code"] == "not_found"
    assert "erin" in failed[0]["incident"]["reason"]

    listed = ana.get(f"{API}/incidents/").json()
    assert [(i["pid"], i["subject"], i["state"]) for i in listed] == [
        (job["pid"], intake.pk, "OPEN")
    ]
    number = listed[0]["id"]
    assert client_as(shop.dora).get(f"{API}/incidents/").json() != []  # manager: a program role

    again = act(ana.post, f"{API}/incidents/{number}/retry/")
    assert again.status_code == 409 and again.json()["code"] == "rule_failed"
    assert again.json()["incident"]["attempts"] == 2

    publish_with_extra_rule(erin=True)  # the fix
    fixed = act(ana.post, f"{API}/incidents/{number}/retry/")
    assert fixed.status_code == 200, fixed.content
    assert fixed.json()["state"] == "RETRIED"
    assert Process.objects.filter(root_id=job["pid"], service__name="inspect").count() == 3
    assert Process.objects.get(pk=job["pid"]).state == "WAITING"  # back waiting for diagnosis
    closed = act(ben.post, f"{API}/incidents/{number}/skip/")
    assert closed.status_code == 409 and closed.json()["code"] == "incident_closed"
    assert ana.get(f"{API}/incidents/").json() == []


def test_incident_endpoints_refuse_outsiders_and_unknown_ids(shop, client_as, act):
    publish_with_extra_rule(erin=False)
    ana = client_as(shop.ana)
    job = start_job(act, ana, shop.customer)
    intake = live(job["pid"], "intake_service")
    act(ana.post, f"{API}/tasks/{intake.pk}/complete/", {"device": shop.device.pk})
    number = Incident.objects.get().pk
    assert act(ana.post, f"{API}/incidents/{number + 1000}/skip/").status_code == 404
    assert act(shop_client_anonymous(), f"{API}/incidents/{number}/skip/").status_code == 401
    skipped = act(ana.post, f"{API}/incidents/{number}/skip/")
    assert skipped.status_code == 200 and skipped.json()["state"] == "SKIPPED"
    assert Process.objects.get(pk=job["pid"]).state == "WAITING"


def shop_client_anonymous():
    from rest_framework.test import APIClient

    return APIClient().post
