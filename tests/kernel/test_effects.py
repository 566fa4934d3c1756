"""effect_once: a key is claimed once, with the caller's transaction, even under concurrency."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction

from kernel.effects import effect_done, effect_key, effect_once
from kernel.models import Effect


@pytest.mark.django_db
def test_first_claim_wins_then_false():
    key = effect_key(rule_id=7, pid=42, occurrence=3)
    assert key == "rule:7:proc:42:occ:3"
    assert effect_once(key=key) is True
    assert effect_once(key=key) is False
    assert effect_done(key=key)
    assert Effect.objects.filter(key=key).count() == 1


@pytest.mark.django_db
def test_duplicate_leaves_the_callers_transaction_usable():
    with transaction.atomic():
        assert effect_once(key="a")
        assert not effect_once(key="a")
        assert effect_once(key="b")  # would raise if the failed insert had broken the transaction
    assert set(Effect.objects.values_list("key", flat=True)) == {"a", "b"}


@pytest.mark.django_db
def test_key_rolls_back_with_the_effect():
    class Boom(Exception):
        pass

    with pytest.raises(Boom), transaction.atomic():
        assert effect_once(key="rolled")
        raise Boom
    assert not effect_done(key="rolled")
    assert effect_once(key="rolled") is True


@pytest.mark.django_db
def test_overlong_key_is_refused():
    with pytest.raises(ValueError):
        effect_once(key="k" * 256)


def _in_threads(count: int, body) -> list:
    results: list = [None] * count

    def run(i: int) -> None:
        try:
            results[i] = body(i)
        except BaseException as exc:  # noqa: BLE001 - surfaced by the caller's assertions
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return results


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_transactions_exactly_one_true():
    """The second insert blocks on the first's uncommitted row, then sees the duplicate."""
    first_inserted = threading.Event()

    def body(i: int) -> bool:
        with transaction.atomic():
            if i == 0:
                claimed = effect_once(key="rule:1:proc:1:occ:1")
                first_inserted.set()
                threading.Event().wait(0.5)  # hold the row uncommitted while the other tries
                return claimed
            assert first_inserted.wait(10)
            return effect_once(key="rule:1:proc:1:occ:1")

    assert _in_threads(2, body) == [True, False]
    assert Effect.objects.count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_waiter_wins_when_the_first_transaction_rolls_back():
    first_inserted = threading.Event()

    class Abort(Exception):
        pass

    def body(i: int) -> bool:
        if i == 0:
            try:
                with transaction.atomic():
                    effect_once(key="k")
                    first_inserted.set()
                    threading.Event().wait(0.5)
                    raise Abort
            except Abort:
                return False
        assert first_inserted.wait(10)
        with transaction.atomic():
            return effect_once(key="k")

    assert _in_threads(2, body) == [False, True]
    assert Effect.objects.count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_many_racers_one_winner():
    barrier = threading.Barrier(8)

    def body(i: int) -> bool:
        barrier.wait(10)
        with transaction.atomic():
            return effect_once(key="race")

    results = _in_threads(8, body)
    assert sorted(results) == [False] * 7 + [True]
