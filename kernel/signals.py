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
