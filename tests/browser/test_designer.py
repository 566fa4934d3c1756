"""Real Chromium, a real Celery worker and a development server that reloads generated code.

An analyst uploads the clinic's spec as a zip with one more optional field on the appointment
record (and its form), sees the migration plan (safe), generates, migrates and publishes from
/design/, each step a Celery job whose row the page polls; the web server reloads the generated
code by itself (the development server's autoreloader), and the receptionist's task form shows
the new field. An operator gets 403 at /design/.

Everything runs in subprocesses on copies: META_SPECS_DIR, GENERATED_DIR and a SQLite file
under tmp_path, Redis db ``ERPSYS_DESIGNER_REDIS_DB`` (default 4). With
``ERPSYS_SCREENSHOTS=<dir>`` the pages are saved there (docs/img/ holds the committed ones).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import CHROMIUM, CLINIC_SPEC, REPO_ROOT
from tests.designer.conftest import clinic_files, zip_of

PASSWORD = "browser-test-password"
pytestmark = [pytest.mark.browser, pytest.mark.redis, pytest.mark.slow]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


@pytest.fixture
def site(tmp_path):
    """(base URL, environment) of a development server and a Celery worker on copies of the tenant."""
    specs, generated = tmp_path / "meta_specs", tmp_path / "generated"
    shutil.copytree(CLINIC_SPEC, specs / "clinic")
    shutil.copytree(
        REPO_ROOT / "generated", generated, ignore=shutil.ignore_patterns("__pycache__")
    )
    redis_url = os.environ["REDIS_URL"].rsplit("/", 1)[0]
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "REDIS_URL": f"{redis_url}/{os.environ.get('ERPSYS_DESIGNER_REDIS_DB', '4')}",
        "ERPSYS_META_SPECS_DIR": str(specs),
        "ERPSYS_GENERATED_DIR": str(generated),
        "DEBUG": "true",
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "DJANGO_SETTINGS_MODULE": "erpsys.settings",
    }
    env.pop("ERPSYS_TEST_DB_NAME", None)
    manage = [sys.executable, str(REPO_ROOT / "manage.py")]
    subprocess.run(
        [*manage, "demo", "--password", PASSWORD],
        cwd=REPO_ROOT, env=env, check=True, capture_output=True, timeout=600,
    )  # fmt: skip
    subprocess.run(
        [*manage, "shell", "-c",
         "from django.contrib.auth import get_user_model as g; "
         f"g().objects.create_user('ana', password='{PASSWORD}', is_staff=True)"],
        cwd=REPO_ROOT, env=env, check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    log = open(tmp_path / "worker.log", "w")  # noqa: SIM115 - closed at teardown
    worker = subprocess.Popen(
        [str(Path(sys.executable).with_name("celery")), "-A", "erpsys", "worker", "--pool=solo",
         "--loglevel=info", "--purge", "--without-mingle", "--without-gossip",
         "-n", f"designer-{os.getpid()}@localhost"],
        cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    port = free_port()
    web_log = open(tmp_path / "web.log", "w")  # noqa: SIM115 - closed at teardown
    web = subprocess.Popen(
        [*manage, "runserver", f"127.0.0.1:{port}"],
        cwd=REPO_ROOT, env=env, stdout=web_log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=5)
                break
            except OSError:
                if time.monotonic() > deadline or web.poll() is not None:
                    pytest.fail((tmp_path / "web.log").read_text()[-3000:])
                time.sleep(1)
        yield base, tmp_path
    finally:
        stop(web)
        stop(worker)
        log.close()
        web_log.close()


@pytest.fixture
def chromium(monkeypatch):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield browser
        browser.close()


def shot(page, name: str, *, full_page: bool = True) -> None:
    folder = os.environ.get("ERPSYS_SCREENSHOTS")
    if folder:
        page.screenshot(path=os.path.join(folder, f"designer_{name}.png"), full_page=full_page)


def wait_job(page, kind: str) -> str:
    """Wait until the polled row of the newest ``kind`` job is over; its state."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    row = page.locator(f"tbody.design-job[data-kind={kind}]").first
    try:
        page.wait_for_function(
            "kind => { const r = document.querySelector(`tbody.design-job[data-kind=${kind}]`);"
            " return r && (r.dataset.state === 'done' || r.dataset.state === 'failed'); }",
            arg=kind,
            timeout=240_000,
            polling=500,
        )
    except PlaywrightTimeout:
        pass  # still queued or running: the caller's assertion shows the job's log
    return row.get_attribute("data-state")


