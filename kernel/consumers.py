"""WebSocket consumers of the live task lists: ``/ws/<tenant>/tasks/`` and ``/ws/<tenant>/entity/<id>/``.

A socket belongs to a signed-in, active operator of the tenant in its URL (session auth, see
``erpsys/asgi.py``); anyone else's socket is accepted and closed at once with a code the browser
can read: 4401 (not signed in), 4403 (not an operator of this tenant), 4404 (no such tenant or
entity in this tenant). The tasks socket joins the operator's group and one group per role of
the operator; the entity socket joins the entity's group (see ``kernel.live``).

Group messages (``{"type": "tasks.changed", "pids": [...]}``, one per group per committed
transaction) are coalesced per socket: pids collect until no message came for the quiet time
(25 ms) or the window (100 ms) has passed since the first (``kernel.live.quiet_and_window``),
then ONE JSON message with all of them goes to the browser. A burst of transactions (one after
another within the window) is one push.
"""

from __future__ import annotations

import asyncio

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from kernel import live
from kernel.live_relay import message

CLOSE_UNAUTHENTICATED = 4401
CLOSE_FORBIDDEN = 4403
CLOSE_NOT_FOUND = 4404


def _operator_and_roles(user, tenant: str):
    """(operator, role names) of ``user`` in ``tenant``, or (None, close code)."""
    from applications.tenancy import operator_of
    from core.models import Tenant
    from kernel.services import operator_roles

    if not Tenant.objects.filter(name=tenant).exists():
        return None, CLOSE_NOT_FOUND
    operator = operator_of(user, tenant)
    if operator is None:
        return None, CLOSE_FORBIDDEN
    return operator, sorted(operator_roles(operator))


class _LiveConsumer(AsyncJsonWebsocketConsumer):
    """The gate, the group bookkeeping and the coalescing of both sockets."""

    groups: list[str]

    async def connect(self) -> None:
        self.groups = []
        self.pending: set[int] = set()
        self.first_at: float | None = None
        self.last_at = 0.0
        self.flusher: asyncio.Task | None = None
        self.loop = asyncio.get_running_loop()
        self.quiet, self.window = live.quiet_and_window()
        live.listening(self.loop, +1)
        self.counted = True
        user = self.scope.get("user")
        tenant = self.scope["url_route"]["kwargs"]["tenant"]
        if user is None or not user.is_authenticated:
            await self.refuse(CLOSE_UNAUTHENTICATED)
            return
        groups, code = await database_sync_to_async(self.resolve)(user, tenant)
        if groups is None:
            await self.refuse(code)
            return
        for group in groups:
            await self.channel_layer.group_add(group, self.channel_name)
        self.groups = groups
        await self.accept()

    def resolve(self, user, tenant: str) -> tuple[list[str] | None, int]:
        """The groups this socket joins, or (None, close code); runs in a thread (queries)."""
        raise NotImplementedError

    async def refuse(self, code: int) -> None:
        await self.accept()
        await self.close(code=code)

    async def disconnect(self, code: int) -> None:
        if getattr(self, "counted", False):
            live.listening(self.loop, -1)
            self.counted = False
        if self.flusher is not None:
            self.flusher.cancel()
        for group in getattr(self, "groups", ()):
            await self.channel_layer.group_discard(group, self.channel_name)

    async def receive_json(self, content, **kwargs) -> None:
        """The browser says nothing the server needs; a ping is answered."""
        if isinstance(content, dict) and content.get("type") == "ping":
            await self.send_json({"type": "pong"})

    async def tasks_changed(self, event: dict) -> None:
        """A group message: collect its pids; the flusher pushes them after the burst."""
        now = self.loop.time()
        self.pending.update(event.get("pids", ()))
        self.last_at = now
        if self.first_at is None:
            self.first_at = now
        if self.flusher is None or self.flusher.done():
            self.flusher = asyncio.ensure_future(self.flush_later())

    async def flush_later(self) -> None:
        while self.pending:  # what arrives while a push is being sent goes in the next one
            now = self.loop.time()
            due = min(self.last_at + self.quiet, self.first_at + self.window)
            if now < due:
                await asyncio.sleep(due - now)
                continue
            pids, self.pending, self.first_at = self.pending, set(), None
            await self.send_json(message(pids))


class TasksConsumer(_LiveConsumer):
    """``/ws/<tenant>/tasks/``: the operator's board (own tasks, public tasks of the roles, and
    every task of the roles the operator supervises: the Team tab)."""

    def resolve(self, user, tenant: str) -> tuple[list[str] | None, int]:
        from kernel.services import operator_supervises

        operator, found = _operator_and_roles(user, tenant)
        if operator is None:
            return None, found
        groups = [live.operator_group(operator.tenant_id, operator.pk)]
        groups += [live.role_group(operator.tenant_id, role) for role in found]
        groups += [
            live.team_group(operator.tenant_id, role)
            for role in sorted(operator_supervises(operator))
        ]
        return groups, 0


class EntityConsumer(_LiveConsumer):
    """``/ws/<tenant>/entity/<erpsys_id>/``: one entity's page (its tasks and history)."""

    def resolve(self, user, tenant: str) -> tuple[list[str] | None, int]:
        from django.contrib.contenttypes.models import ContentType
        from django.core.exceptions import ValidationError

        from kernel.errors import KernelError
        from kernel.selectors import entity_by_erpsys_id

        operator, found = _operator_and_roles(user, tenant)
        if operator is None:
            return None, found
        try:
            entity = entity_by_erpsys_id(
                tenant=tenant, erpsys_id=self.scope["url_route"]["kwargs"]["erpsys_id"]
            )
        except (KernelError, ValueError, ValidationError):
            return None, CLOSE_NOT_FOUND
        # A process may name the entity by its own model or by a parent (is_a) model: same pk.
        models = [type(entity), *type(entity)._meta.get_parent_list()]
        types = ContentType.objects.get_for_models(*models, for_concrete_models=False)
        groups = [
            live.entity_group(operator.tenant_id, content_type.pk, entity.pk)
            for content_type in types.values()
        ]
        return sorted(groups), 0
