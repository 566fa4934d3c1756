"""Live task lists over Channels: the gate, the groups, every kernel write path, one push per burst.

The sockets are ``channels.testing.WebsocketCommunicator`` against the real ASGI application
(``erpsys.asgi``: origin check, session auth, URL router), signed in with a real session cookie.
Each socket test runs on the in-memory layer and on the Redis layer (``channels_redis``; skipped
without REDIS_URL, a failure with ERPSYS_REQUIRE_SERVICES=1). The kernel runs in real, committed
transactions (``transactional_db``): a push is sent by ``transaction.on_commit``.
"""

from __future__ import annotations

import itertools
import json
import os
import time
import uuid
from types import SimpleNamespace

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from django.apps import apps
from django.db import transaction
from django.test import Client

from kernel import live, services
from kernel.models import Process

pytestmark = pytest.mark.django_db(transaction=True)

SECOND = 3.0  # generous receive timeout on a loaded machine (the push itself takes milliseconds)


@pytest.fixture(params=["memory", pytest.param("redis", marks=pytest.mark.redis)])
def layer(request, settings):
    """The channel layer of the test: in-memory, or Redis with a prefix of its own."""
    from channels.layers import channel_layers

    if request.param == "memory":
        settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    else:
        settings.CHANNEL_LAYERS = {
            "default": {
                "BACKEND": "channels_redis.core.RedisChannelLayer",
                "CONFIG": {
                    "hosts": [os.environ["REDIS_URL"]],
                    "prefix": f"erpsys-test-{uuid.uuid4().hex[:8]}",
                },
            }
        }
    channel_layers.backends.clear()
    yield request.param
    channel_layers.backends.clear()


@pytest.fixture
def clinic(transactional_db, clinic_spec_dir) -> SimpleNamespace:
    from django.contrib.auth import get_user_model

    from core.models import Tenant
    from design.publish import revision_publish
    from design.services import spec_load
    from kernel.models import Operator

    spec_load(folder=clinic_spec_dir)
    revision_publish(tenant="clinic")
    customer = apps.get_model("clinic", "Customer").objects.create(
        label="张女士", full_name="张女士", phone="13800000000", medical_record_number="MR-1"
    )
    other = apps.get_model("clinic", "Customer").objects.create(
        label="李先生", full_name="李先生", phone="13900000000", medical_record_number="MR-2"
    )
    shop, _ = Tenant.objects.get_or_create(name="repair_shop", defaults={"label": "shop"})
    outsider = Operator.objects.create(
        tenant=shop,
        user=get_user_model().objects.create_user(username="shop.ana"),
        name="ana",
        label="ana",
    )
    device = apps.get_model("repair_shop", "Customer").objects.create(
        label="Ana", full_name="Ana", phone="+4912345678"
    )

    def operator(name: str) -> Operator:
        return Operator.objects.select_related("user").get(tenant__name="clinic", name=name)

    return SimpleNamespace(
        customer=customer, other=other, outsider=outsider, shop_row=device, operator=operator
    )


def start_profile(clinic, operator) -> Process:
    """Start the clinic's 维护客户档案 on the test customer (one committed transaction)."""
    return services.process_start(
        tenant="clinic", program="maintain_profile", entity=clinic.customer, operator=operator
    )


