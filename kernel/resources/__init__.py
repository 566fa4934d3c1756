"""Resources and allocation: hold what a process needs atomically, release or consume it after."""

from kernel.resources.allocation import (
    CAPACITY_KINDS,
    CONSUMABLE_KINDS,
    allocate,
    available,
    release,
    requirements_of,
    waiting_for,
)
from kernel.resources.sync import resources_sync

__all__ = [
    "CAPACITY_KINDS",
    "CONSUMABLE_KINDS",
    "allocate",
    "available",
    "release",
    "requirements_of",
    "resources_sync",
    "waiting_for",
]
