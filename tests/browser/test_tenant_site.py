"""A real Chromium logs into the clinic's generated site and opens its API docs (offline)."""

import os

import pytest
from django.core.management import call_command

from tests.conftest import CHROMIUM

DEMO_PASSWORD = "browser-test-password"

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def page(monkeypatch):
    # Playwright's sync API runs an event loop in this thread; the ORM calls made by the test
    # itself stay synchronous and single-threaded.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
            ],
        )
        context = browser.new_context(locale="zh-CN")
        requests_outside: list[str] = []
        context.on(
            "request",
            lambda request: (
                requests_outside.append(request.url)
                if not request.url.startswith(("http://localhost", "http://127.0.0.1", "data:"))
                else None
            ),
        )
        page = context.new_page()
        page.requests_outside = requests_outside
        yield page
        browser.close()


@pytest.mark.django_db(transaction=True)
def test_operator_logs_in_sees_models_and_api_docs(live_server, page, tmp_path):
    call_command("demo", password=DEMO_PASSWORD, verbosity=0)
    page.goto(f"{live_server.url}/clinic/")
    assert "/clinic/login/" in page.url  # anonymous visitors are sent to the tenant's own login

    page.fill("input[name=username]", "clinic.xiaolin")
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"{live_server.url}/clinic/")
    body = page.inner_text("body")
    assert "医美诊所" in body
    assert "客户" in body  # the generated customer model is listed
    if os.environ.get("ERPSYS_SCREENSHOTS"):
        page.screenshot(path=os.path.join(os.environ["ERPSYS_SCREENSHOTS"], "clinic_index.png"))

    page.goto(f"{live_server.url}/clinic/api/docs/")
    page.wait_for_selector(".swagger-ui .info", timeout=15000)
    assert "/clinic/api/" in page.content()
    assert page.requests_outside == [], "the API docs must work offline"
    if os.environ.get("ERPSYS_SCREENSHOTS"):
        page.screenshot(path=os.path.join(os.environ["ERPSYS_SCREENSHOTS"], "clinic_api_docs.png"))
