"""Real Chromium, real WebSockets: two receptionists on the clinic board see each other's work live.

The server is daphne serving ``erpsys.asgi`` (HTTP and WebSocket) in a subprocess, on a file
SQLite database set up by ``manage.py demo`` (three 客户服务 programs, each waiting on a public
新预约), with the in-memory channel layer of that one process. Nobody's board is reloaded: the
pushes of ``kernel.live`` reach ``live.js``, which makes the lists re-fetch in place, and each
change must show on the other operator's board within 2 s.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.conftest import CHROMIUM, REPO_ROOT

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PASSWORD = "live-boards-password-1"
LIVE_WITHIN_MS = 2000


@pytest.fixture
def server(tmp_path):
    """daphne on a free port over a fresh demo database; yields its base URL."""
    import httpx

    from tests.kernel.conftest import wait_for
    from tests.test_scale_out import free_port

    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in ("REDIS_URL", "ERPSYS_TEST_DB_NAME", "DJANGO_SETTINGS_MODULE")
    }
    environment.update(
        DATABASE_URL=f"sqlite:///{tmp_path / 'live.sqlite3'}",
        DJANGO_SETTINGS_MODULE="erpsys.settings",
        CELERY_TASK_ALWAYS_EAGER="1",
        LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
    )
    subprocess.run(
        [sys.executable, "manage.py", "demo", "--password", PASSWORD],
        cwd=REPO_ROOT,
        env=environment,
        check=True,
        capture_output=True,
        timeout=600,
    )
    port = free_port()
    log = (tmp_path / "daphne.log").open("w")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "daphne",
            "-b",
            "127.0.0.1",
            "-p",
            str(port),
            "erpsys.asgi:application",
        ],
        cwd=REPO_ROOT,
        env=environment,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"

    def up() -> bool:
        try:
            return httpx.get(f"{base}/clinic/login/", timeout=2).status_code == 200
        except httpx.HTTPError:
            return process.poll() is not None

    try:
        assert wait_for(up, timeout=60) and process.poll() is None, (
            tmp_path / "daphne.log"
        ).read_text()
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=20)


@pytest.fixture
def chromium():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield browser
        browser.close()


def sign_in(browser, base: str, username: str):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 860})
    page = context.new_page()
    page.goto(f"{base}/clinic/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("input[type=submit]")
    return page


def on_board(page) -> None:
    """The board is shown and its socket is open; mark the page to detect a reload."""
    if not page.locator("#board-lists").count():
        page.click("a.navbar-brand")
    page.wait_for_selector("#board-lists")
    page.wait_for_selector("body[data-live-state=open]", timeout=10000)
    page.evaluate("window.__notReloaded = true")


def public_row(page, pid: str):
    return page.locator(f'#pane-public tr[data-pid="{pid}"]')


def not_reloaded(page) -> bool:
    return page.evaluate("window.__notReloaded === true")


def test_each_receptionist_sees_the_others_work_within_two_seconds(server, chromium):
    a = sign_in(chromium, server, "clinic.xiaolin")
    b = sign_in(chromium, server, "clinic.xiaozhou")
    on_board(a)
    on_board(b)
    pids = a.locator("#pane-public tr[data-pid]").evaluate_all(
        "rows => rows.map(row => row.dataset.pid)"
    )
    assert len(pids) >= 2, pids
    first, second = pids[:2]
    public_row(b, first).wait_for()

    # A claims the first 新预约: it leaves B's public list, B's page is not reloaded.
    public_row(a, first).locator("[data-action=claim]").click()
    a.wait_for_selector("input[name=record-phone]")
    public_row(b, first).wait_for(state="detached", timeout=LIVE_WITHIN_MS)
    assert not_reloaded(b)

    # The reverse: B claims the second one, A (back on the board) sees it go.
    on_board(a)
    public_row(a, second).wait_for()
    public_row(b, second).locator("[data-action=claim]").click()
    b.wait_for_selector("input[name=record-phone]")
    public_row(a, second).wait_for(state="detached", timeout=LIVE_WITHIN_MS)
    assert not_reloaded(a)

    # A completes the first appointment; its next step 到诊提醒 arrives on B's public list.
    on_board(b)
    reminders = b.locator("#pane-public tr[data-pid]", has_text="到诊提醒")
    before = reminders.count()
    a.goto(f"{server}/clinic/tasks/{first}/")
    a.fill("input[name=record-phone]", "13900000000")
    a.select_option("select[name=record-service_item]", label="肉毒素治疗")
    a.select_option("select[name=record-doctor]", label="王医生")
    a.fill("input[name=record-scheduled_at]", "2026-12-01T10:00")
    a.click("[data-action=complete-form]")
    a.wait_for_selector(".alert-success")
    b.wait_for_function(
        "n => document.querySelectorAll('#pane-public tr[data-pid]').length > 0 &&"
        " [...document.querySelectorAll('#pane-public tr[data-pid]')]"
        ".filter(row => row.textContent.includes('到诊提醒')).length > n",
        arg=before,
        timeout=LIVE_WITHIN_MS,
    )
    assert not_reloaded(b)
