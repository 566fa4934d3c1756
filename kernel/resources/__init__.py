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
from kernel.resources.ledger import balance_of, ledger_mismatches
from kernel.resources.stock import low_stock, may_adjust, stock_adjust
from kernel.resources.sync import resources_sync

__all__ = [
    "CAPACITY_KINDS",
    "CONSUMABLE_KINDS",
    "allocate",
    "available",
    "balance_of",
    "ledger_mismatches",
    "low_stock",
    "may_adjust",
    "release",
    "requirements_of",
    "resources_sync",
    "stock_adjust",
    "waiting_for",
]
