"""Exactly-once side effects: claim an idempotency key in the transaction that does the effect."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from kernel.models.effect import Effect


def effect_key(*, rule_id: int | str, pid: int | str, occurrence: int | str) -> str:
    """The idempotency key of one rule firing for one process and event occurrence."""
    return f"rule:{rule_id}:proc:{pid}:occ:{occurrence}"


def effect_once(*, key: str) -> bool:
    """Insert ``key``; True the first time, False if it is already there (the effect was done).

    Call it inside the transaction that performs the effect: the key commits or rolls back
    with the effect. A savepoint isolates the unique violation so the caller's transaction
    stays usable. On PostgreSQL a concurrent transaction inserting the same key blocks until
    the first one ends, then gets False if it committed (True if it rolled back).
    """
    if len(key) > Effect._meta.get_field("key").max_length:
        raise ValueError(f"effect key longer than 255 characters: {key[:60]}...")
    try:
        with transaction.atomic():
            Effect.objects.create(key=key)
    except IntegrityError:
        return False
    return True


def effect_done(*, key: str) -> bool:
    """Whether ``key`` was already claimed (a read; never use it instead of ``effect_once``)."""
    return Effect.objects.filter(key=key).exists()
