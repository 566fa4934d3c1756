"""Real Chromium: operators run the clinic's standard program from their boards, in Chinese and English.

No URL is typed after the login page and no JSON is written: the receptionist creates 张女士 on
the New form, starts 客户服务 on her page and does the appointment steps 新预约 -> 到诊提醒 ->
到诊确认 on their task forms, all on one 预约记录 (the later forms show its read-only fields
filled), then 维护客户档案 and 健康调查; the doctor claims, saves and suspends 面诊评估, does the
皮肤检查 it calls on a form that shows 面诊评估's 主诉, and recommends treatments. A nurse who is
handed the link to the doctor's task sees why she may not do it, and cannot save or complete it.
A board refreshes its lists on an ``erpsys:changed`` event without reloading the page (the event
live.js raises on a push). With ``ERPSYS_SCREENSHOTS=<dir>`` the board, a task form, an entity
page and a process page are saved there in both languages (docs/img/ holds the committed ones).
"""

from __future__ import annotations

import os

import pytest
from django.apps import apps
from django.core.management import call_command

from tests.conftest import CHROMIUM

DEMO_PASSWORD = "browser-test-password"

pytestmark = [pytest.mark.browser, pytest.mark.slow]

LANGUAGES = {"zh-CN": "zh", "en-US": "en"}


@pytest.fixture
def chromium(monkeypatch):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield browser
        browser.close()


