"""System actions: the platform code a ``kind: system`` service runs, registered by name."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.apps import apps
from django.conf import settings
from django.utils.module_loading import import_string

from kernel.errors import KernelError, KernelErrorCode

log = logging.getLogger(__name__)

Action = Callable[[Any], None]
_REGISTRY: dict[str, Action] = {}
# What built-in actions would have sent (no external calls are made): (action, pid, payload).
OUTBOX: list[tuple[str, int, dict[str, Any]]] = []


def register_action(name: str) -> Callable[[Action], Action]:
    """Decorator: register ``callable(process)`` as the system action ``name``."""

    def decorator(func: Action) -> Action:
        _REGISTRY[name] = func
        return func

    return decorator


def unregister_action(name: str) -> None:
    """Remove a registered action (tests)."""
    _REGISTRY.pop(name, None)


def action_names() -> set[str]:
    """Every action name known: registered ones and settings.ERPSYS["ACTIONS"]."""
    return set(_REGISTRY) | set((settings.ERPSYS.get("ACTIONS") or {}).keys())


def action_get(name: str) -> Action:
    """The action called ``name``; settings.ERPSYS["ACTIONS"] (dotted paths) wins over the registry."""
    configured = (settings.ERPSYS.get("ACTIONS") or {}).get(name)
    if configured:
        return import_string(configured)
    try:
        return _REGISTRY[name]
    except KeyError:
        raise KernelError(
            KernelErrorCode.ACTION_NOT_REGISTERED,
            f"no system action {name!r} is registered (register_action or settings.ERPSYS['ACTIONS'])",
            action=name,
        ) from None


def record_write(process, **values: Any):
    """Create or update the process's record with the given values (only fields the model has)."""
    from kernel.engine.run import engine_saving

    label = process.service.record if process.service else None
    if not label:
        return None
    model = apps.get_model(label)
    names = {f.name for f in model._meta.concrete_fields}
    record = model._default_manager.filter(pid=process.pk).first() if "pid" in names else None
    if record is None:
        record = model()
        if "pid" in names:
            record.pid_id = process.pk
        if "master" in names and process.entity_id is not None:
            record.master_id = process.entity_id
    for key, value in values.items():
        if key in names:
            setattr(record, key, value)
    with engine_saving():
        record.save()
    process.record_type_id = _content_type_id(model)
    process.record_id = record.pk
    process.save(update_fields=["record_type", "record_id"])
    return record


def _content_type_id(model) -> int:
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_model(model).pk


def _outbox(name: str, process, **payload: Any) -> None:
    OUTBOX.append((name, process.pk, payload))
    log.info("system action %s for process %s: %s", name, process.pk, payload)


@register_action("notify_customer")
def notify_customer(process) -> None:
    """Tell the customer their device is ready: writes the Notification record, ``sent=True``."""
    message = "Your device is ready for pick-up."
    _outbox("notify_customer", process, message=message)
    record_write(process, channel="sms", message=message, sent=True, label=message[:40])


@register_action("send_wecom_notification")
def send_wecom_notification(process) -> None:
    """Record the WeCom message that would be sent (no external call)."""
    _outbox("send_wecom_notification", process, service=process.service.name)
    record_write(process, sent=True, label="WeCom")


@register_action("remind_appointment")
def remind_appointment(process) -> None:
    """Record the appointment reminder that would be sent."""
    _outbox("remind_appointment", process, scheduled_time=str(process.scheduled_time))
    record_write(process, reminded=True, label="appointment reminder")


@register_action("remind_follow_up")
def remind_follow_up(process) -> None:
    """Record the follow-up reminder that would be sent."""
    _outbox("remind_follow_up", process)
    record_write(process, sent=True, label="follow-up reminder")


@register_action("user_login")
def user_login(process) -> None:
    """Record a sign-in (the login itself happened in the web layer)."""
    _outbox("user_login", process)
    record_write(process, checked_in=True, label="login")
