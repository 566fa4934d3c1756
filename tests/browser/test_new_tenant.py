"""Issue 10, "done when": a new tenant from nothing, in the browser only.

In a real Chromium an analyst creates the tenant ``bakery`` at /design/, adds in the editors (clicks
and typing, no YAML, no terminal) a customer entity and a cake-order record with fields, a form,
three services (take the order, bake, deliver), the sub-program ``baking`` and the program
``cake_order_flow`` that calls it with ``call_sub_service``, their rules, a role and an operator;
then generates, migrates (the worker never loaded the new app: the migration runs in a fresh
process) and publishes, each a Celery job. The development server reloads by itself (the
generate step touched the file its autoreloader watches). The system administrator gives the
operator a password on the admin's user page; the operator signs in at /bakery/, adds a customer,
starts the program for her and completes every step from the board until the program is done.

Runs on the ``site`` of tests/browser/test_designer.py (copies of the folders, a SQLite file,
a real worker and ``runserver``).
"""

from __future__ import annotations

import sqlite3
import time
import urllib.error
import urllib.request

import pytest
from playwright.sync_api import Error as PlaywrightError

from design.specs.validate import validate_folder
from tests.browser.test_designer import PASSWORD, chromium, site, wait_job  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.redis, pytest.mark.slow]

TENANT = "bakery"


def fresh_status(page) -> None:
    """Drop the last editor status so that the next one is the answer to the next click."""
    page.evaluate("document.querySelectorAll('#editor-status').forEach(e => e.remove())")


def quiet(page) -> None:
    page.wait_for_function(
        "() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')"
    )
    page.wait_for_timeout(300)


def settled(page, fid: str) -> None:
    """The live check of what was typed answered (no problem) and no request is in flight."""
    page.wait_for_timeout(600)  # the check is debounced 400 ms
    page.wait_for_selector(f"#{fid}-errors .check-verdict[data-problems='0']", state="attached")
    page.wait_for_function("() => document.querySelector('.htmx-request') === null")


def saved(page) -> None:
    status = page.wait_for_selector("#editor-status", timeout=30_000)
    assert status.get_attribute("data-ok") == "1", status.inner_text()


def section_add(page, base: str, section: str, **inputs: str) -> None:
    """The section's *Add* form; lands on the new element's page."""
    page.goto(f"{base}/design/{TENANT}/{section}/")
    for key, value in inputs.items():
        if page.locator(f"select#new-{key}").count():
            page.select_option(f"#new-{key}", value)
        else:
            page.fill(f"#new-{key}", value)
    page.click("#create-form button[value=save]")
    page.wait_for_load_state()
    name = inputs["name"]
    assert page.url.rstrip("/").endswith(f"/{section}/{name}"), page.inner_text("main")


REDRAWN = ("kind", "type", "instruction", "mode")  # a change of these redraws the form


def redraw(page, fid: str, key: str, value: str) -> None:
    """Choose ``value`` in a select that redraws its form; wait for the new form."""
    page.evaluate(f"window.__drawn = document.querySelector('#form-{fid}-wrap')")
    page.select_option(f"#{fid}-{key}", value)
    page.wait_for_function(
        "([fid, key, value]) => { const w = document.querySelector(`#form-${fid}-wrap`);"
        " const s = document.querySelector(`#${fid}-${key}`);"
        " return w && w !== window.__drawn && s && s.value === value; }",
        arg=[fid, key, value],
    )
    quiet(page)


def element_edit(page, **inputs: str) -> None:
    """Fill the element's own form (left) and save it."""
    for key in [k for k in inputs if k in REDRAWN]:
        redraw(page, "el", key, inputs.pop(key))
    for key, value in inputs.items():
        target = f"#el-{key.replace('.', '-')}"
        if page.locator(f"select{target}").count():
            page.select_option(target, value)
        else:
            page.fill(target, value)
    settled(page, "el")
    fresh_status(page)
    page.click("#form-el button[value=save]")
    saved(page)


def child_add(page, listing: str, *, first: dict[str, str] | None = None, **inputs: str) -> None:
    """*Add* on a child list (fields, rules); ``first`` inputs redraw the form (type, instruction)."""
    page.evaluate("document.querySelectorAll('#form-child-wrap').forEach(e => e.remove())")
    page.click(f".child-list[data-list={listing}] .add-child")
    page.wait_for_selector("#form-child input[name=_new]", state="attached")
    quiet(page)  # htmx has bound the new form's inputs
    for key, value in (first or {}).items():
        redraw(page, "child", key, value)
    for key, value in inputs.items():
        target = f"#child-{key.replace('.', '-')}"
        if page.locator(f"select{target}").count():
            page.select_option(target, value)
        else:
            page.fill(target, value)
    settled(page, "child")
    fresh_status(page)
    page.click("#form-child button[value=save]")
    saved(page)