def start_job(page, kind: str) -> None:
    """Click the step's button until its job row shows. A click while the development server
    restarts (it reloads the code generate wrote) does not reach it: the page then says so
    (``#server-unreachable``), or, when htmx reports the failure on an element the page no
    longer holds, shows nothing; either way the analyst, like this test, clicks again."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    job = f"tbody.design-job[data-kind={kind}]"
    notice = "#server-unreachable:not(.d-none)"
    deadline = time.monotonic() + 180
    while True:
        page.click(f"[data-action={kind}]")
        try:
            page.wait_for_selector(f"{job}, {notice}", timeout=15_000)
        except PlaywrightTimeout:
            pass
        if page.locator(job).count():
            assert page.locator(notice).count() == 0  # a try that worked hides the notice
            return
        assert time.monotonic() < deadline, f"no {kind} job after 180 s"
        time.sleep(1)


def test_analyst_adds_a_field_and_the_operator_sees_it(site, chromium):
    base, tmp_path = site
    context = chromium.new_context(locale="zh-CN", viewport={"width": 1360, "height": 900})
    page = context.new_page()
    page.goto(f"{base}/design/")
    assert "/admin/login/" in page.url  # anonymous: the login page
    page.fill("input[name=username]", "ana")
    page.fill("input[name=password]", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_selector("#tenants tr[data-tenant=clinic]")
    shot(page, "index_zh")

    archive = tmp_path / "clinic.zip"
    archive.write_bytes(zip_of(clinic_files(added_field=True)))
    page.set_input_files("#import-form input[name=archive]", str(archive))
    page.click("[data-action=import]")
    page.wait_for_url(f"{base}/design/clinic/")
    page.click("main a[href='/design/clinic/preview/']")
    page.wait_for_selector("[data-plan]", timeout=120_000)
    safeties = page.locator("tr.plan-item").evaluate_all("rows => rows.map(r => r.dataset.safety)")
    assert safeties == ["safe"]
    assert "parking_spot" in page.inner_text("#plan")
    assert page.locator("details.code-diff[data-file='models.py']").count() == 1
    shot(page, "preview_zh")

    start_job(page, "generate")
    assert wait_job(page, "generate") == "done", page.inner_text("#jobs")
    start_job(page, "migrate")
    assert wait_job(page, "migrate") == "done", page.inner_text("#jobs")
    start_job(page, "publish")
    assert wait_job(page, "publish") == "done", page.inner_text("#jobs")
    assert "2" in page.inner_text("tbody.design-job[data-kind=publish]")
    shot(page, "jobs_zh")

    page.goto(f"{base}/design/clinic/history/")
    page.wait_for_selector("#history tr[data-revision='2']")
    page.click("#history tr[data-revision='2'] summary")
    assert "parking_spot" in page.inner_text("#history tr[data-revision='2']")
    shot(page, "history_zh")
    page.goto(f"{base}/design/clinic/diagrams/")
    page.wait_for_selector("[data-diagram=customer_service][data-drawn=yes]", timeout=60_000)
    shot(page, "programs_zh", full_page=False)
    page.locator("[data-diagram=customer_service] g.node.linked").first.click()
    page.wait_for_url("**/design/clinic/programs/customer_service/rules/*/")

    # The receptionist: the new field is on the appointment task form (the server reloaded).
    operator = chromium.new_context(locale="zh-CN", viewport={"width": 1360, "height": 900})
    reception = operator.new_page()
    reception.goto(f"{base}/clinic/")
    reception.fill("input[name=username]", "clinic.xiaolin")
    reception.fill("input[name=password]", PASSWORD)
    reception.click("input[type=submit]")
    reception.wait_for_selector("#board-lists")
    reception.click("#tab-public")
    task = reception.locator("#pane-public tr[data-pid]", has_text="新预约").first
    task.locator("[data-action=claim]").click()
    reception.wait_for_selector("input[name=record-parking_spot]", timeout=30_000)
    assert "停车位" in reception.inner_text("main")
    shot(reception, "task_form_zh")

    # An operator gets 403 at /design/.
    response = reception.goto(f"{base}/design/")
    assert response.status == 403

    # The same pages in English.
    english = chromium.new_context(locale="en-US", viewport={"width": 1360, "height": 900})
    page = english.new_page()
    page.goto(f"{base}/admin/login/?next=/design/")
    page.fill("input[name=username]", "ana")
    page.fill("input[name=password]", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_selector("#tenants tr[data-tenant=clinic]")
    assert "Tenants" in page.inner_text("h1")
    shot(page, "index_en")
