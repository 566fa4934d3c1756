"""Signal receivers: saving the record of a RUNNING task completes the task."""

from __future__ import annotations

from django.db.models.signals import post_save
from django.dispatch import receiver

from kernel.engine.run import is_engine_saving


def _is_record(instance) -> bool:
    try:
        from applications.base.models import RecordModel
    except ImportError:  # pragma: no cover - the applications helper's base is not there
        return hasattr(instance, "pid_id")
    return isinstance(instance, RecordModel)


@receiver(post_save, dispatch_uid="kernel.record_saved")
def record_post_save(sender, instance, created: bool, raw: bool = False, **kwargs) -> None:
    """Complete the RUNNING task a record belongs to (``pid``), unless the engine itself saved it."""
    if (
        raw
        or is_engine_saving()
        or not _is_record(instance)
        or getattr(instance, "pid_id", None) is None
    ):
        return
    from kernel.services import record_saved

    record_saved(record=instance)


def process_post_save(
    sender, instance, created: bool = False, raw: bool = False, using=None, **kwargs
) -> None:
    """Every saved process row is announced to the live task lists after the commit; a new one
    is a ``create`` kernel event (``kernel.observe``)."""
    if raw:
        return
    from kernel import live, observe

    live.note(instance, using)
    if created:
        observe.created([instance], using)


def _connect_process_post_save() -> None:
    from kernel.models import Process

    post_save.connect(process_post_save, sender=Process, dispatch_uid="kernel.process_live")


_connect_process_post_save()
