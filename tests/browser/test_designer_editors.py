"""Real Chromium: an analyst edits specs in the designer's editors (issue 10, parts 2 and 3).

The analyst adds an optional field to the clinic's appointment record (the spec files change,
and ``generate clinic`` produces the field), adds a rule to repair_shop's program, and sees an
invalid event expression's error at the input while nothing is written. Edits happen without a
page reload (htmx). With ``ERPSYS_SCREENSHOTS=<dir>`` the editors are saved there.
"""

from __future__ import annotations

import os
import shutil
from io import StringIO

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.test import Client

from design.specs.validate import validate_folder
from tests.conftest import CHROMIUM, CLINIC_SPEC, REPAIR_SHOP_SPEC, REPO_ROOT
from tests.design.specs.helpers import folder_digest

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def specs(settings, tmp_path):
    root = tmp_path / "meta_specs"
    shutil.copytree(CLINIC_SPEC, root / "clinic")
    shutil.copytree(REPAIR_SHOP_SPEC, root / "repair_shop")
    settings.META_SPECS_DIR = root
    settings.DESIGN_DRAFTS_DIR = tmp_path / "drafts"
    return root


@pytest.fixture
def analyst_page(monkeypatch, live_server, specs):
    """A designer (not staff) signed in, in a Chromium page; the session comes from Django."""
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    user = User.objects.create_user("analyst", password="analyst-password")
    user.groups.add(Group.objects.get_or_create(name="designers")[0])
    client = Client()
    client.force_login(user)
    session = client.cookies["sessionid"].value
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        context = browser.new_context(locale="en-US", viewport={"width": 1400, "height": 1000})
        context.add_cookies([{"name": "sessionid", "value": session, "url": live_server.url}])
        page = context.new_page()
        page.base = live_server.url
        yield page
        browser.close()


def shot(page, name: str) -> None:
    folder = os.environ.get("ERPSYS_SCREENSHOTS")
    if folder:
        page.screenshot(path=os.path.join(folder, f"editors_{name}.png"), full_page=True)


def no_reload(page) -> None:
    page.evaluate("window.__notReloaded = true")


def assert_not_reloaded(page) -> None:
    assert page.evaluate("window.__notReloaded") is True


@pytest.mark.django_db(transaction=True)
def test_analyst_adds_an_optional_field_to_the_appointment(analyst_page, specs, tmp_path):
    page = analyst_page
    page.goto(f"{page.base}/design/clinic/entities/appointment/")
    no_reload(page)
    page.click(".child-list[data-list=fields] .add-child")
    page.wait_for_selector("#form-child")
    page.fill("#child-label", "紧急联系人")
    page.fill("#child-name", "emergency_contact")
    page.fill("#child-max_length", "abc")
    page.wait_for_selector("#child-max_length-err [data-code=schema]")
    page.fill("#child-max_length", "50")
    page.wait_for_selector("#child-errors .check-verdict[data-problems='0']")
    assert page.inner_text("#child-max_length-err").strip() == ""
    shot(page, "field_editor")
    page.click("#form-child button[value=save]")
    status = page.wait_for_selector("#editor-status")
    assert status.get_attribute("data-ok") == "1", status.inner_text()
    assert_not_reloaded(page)
    assert "emergency_contact" in page.inner_text(".child-list[data-list=fields]")

    added = next(e for e in validate_folder(specs / "clinic").entities if e.name == "appointment")
    field = added.fields[-1]
    assert (field.name, field.type, field.max_length, field.required) == (
        "emergency_contact",
        "char",
        50,
        False,
    )
    generated = tmp_path / "generated"
    shutil.copytree(
        REPO_ROOT / "generated",
        generated,
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    call_command(
        "generate",
        "clinic",
        spec_dir=str(specs / "clinic"),
        generated_dir=str(generated),
        stdout=StringIO(),
        stderr=StringIO(),
    )
    models = (generated / "clinic" / "models.py").read_text(encoding="utf-8")
    assert "emergency_contact = models.CharField(" in models


@pytest.mark.django_db(transaction=True)
def _diagram_edges(page, program: str) -> int:
    """Open the tenant's program diagrams; the number of edges drawn for ``program``."""
    page.goto(f"{page.base}/design/repair_shop/diagrams/")
    page.wait_for_selector(f"[data-diagram={program}][data-drawn=yes]", timeout=60_000)
    return page.locator(f"[data-diagram={program}] svg .edgePaths path").count()


def test_analyst_adds_a_rule_to_repair_shops_program(analyst_page, specs):
    page = analyst_page
    edges = _diagram_edges(page, "repair_job")
    assert edges > 0
    page.goto(f"{page.base}/design/repair_shop/programs/repair_job/")
    rows = page.locator(".child-list[data-list=rules] tbody tr").count()
    no_reload(page)
    page.click(".child-list[data-list=rules] .add-child")
    page.wait_for_selector("#form-child")
    # The service is picked by its label from the picker under the input.
    page.locator("[data-key=service] input.picker").fill("invoice")
    page.click("#child-service-picks [data-pick-value=invoice_service]")
    assert page.input_value("#child-service") == "invoice_service"
    page.fill("#child-event", "failed")
    page.select_option("#child-instruction", "retry_process")
    page.wait_for_selector("#child-params-max_retries")  # the instruction's parameters
    assert page.locator("#child-operand").input_value() == ""
    page.fill("#child-params-max_retries", "2")
    page.fill("#child-params-backoff", "PT5M")
    page.wait_for_selector("#child-errors .check-verdict[data-problems='0']")
    shot(page, "rule_editor")
    page.click("#form-child button[value=save]")
    status = page.wait_for_selector("#editor-status")
    assert status.get_attribute("data-ok") == "1", status.inner_text()
    assert_not_reloaded(page)
    assert page.locator(".child-list[data-list=rules] tbody tr").count() == rows + 1
    rule = next(
        s for s in validate_folder(specs / "repair_shop").services if s.name == "repair_job"
    ).rules[-1]
    assert (rule.service, rule.event, rule.instruction) == (
        "invoice_service",
        "failed",
        "retry_process",
    )
    assert rule.params == {"max_retries": 2, "backoff": "PT5M"}
    # the diagram redraws with the new exception edge
    assert _diagram_edges(page, "repair_job") == edges + 1
    last = page.locator("#program-repair_job tbody tr").last.text_content()
    assert "retry_process" in last and "{'max_retries': 2, 'backoff': 'PT5M'}" in last


@pytest.mark.django_db(transaction=True)
def test_an_invalid_expression_shows_its_error_and_nothing_is_written(analyst_page, specs):
    page = analyst_page
    before = folder_digest(specs / "repair_shop")
    page.goto(f"{page.base}/design/repair_shop/events/large_invoice/")
    no_reload(page)
    page.fill("#el-expression", "form.total >")
    error = page.wait_for_selector("#el-expression-err [data-code=expression_syntax]")
    assert "syntax error" in error.inner_text()
    shot(page, "invalid_expression")
    page.click("#form-el button[value=save]")
    page.wait_for_selector("#editor-status[data-ok='0']")
    assert_not_reloaded(page)
    assert page.input_value("#el-expression") == "form.total >"
    assert page.locator("#el-expression-err [data-code=expression_syntax]").count() == 1
    assert folder_digest(specs / "repair_shop") == before
    assert not (specs.parent / "drafts" / "repair_shop.yaml").exists()