def sign_in(browser, base: str, username: str, locale: str):
    context = browser.new_context(locale=locale, viewport={"width": 1280, "height": 860})
    page = context.new_page()
    page.goto(f"{base}/clinic/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_selector("#board-lists")
    return page


def shot(page, name: str, language: str) -> None:
    folder = os.environ.get("ERPSYS_SCREENSHOTS")
    if folder:
        page.screenshot(
            path=os.path.join(folder, f"workbench_{name}_{language}.png"), full_page=True
        )


def board(page):
    page.click("a.navbar-brand")
    page.wait_for_selector("#board-lists")


def row(page, label: str):
    return page.locator("#pane-public tr[data-pid]", has_text=label).first


def pushed(page, label: str) -> None:
    """What live.js does on a server push; the list refreshes in place (the page is not reloaded)."""
    page.evaluate("window.__notReloaded = true")
    page.evaluate(
        """() => {
          window.__settled = false;
          document.getElementById("board-lists").addEventListener("htmx:afterSettle", (event) => {
            if (event.target.id === "board-lists") window.__settled = true;
          });
          document.body.dispatchEvent(new CustomEvent("erpsys:changed",
            {detail: {type: "tasks.changed", pids: []}}));
        }"""
    )
    page.wait_for_function("window.__settled === true", timeout=10000)  # the lists refreshed
    row(page, label).wait_for(state="attached", timeout=10000)
    assert page.evaluate("window.__notReloaded") is True
    page.click("#tab-public")
    row(page, label).wait_for()


def claim_on_board(page, label: str) -> None:
    row(page, label).locator("[data-action=claim]").click()
    page.wait_for_selector("[data-action=complete-form]")


def complete_form(page) -> None:
    page.click("[data-action=complete-form]")
    page.wait_for_selector(".alert-success")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("locale", LANGUAGES)
def test_operators_run_the_standard_program_from_their_boards(live_server, chromium, locale):
    from kernel.models import Process

    language = LANGUAGES[locale]
    call_command("demo", password=DEMO_PASSWORD, verbosity=0)
    base = live_server.url
    reception = sign_in(chromium, base, "clinic.xiaolin", locale)
    doctor = sign_in(chromium, base, "clinic.dr_wang", locale)

    # The receptionist creates 张女士 on the New form and lands on her page.
    reception.click("[data-action=new][data-entity=customer]")
    reception.fill("[name=entity-full_name]", "张女士")
    reception.fill("[name=entity-phone]", "13900000000")
    reception.fill("[name=entity-medical_record_number]", "MR-88")
    shot(reception, "new_customer", language)
    reception.click("[data-action=create]")
    reception.wait_for_selector("[data-program=customer_service]")
    customer = apps.get_model("clinic", "Customer").objects.get(medical_record_number="MR-88")
    assert (customer.label, customer.pym) == ("张女士", "zns")
    # ... and finds her again by her pinyin initials; starts 客户服务 on her page.
    reception.fill("#search-box", "zns")
    reception.locator("#search-results a", has_text="张女士").first.click()
    reception.wait_for_selector("[data-program=customer_service]")
    reception.click("[data-program=customer_service]")
    reception.wait_for_selector(".alert-success")
    program = Process.objects.get(
        service__name="customer_service", entity_id__isnull=False, creator__name="xiaolin"
    )
    shot(reception, "entity", language)

    # 新预约 is on her public board: claim it and fill in the appointment form.
    board(reception)
    shot(reception, "board", language)
    row(reception, "张女士").locator("[data-action=claim]").click()
    reception.wait_for_selector("input[name=record-phone]")
    reception.fill("input[name=record-phone]", "13900000000")
    reception.select_option("select[name=record-service_item]", label="肉毒素治疗")
    reception.select_option("select[name=record-doctor]", label="王医生")
    reception.fill("input[name=record-scheduled_at]", "2026-12-01T10:00")
    shot(reception, "task_form", language)
    reception.click("[data-action=complete-form]")
    reception.wait_for_selector("#board-lists .alert-success, .alert-success")
    new = program.tree.get(service__name="new_appointment")
    assert new.state == "TERMINATED" and new.record.doctor.name == "dr_wang"
    pushed(reception, "张女士")  # 到诊提醒 waits on the public board now

    # 到诊提醒 opens the same 预约记录: name and time read-only and filled; she ticks 确认预约.
    claim_on_board(reception, "张女士")
    name = reception.locator("[name=record-full_name]")
    assert name.input_value() == "张女士" and name.is_disabled()
    assert reception.locator("[name=record-scheduled_at]").input_value() == "2026-12-01T10:00"
    reception.check("[name=record-confirmed]")
    shot(reception, "task_form_carried", language)
    complete_form(reception)
    pushed(reception, "张女士")

    # 到诊确认 (in the called sub-program 客户接待): the same record; she ticks 客户已到店.
    claim_on_board(reception, "张女士")
    assert reception.locator("[name=record-full_name]").input_value() == "张女士"
    reception.check("[name=record-arrived]")
    complete_form(reception)
    appointment = new.record
    appointment.refresh_from_db()
    assert appointment.confirmed and appointment.arrived
    assert apps.get_model("clinic", "Appointment").objects.count() == 1
    for step in ("arrival_reminder", "arrival_confirmation"):
        assert program.tree.get(service__name=step).record_id == appointment.pk

    # 维护客户档案 (no form of its own) and 健康调查 (a new survey, her name filled in).
    pushed(reception, "张女士")
    claim_on_board(reception, "张女士")
    complete_form(reception)
    pushed(reception, "张女士")
    claim_on_board(reception, "张女士")
    assert reception.locator("[name=record-full_name]").input_value() == "张女士"
    complete_form(reception)

    # The doctor's board shows 面诊评估 live.
    pushed(doctor, "张女士")
    row(doctor, "张女士").locator("[data-action=claim]").click()
    doctor.wait_for_selector(
        "textarea[name=record-chief_complaint], input[name=record-chief_complaint]"
    )
    doctor.fill("[name=record-chief_complaint]", "色斑")
    doctor.click("[data-action=save]")
    doctor.wait_for_selector(".alert-success")
    face = program.tree.get(service__name="face_assessment")
    assert face.state == "RUNNING" and face.record.chief_complaint == "色斑"

    # He suspends it to ask for a 皮肤检查, which the program calls at once.
    doctor.click("main .dropdown-toggle")
    doctor.click("[data-action=suspend]")
    doctor.wait_for_selector(".alert-success")
    board(doctor)
    skin = program.tree.get(service__name="skin_check")
    assert row(doctor, "张女士").get_attribute("data-pid") == str(skin.pk)
    # 皮肤检查's form shows 主诉 read-only from 面诊评估's record; he adds the findings.
    claim_on_board(doctor, "张女士")
    complaint = doctor.locator("[name=record-chief_complaint]")
    assert complaint.input_value() == "色斑" and complaint.is_disabled()
    doctor.fill("[name=record-skin_findings]", "色素沉着")
    complete_form(doctor)
    skin.refresh_from_db()
    assert skin.state == "TERMINATED" and skin.record_id == face.record_id
    pushed(doctor, "张女士")

    # A nurse handed the link to the doctor's next task sees why she may not do it; her claim
    # is refused with the reason.
    plan = program.tree.get(service__name="diagnosis_plan")
    nurse = sign_in(chromium, base, "clinic.nurse_li", locale)
    nurse.goto(f"{base}/clinic/tasks/{plan.pk}/")
    reason = nurse.locator("[data-reason]").inner_text()
    assert "医生" in reason and "诊断及处理" in reason
    assert nurse.locator("[data-action=complete-form], [data-action=save]").count() == 0
    nurse.click("[data-action=claim]")
    refused = nurse.locator(".alert-danger").inner_text()
    assert "医生" in refused and "诊断及处理" in refused
    shot(nurse, "refused", language)
    plan.refresh_from_db()
    assert plan.state == "READY" and plan.operator_id is None
    nurse.context.close()

    # 诊断及处理: recommend two treatments.
    board(doctor)
    row(doctor, "张女士").locator("[data-action=claim]").click()
    doctor.wait_for_selector("select[name=record-recommended_services]")
    doctor.select_option(
        "select[name=record-recommended_services]", label=["肉毒素治疗", "光子治疗"]
    )
    doctor.click("[data-action=complete-form]")
    doctor.wait_for_selector(".alert-success")
    plan = program.tree.get(service__name="diagnosis_plan")
    assert plan.state == "TERMINATED"
    assert sorted(s.name for s in plan.record.recommended_services.all()) == [
        "botox_treatment",
        "ipl_treatment",
    ]

    # 交费 arrives on the receptionist's board; the process page draws where the program is.
    pushed(reception, "张女士")
    assert row(reception, "张女士").is_visible()
    board(reception)
    reception.fill("#search-box", "zns")
    reception.locator("#search-results a", has_text="张女士").first.click()
    reception.locator("a", has_text="客户服务").first.click()
    reception.wait_for_selector("#diagram[data-drawn=yes]", timeout=20000)
    assert reception.locator("#diagram svg .node.live").count() >= 1
    shot(reception, "process", language)


@pytest.mark.django_db(transaction=True)
def test_a_refresh_on_its_way_does_not_take_back_the_tab_the_operator_chose(live_server, chromium):
    """A push refreshes the lists while the operator switches tabs: the tab she chose stays."""
    call_command("demo", password=DEMO_PASSWORD, verbosity=0)
    page = sign_in(chromium, live_server.url, "clinic.xiaolin", "zh-CN")
    assert page.locator("#tab-public").get_attribute("aria-selected") == "true"
    held = []  # the first refresh is held back until the operator has clicked

    def hold_first(route):
        if held:
            route.continue_()
        else:
            held.append(route)

    page.route("**/*partial=lists*", hold_first)

    page.evaluate(
        "document.body.dispatchEvent(new CustomEvent('erpsys:changed',"
        " {detail: {type: 'tasks.changed', pids: []}}))"
    )
    for _ in range(50):
        if held:
            break
        page.wait_for_timeout(100)
    assert len(held) == 1 and "tab=public" in held[0].request.url
    page.click("#tab-mine")
    with page.expect_response(lambda response: "partial=lists" in response.url):
        held[0].continue_()
    page.wait_for_timeout(300)  # HTMX settles the swap

    assert page.locator("#tab-mine").get_attribute("aria-selected") == "true"
    assert page.locator("#pane-mine").is_visible()
    assert not page.locator("#pane-public").is_visible()
    # The next refresh asks for the chosen tab.
    with page.expect_request(lambda request: "partial=lists" in request.url) as request:
        page.evaluate("document.body.dispatchEvent(new CustomEvent('erpsys:changed'))")
    assert "tab=mine" in request.value.url
