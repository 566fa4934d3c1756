"""The operator workbench: board, task form, entity and process pages, actions, gate and search."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from kernel import services
from kernel.models import Decision, Process, RuleDef

pytestmark = pytest.mark.django_db


def entity_url(customer) -> str:
    return f"/clinic/e/customer/{customer.erpsys_id}/"


def start_service(clinic, operator, program: str = "customer_service") -> Process:
    return clinic.act(
        services.process_start,
        tenant="clinic",
        program=program,
        entity=clinic.customer,
        operator=operator("xiaolin"),
    )


def task(program: Process, name: str) -> Process:
    return Process.objects.get(root_id=program.root_id or program.pk, service__name=name)


def appointment_post(action: str, **fields) -> dict:
    from kernel.models import Service

    service = Service.objects.filter(tenant__name="clinic").order_by("pk").first()
    data = {
        "record-full_name": "张女士",
        "record-phone": "13800000000",
        "record-service_item": str(service.pk),
        "record-scheduled_at": "2026-12-01T10:00",
        "action": action,
    }
    data.update(fields)
    return data


# --- the gate ---------------------------------------------------------------------------------


def test_anonymous_goes_to_the_tenant_login(client, clinic):
    response = client.get("/clinic/")
    assert response.status_code == 302
    assert response["Location"].startswith("/clinic/login/?next=/clinic/")


def test_the_login_leads_to_the_board(client, clinic, operator):
    user = operator("xiaolin").user
    user.set_password("pw-123456!")
    user.save()
    response = client.post("/clinic/login/", {"username": user.username, "password": "pw-123456!"})
    assert response.status_code == 302 and response["Location"] == "/clinic/"


def test_another_tenants_operator_and_rows_are_refused(client, clinic, operator):
    from django.contrib.auth import get_user_model

    from core.models import Tenant
    from kernel.models import Operator

    shop, _ = Tenant.objects.get_or_create(name="repair_shop", defaults={"label": "shop"})
    outsider = Operator.objects.create(
        tenant=shop,
        user=get_user_model().objects.create_user(username="shop.ana"),
        name="ana",
        label="ana",
    )
    program = start_service(clinic, operator)
    pid = task(program, "new_appointment").pk
    client.force_login(outsider.user)
    for url in ("/clinic/", f"/clinic/tasks/{pid}/", f"/clinic/processes/{pid}/"):
        assert client.get(url).status_code == 403, url
    assert client.get(entity_url(clinic.customer)).status_code == 403
    assert client.post(f"/clinic/tasks/{pid}/claim/").status_code == 403
    assert Process.objects.get(pk=pid).operator_id is None

    foreign = Process.objects.create(tenant=shop, state="READY")
    client.force_login(operator("xiaolin").user)
    for url in (f"/clinic/tasks/{foreign.pk}/", f"/clinic/processes/{foreign.pk}/"):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/clinic/tasks/{foreign.pk}/claim/").status_code == 404


# --- the board and the standard program's first step ------------------------------------------


def test_start_on_the_entity_page_then_claim_save_and_complete(clinic, browser_as, operator):
    xiaolin = browser_as("xiaolin")
    page = xiaolin.get(entity_url(clinic.customer)).content.decode()
    assert 'data-program="customer_service"' in page and "MR-1" in page

    response = xiaolin.post(
        "/clinic/start/",
        {"program": "customer_service", "entity": "customer", "id": clinic.customer.pk},
    )
    assert response.status_code == 302 and response["Location"] == entity_url(clinic.customer)
    program = Process.objects.get(service__name="customer_service")
    new = task(program, "new_appointment")

    board = xiaolin.get("/clinic/").content.decode()
    assert f'data-pid="{new.pk}"' in board and "张女士" in board
    assert f'data-pid="{new.pk}"' not in browser_as("dr_wang").get("/clinic/").content.decode()

    response = xiaolin.post(f"/clinic/tasks/{new.pk}/claim/")
    assert response.status_code == 302 and response["Location"] == f"/clinic/tasks/{new.pk}/"
    new.refresh_from_db()
    assert new.state == "RUNNING" and new.operator.name == "xiaolin"

    form = xiaolin.get(f"/clinic/tasks/{new.pk}/").content.decode()
    assert 'name="record-phone"' in form and "手机或座机号码" in form  # field and its help text

    bad = xiaolin.post(f"/clinic/tasks/{new.pk}/", appointment_post("save", **{"record-phone": ""}))
    assert bad.status_code == 400
    assert "invalid-feedback" in bad.content.decode()
    new.refresh_from_db()
    assert new.state == "RUNNING" and new.record_id is None

    saved = xiaolin.post(f"/clinic/tasks/{new.pk}/", appointment_post("save"))
    assert saved.status_code == 302
    new.refresh_from_db()
    assert new.state == "RUNNING" and new.record_id is not None  # saved, still working
    assert new.record.phone == "13800000000"

    done = clinic.act(xiaolin.post, f"/clinic/tasks/{new.pk}/", appointment_post("complete"))
    assert done.status_code == 302 and done["Location"] == "/clinic/?tab=mine"
    new.refresh_from_db()
    assert new.state == "TERMINATED"
    reminder = task(program, "arrival_reminder")
    assert f'data-pid="{reminder.pk}"' in xiaolin.get("/clinic/?partial=lists").content.decode()


def test_board_tabs_counts_marks_and_order(clinic, browser_as, operator):
    program = start_service(clinic, operator)
    new = task(program, "new_appointment")
    Process.objects.filter(pk=new.pk).update(
        scheduled_time=timezone.now() - timedelta(hours=1), priority=5
    )
    page = browser_as("xiaolin", "en").get("/clinic/").content.decode()
    assert 'data-count="public">1<' in page and 'data-count="mine">0<' in page
    assert "overdue" in page and "escalated" in page
    from kernel.models import Revision

    menu = Revision.objects.get(tenant__name="clinic").menu
    assert menu[0] == {
        "label": "客户",
        "name": "customers",
        "entity": "customer",
        "view": None,
        "children": [],
    }
    assert "/clinic/admin/clinic/customer/" in page  # the spec's menu links the admin
    assert "Public" in page
    assert "公共" in browser_as("xiaolin").get("/clinic/").content.decode()


def test_mine_lists_running_before_suspended(clinic, browser_as, operator):
    xiaolin = operator("xiaolin")
    first = start_service(clinic, operator, "maintain_profile")
    second = start_service(clinic, operator, "maintain_profile")
    clinic.act(services.task_claim, process=first, operator=xiaolin)
    clinic.act(services.task_claim, process=second, operator=xiaolin)
    clinic.act(services.task_suspend, process=first, operator=xiaolin)
    page = browser_as("xiaolin").get("/clinic/?tab=mine").content.decode()
    pane = page[page.index('id="pane-mine"') :]
    assert pane.index(f'data-pid="{second.pk}"') < pane.index(f'data-pid="{first.pk}"')


def test_suspend_resume_shift_and_cancel_from_the_board(clinic, browser_as, operator):
    xiaolin = browser_as("xiaolin")
    job = start_service(clinic, operator, "maintain_profile")
    xiaolin.post(f"/clinic/tasks/{job.pk}/claim/")
    for action, state in (("suspend", "SUSPENDED"), ("resume", "RUNNING")):
        assert xiaolin.post(f"/clinic/tasks/{job.pk}/{action}/").status_code == 302
        job.refresh_from_db()
        assert job.state == state, action

    page = xiaolin.get("/clinic/?tab=mine").content.decode()
    assert 'value="xiaozhou"' in page and 'value="dr_wang"' not in page  # roles allowed only
    refused = browser_as("xiaolin", "en").post(
        f"/clinic/tasks/{job.pk}/shift/", {"operator": "dr_wang"}, follow=True
    )
    job.refresh_from_db()
    assert job.operator.name == "xiaolin"
    assert "王医生 holds none of the roles of “维护客户档案”" in refused.content.decode()
    xiaolin.post(f"/clinic/tasks/{job.pk}/shift/", {"operator": "xiaozhou"})
    job.refresh_from_db()
    assert job.operator.name == "xiaozhou"

    browser_as("xiaozhou").post(f"/clinic/tasks/{job.pk}/cancel/")
    job.refresh_from_db()
    assert job.state == "TERMINATED"


def test_complete_a_task_without_a_record_from_the_board(clinic, browser_as, operator):
    job = start_service(clinic, operator, "maintain_profile")
    xiaolin = browser_as("xiaolin")
    xiaolin.post(f"/clinic/tasks/{job.pk}/claim/")
    assert f"/clinic/tasks/{job.pk}/complete/" in xiaolin.get("/clinic/?tab=mine").content.decode()
    clinic.act(xiaolin.post, f"/clinic/tasks/{job.pk}/complete/")
    job.refresh_from_db()
    assert job.state == "TERMINATED"


@pytest.mark.parametrize(
    ("language", "reason"),
    [("en", "it needs the role 医生"), ("zh-hans", "需要角色 医生")],
)
def test_a_nurse_cannot_claim_a_doctors_task_and_sees_why(
    clinic, browser_as, operator, language, reason
):
    assessment = clinic.act(
        services.process_start, tenant="clinic", program="face_assessment", entity=clinic.customer
    )
    nurse = browser_as("nurse_li", language)
    response = nurse.post(f"/clinic/tasks/{assessment.pk}/claim/", follow=True)
    assert reason in response.content.decode()
    assessment.refresh_from_db()
    assert assessment.state == "READY" and assessment.operator_id is None
    page = nurse.get(f"/clinic/tasks/{assessment.pk}/").content.decode()
    assert reason in page and 'value="complete"' not in page


# --- decisions --------------------------------------------------------------------------------


def test_a_decision_is_answered_on_the_task_page_and_over_rest(clinic, browser_as, operator):
    program = start_service(clinic, operator)
    payment = clinic.act(
        services.process_start, tenant="clinic", program="payment", entity=clinic.customer
    )
    decision = Decision.objects.create(
        tenant=program.tenant,
        process=payment,
        program=program,
        event="large_charge",
        occurrence="test",
        decided_by=["manager"],
    )
    rules = RuleDef.objects.filter(
        revision_id=program.revision_id, service="payment", event="large_charge"
    )
    decision.candidates.set(rules)
    again = rules.get(instruction="start_service")

    page = browser_as("manager_zhang").get(f"/clinic/tasks/{payment.pk}/").content.decode()
    assert 'data-action="decide"' in page and f'value="{again.pk}"' in page
    assert 'data-count="decisions"' in browser_as("manager_zhang").get("/clinic/").content.decode()

    rest = APIClient()
    rest.force_login(operator("xiaolin").user)
    url = f"/clinic/api/tasks/{payment.pk}/decide/"
    refused = rest.post(url, {"rule": again.pk}, format="json")
    assert refused.status_code == 403 and refused.json()["code"] == "not_permitted"
    detail = rest.get(f"/clinic/api/processes/{payment.pk}/").json()
    assert {c["rule"] for c in detail["decision"]["choices"]} == set(
        rules.values_list("pk", flat=True)
    )

    rest.force_login(operator("manager_zhang").user)
    before = Process.objects.filter(service__name="payment").count()
    with_commit = clinic.act(rest.post, url, {"rule": again.pk}, format="json")
    assert with_commit.status_code == 200 and with_commit.json()["decision"] is None
    decision.refresh_from_db()
    assert decision.state == "ANSWERED" and decision.chosen_id == again.pk
    assert Process.objects.filter(service__name="payment").count() == before + 1
    assert rest.post(url, {"rule": again.pk}, format="json").status_code == 409


def test_decide_is_in_the_openapi_schema(clinic, browser_as):
    schema = browser_as("xiaolin").get("/clinic/api/schema/").content.decode()
    assert "/clinic/api/tasks/{pid}/decide/" in schema


# --- entity and process pages, search ---------------------------------------------------------


def test_entity_page_tasks_by_state_history_and_start_buttons(clinic, browser_as, operator):
    program = start_service(clinic, operator)
    new = task(program, "new_appointment")
    clinic.act(
        services.task_complete,
        process=new,
        operator=operator("xiaolin"),
        data={"full_name": "张女士", "phone": "13800000000", "scheduled_at": timezone.now()},
    )
    page = browser_as("xiaolin", "en").get(entity_url(clinic.customer)).content.decode()
    assert "Running" in page and "Ready" in page  # groups by state
    assert "History" in page and "预约记录" in page  # the appointment record is in the history
    history = page[page.index("History") :]
    reminder = task(program, "arrival_reminder")
    assert history.index(f"/clinic/processes/{reminder.pk}/") < history.index(
        f"/clinic/processes/{program.pk}/"
    )  # newest first
    assert 'data-program="customer_service"' in page
    assert 'data-live="entity/' in page


def test_process_page_draws_the_program_with_the_live_step(clinic, browser_as, operator):
    program = start_service(clinic, operator)
    new = task(program, "new_appointment")
    page = browser_as("xiaolin").get(f"/clinic/processes/{new.pk}/").content.decode()
    assert 'id="diagram-text"' in page and "mermaid.min.js" in page
    assert "class n_new_appointment live" in page and "class n_new_appointment current" in page
    assert "n_customer_service" in page and "张女士" in page


def test_search_by_name_label_or_pinyin_initials(clinic, browser_as, operator):
    program = start_service(clinic, operator)
    xiaolin = browser_as("xiaolin")
    assert entity_url(clinic.customer) in xiaolin.get("/clinic/search/?q=zns").content.decode()
    assert entity_url(clinic.customer) in xiaolin.get("/clinic/search/?q=MR-1").content.decode()
    found = xiaolin.get("/clinic/search/?q=xyy").content.decode()  # 新预约
    assert f"/clinic/tasks/{task(program, 'new_appointment').pk}/" in found
    choices = xiaolin.get("/clinic/search/?program=customer_service&q=张").content.decode()
    assert f'name="id" value="{clinic.customer.pk}"' in choices


# --- query counts -----------------------------------------------------------------------------


def _tasks(clinic, count: int) -> None:
    from kernel.models import ServiceDef

    service = ServiceDef.objects.get(name="new_appointment")
    customer_type = ContentType.objects.get_for_model(clinic.customer)
    Process.objects.bulk_create(
        Process(
            tenant=service.revision.tenant,
            service=service,
            revision=service.revision,
            state="READY",
            priority=index % 3,
            entity_type=customer_type,
            entity_id=clinic.customer.pk,
        )
        for index in range(count)
    )


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("url", ["/clinic/", "entity"])
def test_board_and_entity_page_cost_the_same_queries_at_10_and_1000_tasks(clinic, browser_as, url):
    url = entity_url(clinic.customer) if url == "entity" else url
    xiaolin = browser_as("xiaolin")
    _tasks(clinic, 10)
    xiaolin.get(url)  # warm caches (content types, compiled revision)
    few = _queries(xiaolin, url)
    _tasks(clinic, 990)
    assert Process.objects.count() == 1000
    assert _queries(xiaolin, url) == few


def test_a_tab_counts_up_to_its_limit_then_says_more(clinic, browser_as, monkeypatch):
    from workbench import pages

    monkeypatch.setattr(pages, "BOARD_LIMIT", 2)
    monkeypatch.setattr(pages, "BOARD_COUNT_LIMIT", 4)
    xiaolin = browser_as("xiaolin", "en")
    _tasks(clinic, 4)
    page = xiaolin.get("/clinic/").content.decode()
    assert 'data-count="public">4<' in page and "Showing 2 of 4." in page
    _tasks(clinic, 3)
    page = xiaolin.get("/clinic/").content.decode()
    assert 'data-count="public">4+<' in page
    assert "Showing 2 of more than 4; search finds the others." in page
    assert page.count("<tr data-pid=") == 2
    assert "超过 4 条" in browser_as("xiaolin").get("/clinic/").content.decode()