def wait_served(base: str, path: str, timeout: float = 120) -> None:
    """Until the (reloaded) development server answers ``path`` with something else than 404."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            urllib.request.urlopen(f"{base}{path}", timeout=5)
            return
        except urllib.error.HTTPError as exc:
            if exc.code != 404:
                return
        except OSError:
            pass  # restarting
        if time.monotonic() > deadline:
            pytest.fail(f"{path} still not served after {timeout}s")
        time.sleep(1)


def test_a_new_tenant_from_nothing_in_the_browser(site, chromium):  # noqa: F811
    base, tmp_path = site
    context = chromium.new_context(locale="en-US", viewport={"width": 1400, "height": 1000})
    page = context.new_page()

    # The analyst signs in and creates the tenant.
    page.goto(f"{base}/design/")
    page.fill("input[name=username]", "ana")
    page.fill("input[name=password]", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_selector("#create-form")
    page.fill("#create-form input[name=name]", TENANT)
    page.fill("#create-form input[name=label]", "Bakery")
    page.click("[data-action=create]")
    page.wait_for_url(f"{base}/design/{TENANT}/")

    # Entities: a customer (master data) and the record a step fills in.
    section_add(page, base, "entities", label="Customer", name="customer", kind="model")
    child_add(page, "fields", label="Full name", name="full_name", required="true")
    section_add(page, base, "entities", label="Cake order", name="cake_order", kind="record")
    child_add(page, "fields", label="Cake", name="cake", required="true")
    child_add(page, "fields", first={"type": "integer"}, label="Tiers", name="tiers", min="1")

    # A form of the record.
    section_add(page, base, "forms", label="Order form", name="order_form", entity="cake_order")
    child_add(page, "fields", field="cake", required="true")
    child_add(page, "fields", field="tiers")

    # Three services.
    section_add(page, base, "services", label="Take the order", name="take_order")
    element_edit(page, kind="manual", record="cake_order", serves="customer", form="order_form")
    section_add(page, base, "services", label="Bake the cake", name="bake_cake")
    element_edit(page, kind="manual", serves="customer")
    section_add(page, base, "services", label="Deliver", name="deliver")
    element_edit(page, kind="manual", serves="customer")

    # The sub-program: baking starts bake_cake, and returns when it is done.
    section_add(page, base, "services", label="Baking", name="baking")
    element_edit(page, serves="customer")
    child_add(page, "rules", operand="bake_cake")  # baking: started -> start_service
    child_add(page, "rules", first={"instruction": "calling_return"}, service="bake_cake",
              event="completed")  # fmt: skip

    # The program, started by hand, calls the sub-program.
    section_add(page, base, "services", label="Cake order flow", name="cake_order_flow")
    element_edit(page, serves="customer", manual_start="true")
    child_add(page, "rules", operand="take_order")
    child_add(page, "rules", first={"instruction": "call_sub_service"}, service="take_order",
              event="completed", operand="baking")  # fmt: skip
    child_add(page, "rules", service="baking", event="completed", operand="deliver")
    page.goto(f"{base}/design/{TENANT}/diagrams/")
    page.wait_for_selector("[data-diagram=cake_order_flow][data-drawn=yes]", timeout=60_000)

    # Who does it.
    section_add(page, base, "roles", label="Baker", name="baker")
    element_edit(
        page,
        services="cake_order_flow, take_order, bake_cake, deliver",
        entities="customer: view, add, change",
    )
    section_add(page, base, "operators", label="Bea", name="bea")
    element_edit(page, roles="baker")

    # What the clicks wrote: the spec files, valid.
    spec = validate_folder(tmp_path / "meta_specs" / TENANT)
    by_name = {service.name: service for service in spec.services}
    take = by_name["take_order"]
    assert (take.record, take.serves, take.form) == ("cake_order", "customer", "order_form")
    assert by_name["cake_order_flow"].manual_start is True
    assert [
        (r.service, r.event, r.instruction, r.operand) for r in by_name["cake_order_flow"].rules
    ] == [
        ("cake_order_flow", "started", "start_service", "take_order"),
        ("take_order", "completed", "call_sub_service", "baking"),
        ("baking", "completed", "start_service", "deliver"),
    ]
    assert [(r.service, r.event, r.instruction) for r in by_name["baking"].rules] == [
        ("baking", "started", "start_service"),
        ("bake_cake", "completed", "calling_return"),
    ]

    # Generate, migrate, publish: each a job the page polls.
    page.goto(f"{base}/design/{TENANT}/preview/")
    page.wait_for_selector("[data-plan]", timeout=120_000)
    page.click("[data-action=generate]")
    assert wait_job(page, "generate") == "done", page.inner_text("#jobs")
    assert "new app" in page.inner_text("tbody.design-job[data-kind=generate]")
    # The development server restarts by itself; until then the designer says it does not run
    # the new app yet.
    deadline = time.monotonic() + 120
    while True:
        try:
            page.goto(f"{base}/design/")
            row = page.locator(f"#tenants tr[data-tenant={TENANT}]")
            row.wait_for(timeout=10_000)
            if row.locator("[data-status=not-served]").count() == 0:
                break
        except PlaywrightError:
            pass  # the server is restarting
        assert time.monotonic() < deadline, "the development server did not load the new app"
        time.sleep(1)
    assert row.locator("[data-status=unapplied]").count() == 1
    page.goto(f"{base}/design/{TENANT}/preview/")
    page.click("[data-action=migrate]")
    assert wait_job(page, "migrate") == "done", page.inner_text("#jobs")
    assert "new process" in page.inner_text("tbody.design-job[data-kind=migrate]")
    page.click("[data-action=publish]")
    assert wait_job(page, "publish") == "done", page.inner_text("#jobs")
    with sqlite3.connect(tmp_path / "db.sqlite3") as db:
        tables = {row[0] for row in db.execute("select name from sqlite_master")}
    assert {"bakery_customer", "bakery_cake_order"} <= tables

    # The development server restarted by itself and serves the tenant.
    wait_served(base, f"/{TENANT}/login/")
    page.goto(f"{base}/design/")
    row = page.locator(f"#tenants tr[data-tenant={TENANT}]")
    assert row.locator("[data-status=not-served]").count() == 0
    assert row.locator("[data-status=unapplied]").count() == 0

    # The system administrator gives the operator a password (the admin's user page).
    admin = chromium.new_context(locale="en-US").new_page()
    admin.goto(f"{base}/admin/")
    admin.fill("input[name=username]", "admin")
    admin.fill("input[name=password]", PASSWORD)
    admin.click("input[type=submit]")
    admin.goto(f"{base}/admin/auth/user/?q={TENANT}.bea")
    admin.click(f"#result_list a:text-is('{TENANT}.bea')")
    admin.click("a[href*='password/']")
    enable = admin.locator("input[name=usable_password][value=true]")
    if enable.count():
        enable.check()
    admin.fill("input[name=password1]", PASSWORD)
    admin.fill("input[name=password2]", PASSWORD)
    admin.click("input[type=submit]")
    admin.wait_for_selector("ul.messagelist li.success")

    # The operator: a customer, the program started for her, every step done from the board.
    bea = chromium.new_context(locale="en-US", viewport={"width": 1400, "height": 1000}).new_page()
    bea.goto(f"{base}/{TENANT}/")
    bea.fill("input[name=username]", f"{TENANT}.bea")
    bea.fill("input[name=password]", PASSWORD)
    bea.click("input[type=submit]")
    bea.wait_for_selector("#board-lists")
    bea.click("[data-action=new][data-entity=customer]")
    bea.fill("[data-entity-form] input[name$=full_name]", "Rosa Diaz")
    bea.click("[data-action=create]")
    bea.wait_for_selector("[data-action=start][data-program=cake_order_flow]")
    bea.click("[data-action=start][data-program=cake_order_flow]")

    def do_task(label: str, form: dict[str, str] | None = None) -> None:
        bea.goto(f"{base}/{TENANT}/?tab=public")
        bea.wait_for_selector("#board-lists")
        bea.click("#tab-public")
        task = bea.locator("#pane-public tr[data-pid]", has_text=label).first
        task.wait_for(timeout=60_000)
        task.locator("[data-action=claim]").click()
        bea.wait_for_selector("[data-action=complete-form]", timeout=30_000)
        for name, value in (form or {}).items():
            bea.fill(f"input[name$={name}]", value)
        bea.click("[data-action=complete-form] >> nth=0")
        bea.wait_for_load_state()

    do_task("Take the order", {"cake": "Black forest", "tiers": "2"})
    do_task("Bake the cake")
    do_task("Deliver")

    # The program ended completed.
    with sqlite3.connect(tmp_path / "db.sqlite3") as db:
        deadline = time.monotonic() + 60
        while True:
            states = dict(
                db.execute(
                    "select s.name, p.state from kernel_process p"
                    " join kernel_service s on s.id = p.service_id"
                    " join design_tenant t on t.id = p.tenant_id where t.name = ?",
                    (TENANT,),
                ).fetchall()
            )
            if states.get("cake_order_flow") == "TERMINATED" or time.monotonic() > deadline:
                break
            time.sleep(1)
    assert states == {
        "cake_order_flow": "TERMINATED",
        "take_order": "TERMINATED",
        "baking": "TERMINATED",
        "bake_cake": "TERMINATED",
        "deliver": "TERMINATED",
    }, states
    orders = sqlite3.connect(tmp_path / "db.sqlite3").execute(
        "select cake, tiers from bakery_cake_order"
    )
    assert orders.fetchall() == [("Black forest", 2)]