def cookie_of(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


def socket(path: str, cookie: str | None = None):
    """A communicator on the real ASGI application, signed in with ``cookie`` (see cookie_of)."""
    from channels.testing import WebsocketCommunicator

    from erpsys.asgi import application

    headers = [(b"origin", b"http://testserver"), (b"host", b"testserver")]
    if cookie is not None:
        headers.append((b"cookie", f"sessionid={cookie}".encode()))
    return WebsocketCommunicator(application, path, headers=headers)


def entity_path(row, tenant: str = "clinic") -> str:
    return f"/ws/{tenant}/entity/{row.erpsys_id}/"


async def opened(communicator):
    connected, _ = await communicator.connect(timeout=SECOND)
    assert connected
    return communicator


async def closed_with(communicator) -> int:
    connected, _ = await communicator.connect(timeout=SECOND)
    assert connected  # accepted, then closed with a code the browser can read
    message = await communicator.receive_output(timeout=SECOND)
    assert message["type"] == "websocket.close"
    await communicator.wait()
    return message["code"]


async def pushed(communicator) -> set[int]:
    message = await communicator.receive_json_from(timeout=SECOND)
    assert message["type"] == "tasks.changed"
    return set(message["pids"])


async def collected(communicator, expected: set[int]) -> set[int]:
    """Pushes until ``expected`` were all named (system actions run in transactions of their own,
    after the operator's, and may come as a push of their own); a missing pid times out."""
    seen: set[int] = set()
    while not expected <= seen:
        seen |= await pushed(communicator)
    return seen


async def nothing(*communicators, timeout: float = 0.3) -> None:
    for communicator in communicators:
        assert await communicator.receive_nothing(timeout=timeout), "unexpected push"


def run(coroutine_function):
    async_to_sync(coroutine_function)()


def do(call, *args, **kwargs):
    """A kernel call in a committed transaction, off the event loop."""
    return sync_to_async(call, thread_sensitive=True)(*args, **kwargs)


# --- the gate ---------------------------------------------------------------------------------


def test_a_socket_without_login_is_closed_with_4401(clinic, layer):
    async def body():
        assert await closed_with(socket("/ws/clinic/tasks/")) == 4401
        assert await closed_with(socket(entity_path(clinic.customer))) == 4401

    run(body)


def test_another_tenants_operator_and_entity_are_refused(clinic, layer):
    xiaolin = cookie_of(clinic.operator("xiaolin").user)
    ana = cookie_of(clinic.outsider.user)

    async def body():
        assert await closed_with(socket("/ws/clinic/tasks/", ana)) == 4403
        assert await closed_with(socket(entity_path(clinic.customer), ana)) == 4403
        # a clinic operator asking for a repair shop row through the clinic: no such entity
        assert await closed_with(socket(entity_path(clinic.shop_row), xiaolin)) == 4404
        assert await closed_with(socket("/ws/repair_shop/tasks/", xiaolin)) == 4403
        assert await closed_with(socket("/ws/nowhere/tasks/", xiaolin)) == 4404
        assert await closed_with(socket(f"/ws/clinic/entity/{uuid.uuid4()}/", xiaolin)) == 4404

    run(body)


# --- who hears what ---------------------------------------------------------------------------


def test_a_task_change_reaches_its_operator_roles_and_entity_and_no_one_else(clinic, layer):
    xiaolin, xiaozhou, dr_wang = (clinic.operator(n) for n in ("xiaolin", "xiaozhou", "dr_wang"))
    cookies = {o.name: cookie_of(o.user) for o in (xiaolin, xiaozhou, dr_wang, clinic.outsider)}

    async def body():
        mine = await opened(socket("/ws/clinic/tasks/", cookies["xiaolin"]))
        colleague = await opened(socket("/ws/clinic/tasks/", cookies["xiaozhou"]))  # same role
        doctor = await opened(socket("/ws/clinic/tasks/", cookies["dr_wang"]))  # another role
        page = await opened(socket(entity_path(clinic.customer), cookies["xiaolin"]))
        other_page = await opened(socket(entity_path(clinic.other), cookies["xiaolin"]))
        shop = await opened(socket("/ws/repair_shop/tasks/", cookies["ana"]))

        # A public task of receptionist/nurse/manager on 张女士: her page and the role hear it.
        job = await do(start_profile, clinic, xiaolin)
        for communicator in (mine, colleague, page):
            assert job.pk in await pushed(communicator)
        await nothing(doctor, other_page, shop)

        # Claimed: it leaves the public list of the role (the colleague hears it) ...
        await do(services.task_claim, process=job, operator=xiaolin)
        for communicator in (mine, colleague, page):
            assert await pushed(communicator) == {job.pk}
        await nothing(doctor, other_page, shop)

        # ... then it is xiaolin's own: suspending it concerns her and the page only.
        await do(services.task_suspend, process=job, operator=xiaolin)
        for communicator in (mine, page):
            assert await pushed(communicator) == {job.pk}
        await nothing(colleague, doctor, shop)

        # Shifted to xiaozhou: the previous and the new operator both hear it.
        await do(services.task_resume, process=job, operator=xiaolin)
        assert await pushed(mine) == {job.pk}
        assert await pushed(page) == {job.pk}
        await do(services.task_shift, process=job, operator=xiaolin, to_operator=xiaozhou)
        for communicator in (mine, colleague, page):
            assert await pushed(communicator) == {job.pk}
        await nothing(doctor, shop)

        # Completed by xiaozhou: the colleague and the page; xiaolin no longer has it.
        await do(services.task_complete, process=job, operator=xiaozhou)
        for communicator in (colleague, page):
            assert job.pk in await pushed(communicator)
        await nothing(mine, doctor, other_page, shop)

        for communicator in (mine, colleague, doctor, page, other_page, shop):
            await communicator.disconnect()

    run(body)


def test_cancel_and_a_sub_program_start_push(clinic, layer):
    """Suspend, cancel, a program's steps, a called sub-program and the one-UPDATE cancel of a
    program's members: every write path of the kernel reaches the entity's page."""
    xiaolin, dr_wang, manager = (
        clinic.operator(n) for n in ("xiaolin", "dr_wang", "manager_zhang")
    )

    cookie = cookie_of(xiaolin.user)
    nurse_cookie = cookie_of(clinic.operator("nurse_li").user)

    async def body():
        page = await opened(socket(entity_path(clinic.customer), cookie))
        nurse = await opened(socket("/ws/clinic/tasks/", nurse_cookie))

        # face_assessment: claimed, suspended, then cancelled by the manager who supervises.
        face = await do(
            services.process_start,
            tenant="clinic",
            program="face_assessment",
            entity=clinic.customer,
            operator=dr_wang,
        )
        assert face.pk in await pushed(page)
        await do(services.task_claim, process=face, operator=dr_wang)
        assert await pushed(page) == {face.pk}
        await do(services.task_suspend, process=face, operator=dr_wang)
        assert await pushed(page) == {face.pk}
        await do(services.task_cancel, process=face, operator=manager)
        assert await pushed(page) == {face.pk}
        await nothing(nurse)  # never a public task of the nurses

        # customer_service: its first step, then the appointment's reminder calls the reception
        # sub-program, which starts arrival_confirmation.
        program = await do(
            services.process_start,
            tenant="clinic",
            program="customer_service",
            entity=clinic.customer,
            operator=xiaolin,
        )
        first = await do(lambda: Process.objects.get(root=program, service__name="new_appointment"))
        await collected(page, {program.pk, first.pk})
        service_item = await do(
            lambda: (
                apps.get_model("kernel", "Service").objects.filter(tenant__name="clinic").first()
            )
        )
        data = {
            "full_name": "张女士",
            "phone": "13800000000",
            "service_item": service_item.pk,
            "scheduled_at": "2026-12-01T10:00:00+08:00",
        }
        await do(services.task_complete, process=first, operator=xiaolin, data=data)
        reminder = await do(
            lambda: Process.objects.get(root=program, service__name="arrival_reminder")
        )
        await collected(page, {first.pk, reminder.pk})
        await do(
            services.task_complete,
            process=reminder,
            operator=xiaolin,
            data={"full_name": "张女士", "scheduled_at": "2026-12-01T10:00:00+08:00"},
        )
        reception = await do(lambda: Process.objects.get(root=program, service__name="reception"))
        confirmation = await do(
            lambda: Process.objects.get(root=program, service__name="arrival_confirmation")
        )
        await collected(page, {reminder.pk, reception.pk, confirmation.pk})

        # Cancelling the program takes every live member with it in one UPDATE; all are named.
        await do(services.task_cancel, process=program, operator=manager)
        await collected(page, {program.pk, reception.pk, confirmation.pk})
        states = await do(
            lambda: set(
                Process.objects.filter(pk__in=(program.pk, confirmation.pk)).values_list(
                    "state", flat=True
                )
            )
        )
        assert states == {"TERMINATED"}

        await page.disconnect()
        await nurse.disconnect()

    run(body)


# --- bursts -----------------------------------------------------------------------------------


def test_one_transaction_touching_many_tasks_is_one_push(clinic, layer):
    xiaolin = clinic.operator("xiaolin")

    def five_starts() -> list[int]:
        with transaction.atomic():
            return [start_profile(clinic, xiaolin).pk for _ in range(5)]

    cookie = cookie_of(xiaolin.user)

    async def body():
        board = await opened(socket("/ws/clinic/tasks/", cookie))
        page = await opened(socket(entity_path(clinic.customer), cookie))
        pids = await do(five_starts)
        assert await pushed(board) == set(pids)
        assert await pushed(page) == set(pids)
        await nothing(board, page)
        await board.disconnect()
        await page.disconnect()

    run(body)


def test_many_transactions_within_the_window_are_one_push(clinic, layer):
    xiaolin = clinic.operator("xiaolin")
    jobs = [start_profile(clinic, xiaolin) for _ in range(6)]

    def six_commits() -> None:
        for job in jobs:  # six transactions back to back, each saving one process row
            with transaction.atomic():
                job.priority = 3
                job.save(update_fields=["priority"])

    cookie = cookie_of(xiaolin.user)

    async def body():
        board = await opened(socket("/ws/clinic/tasks/", cookie))
        await do(six_commits)
        assert await pushed(board) == {job.pk for job in jobs}
        await nothing(board)
        await board.disconnect()

    run(body)


# --- the kernel side, without sockets ---------------------------------------------------------


@pytest.fixture
def published(monkeypatch):
    calls: list[dict[str, set[int]]] = []
    monkeypatch.setattr(live, "publish", lambda groups: calls.append(groups))
    return calls


def test_one_message_per_group_per_transaction_and_none_on_rollback(clinic, published, settings):
    xiaolin = clinic.operator("xiaolin")
    tenant_id = xiaolin.tenant_id
    with transaction.atomic():
        jobs = [start_profile(clinic, xiaolin) for _ in range(3)]
        services.task_claim(process=jobs[0], operator=xiaolin)
        assert published == []  # nothing before the commit
    assert len(published) == 1
    groups = published[0]
    pids = {job.pk for job in jobs}
    assert groups[live.role_group(tenant_id, "receptionist")] == pids
    assert groups[live.role_group(tenant_id, "nurse")] == pids
    assert groups[live.operator_group(tenant_id, xiaolin.pk)] == {jobs[0].pk}
    customer_type = jobs[0].entity_type_id
    assert groups[live.entity_group(tenant_id, customer_type, clinic.customer.pk)] == pids
    assert live.role_group(tenant_id, "doctor") not in groups

    published.clear()
    with pytest.raises(RuntimeError), transaction.atomic():
        services.task_claim(process=jobs[1], operator=xiaolin)
        raise RuntimeError("rolled back")
    assert published == []

    settings.ERPSYS = {**settings.ERPSYS, "LIVE": False}
    services.task_claim(process=jobs[1], operator=xiaolin)
    assert published == []


def test_the_one_statement_writes_are_announced(clinic, published):
    """``rows_update`` (the batched run's flush) and the one-UPDATE cancel name their rows."""
    from kernel.engine.cancel import descendants_cancel
    from kernel.engine.run import Run, rows_update

    xiaolin = clinic.operator("xiaolin")
    jobs = [start_profile(clinic, xiaolin) for _ in range(2)]
    published.clear()
    with transaction.atomic():
        for job in jobs:
            job.priority = 7
        rows_update(jobs, {"priority"})
    assert len(published) == 1
    assert set().union(*published[0].values()) == {job.pk for job in jobs}

    program = services.process_start(
        tenant="clinic", program="customer_service", entity=clinic.customer, operator=xiaolin
    )
    step = Process.objects.get(root=program, service__name="new_appointment")
    published.clear()
    with transaction.atomic():
        assert descendants_cancel(Run(), program) == [step.pk]
    assert len(published) == 1
    assert step.pk in set().union(*published[0].values())


def test_a_supervisor_hears_every_task_of_the_roles_he_supervises(clinic, layer):
    """The Team tab: the manager supervises receptionists, so a task a receptionist has claimed
    (off the role's public list) still reaches his board; a doctor's socket hears nothing."""
    xiaolin, manager, dr_wang = (
        clinic.operator(n) for n in ("xiaolin", "manager_zhang", "dr_wang")
    )
    cookies = {o.name: cookie_of(o.user) for o in (xiaolin, manager, dr_wang)}

    async def body():
        team = await opened(socket("/ws/clinic/tasks/", cookies["manager_zhang"]))
        doctor = await opened(socket("/ws/clinic/tasks/", cookies["dr_wang"]))
        job = await do(start_profile, clinic, xiaolin)
        assert job.pk in await collected(team, {job.pk})
        await do(services.task_claim, process=job, operator=xiaolin)
        await do(services.task_suspend, process=job, operator=xiaolin)
        assert job.pk in await collected(team, {job.pk})
        await nothing(doctor)
        for communicator in (team, doctor):
            await communicator.disconnect()

    run(body)


class _RecordingLayer:
    """A channel layer that records the relay's group_sends, with their times."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, dict, float]] = []

    async def group_send(self, group: str, message: dict) -> None:
        self.sent.append((group, message, time.monotonic()))


def _wait_for(condition, seconds: float = 5.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.002)


def test_the_relay_sends_at_once_when_idle_and_merges_a_stream_without_splitting_a_burst():
    """Under a stream of commits the relay merges what queued (far fewer messages than commits,
    none lost), and its drains come closer together than the sockets' quiet time, so the stream
    is still one burst, one push, for a socket."""
    import queue
    import threading

    from kernel import live_relay

    layer = _RecordingLayer()
    inbox: queue.SimpleQueue = queue.SimpleQueue()
    gap = live.send_gap()
    quiet = live.quiet_and_window()[0]
    assert 0 < gap < quiet
    relay = threading.Thread(target=live_relay.forward, args=(inbox, layer, gap))
    relay.start()

    start = time.monotonic()
    inbox.put({"erpsys.1.op.1": [1]})
    _wait_for(lambda: layer.sent)
    assert layer.sent and layer.sent[0][2] - start < gap  # idle: sent at once

    time.sleep(gap * 2)  # idle again
    layer.sent.clear()
    pids = range(2, 62)
    put_at = []
    for pid in pids:  # a stream of commits, 60 in about 120 ms
        put_at.append(time.monotonic())
        inbox.put({"erpsys.1.op.1": [pid], f"erpsys.1.entity.9.{pid}": [pid]})
        time.sleep(0.002)
    inbox.put(live_relay._END)
    relay.join(5)
    assert not relay.is_alive()  # its input ended: it sent what it held and stopped

    operator_sends = [(m, at) for g, m, at in layer.sent if g == "erpsys.1.op.1"]
    assert {p for m, _ in operator_sends for p in m["pids"]} == set(pids)  # none lost
    assert len(operator_sends) <= len(pids) / 3  # merged
    gaps = [b - a for (_, a), (_, b) in itertools.pairwise(operator_sends)]
    # The socket sees one burst: the relay adds no pause the stream itself did not have (on a
    # loaded machine this whole process can stall for longer than the quiet time, commits too).
    stream_pause = max(b - a for a, b in itertools.pairwise(put_at))
    assert max(gaps) < max(quiet, stream_pause + gap)
    entity_sends = [g for g, _, _ in layer.sent if g.startswith("erpsys.1.entity.9.")]
    assert sorted(entity_sends) == sorted(f"erpsys.1.entity.9.{pid}" for pid in pids)


@pytest.mark.parametrize("layer", [pytest.param("redis", marks=pytest.mark.redis)], indirect=True)
def test_a_relay_that_died_is_started_again_and_the_push_arrives(clinic, layer):
    """The Redis push goes through this process's relay; killed, it is replaced at the next
    commit, and that commit's push still reaches the board."""
    xiaolin = clinic.operator("xiaolin")
    cookie = cookie_of(xiaolin.user)

    async def body():
        board = await opened(socket("/ws/clinic/tasks/", cookie))
        first = await do(start_profile, clinic, xiaolin)
        assert first.pk in await collected(board, {first.pk})
        relay = live._relay_instance.process
        relay.kill()
        relay.wait(5)
        second = await do(start_profile, clinic, xiaolin)
        assert second.pk in await collected(board, {second.pk})
        assert live._relay_instance.process.pid != relay.pid
        await board.disconnect()

    run(body)


def test_a_huge_transaction_reaches_the_relay_in_whole_lines_of_at_most_4096_bytes():
    """A pipe write of at most PIPE_BUF bytes is whole or nothing: a cancel of 5,000 processes
    is split into such lines, and together they hold every pid of every group."""
    groups = {
        "erpsys.1.op.7": set(range(10**17, 10**17 + 5000)),
        "erpsys.1.entity.3.4": {1, 2, 3},
    }
    out = live.lines(groups)
    assert len(out) > 1 and all(len(line) <= 4096 and line.endswith(b"\n") for line in out)
    joined: dict[str, set[int]] = {}
    for line in out:
        for group, pids in json.loads(line).items():
            joined.setdefault(group, set()).update(pids)
    assert joined == groups
    assert live.lines({"erpsys.1.op.7": {5, 3}}) == [b'{"erpsys.1.op.7": [3, 5]}\n']


@pytest.mark.redis
def test_the_relay_sends_only_to_groups_that_have_a_member():
    """A drain asks Redis once which of its groups have a member and sends to those alone; a
    group whose last member left gets nothing; when Redis cannot answer, every group is tried."""
    import asyncio

    from channels_redis.core import RedisChannelLayer

    from kernel import live_relay

    layer = RedisChannelLayer(
        hosts=[os.environ["REDIS_URL"]], prefix=f"erpsys-test-{uuid.uuid4().hex[:8]}"
    )
    watched, unwatched = "erpsys.1.op.1", "erpsys.1.op.2"
    groups = {watched: {3, 1}, unwatched: {4}}

    async def body():
        channel = await layer.new_channel()
        await layer.group_add(watched, channel)
        assert await live_relay.listened(layer, groups) == [watched]
        await live_relay.send(layer, groups)
        assert await layer.receive(channel) == {"type": "tasks.changed", "pids": [1, 3]}
        await layer.group_discard(watched, channel)
        assert await live_relay.listened(layer, groups) == []
        await layer.flush()

    asyncio.run(body())

    unreachable = RedisChannelLayer(hosts=["redis://127.0.0.1:1"])
    assert asyncio.run(live_relay.listened(unreachable, groups)) == [watched, unwatched]
    memory = live_relay.layer_from({"BACKEND": "channels.layers.InMemoryChannelLayer"})
    assert asyncio.run(live_relay.listened(memory, groups)) == [watched, unwatched]
