"""The live push's relay: a small process that sends the kernel's group messages to a channel
layer other than the in-memory one (Redis), so that the committing process spends no time on it.

``kernel.live`` starts one relay per process that commits kernel changes (a web server worker, a
Celery worker child, a script), the first time it has something to send, as
``python -m kernel.live_relay`` with the channel layer's settings in the environment
(``ERPSYS_LIVE_LAYER``: the ``CHANNEL_LAYERS`` entry as JSON, ``ERPSYS_LIVE_GAP``: seconds). The
committing process writes one JSON line per drain of its queue to the relay's standard input:
``{"<group>": [pid, ...], ...}``. When that process ends, the relay's input closes and the relay
sends what it still holds and exits.

The relay's own loop (``forward``) merges what queued up while it was sending and sends ONE
``group_send`` per group per drain, to the groups that have a member (``listened``: one pipelined
question to Redis per drain). An idle relay sends at once; a busy one starts a drain at most
every ``gap`` seconds, so that under a stream of commits each group gets one message for several
commits, while the messages of one burst still arrive closer together than the sockets' quiet
time that merges them into one push (``kernel.live.send_gap``).

It imports no Django settings and no project code: only the layer's backend class.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import queue
import sys
import threading
import time
from importlib import import_module

logger = logging.getLogger("kernel.live")

MESSAGE_TYPE = "tasks.changed"
_END = None  # what the inbox gets when the input has closed


def message(pids) -> dict:
    """The group message (and, coalesced, the socket's JSON): ``{"type", "pids"}``."""
    return {"type": MESSAGE_TYPE, "pids": sorted(pids)}


async def send(layer, groups: dict[str, set[int]]) -> None:
    """One ``group_send`` per group that has a member; a failure is logged, never raised."""
    for group in await listened(layer, groups):
        pids = groups[group]
        try:
            await layer.group_send(group, message(pids))
        except Exception:  # noqa: BLE001 - a lost push must never stop the others
            logger.exception("live: group_send to %s failed", group)


async def listened(layer, groups) -> list[str]:
    """The groups of ``groups`` that have a member now.

    For the Redis layer (``channels_redis.core``) a group is a sorted set that exists while the
    group has members (it expires with them), so ONE pipelined ``EXISTS`` per Redis host tells
    which groups to send to; a ``group_send`` costs two round trips even to a group nobody
    watches. Other layers: every group (their ``group_send`` to nobody costs nothing more). When
    the question fails, every group (a push too many, never one lost).
    """
    key_of = getattr(layer, "_group_key", None)
    if key_of is None or not hasattr(layer, "consistent_hash"):
        return list(groups)
    by_host: dict[int, list[str]] = {}
    for group in groups:
        by_host.setdefault(layer.consistent_hash(group), []).append(group)
    out = []
    for index, names in by_host.items():
        try:
            pipe = layer.connection(index).pipeline(transaction=False)
            for name in names:
                pipe.exists(key_of(name))
            answers = await pipe.execute()
        except Exception:  # noqa: BLE001 - not knowing is no reason to lose a push
            logger.exception("live: asking which groups have members failed")
            out += names
            continue
        out += [name for name, count in zip(names, answers, strict=True) if count]
    return out


def merge_into(merged: dict[str, set[int]], groups: dict) -> None:
    for group, pids in groups.items():
        merged.setdefault(group, set()).update(pids)


def forward(inbox: queue.SimpleQueue, layer, gap: float) -> None:
    """Send what arrives in ``inbox`` (dicts of group -> pids) until it yields ``_END``."""
    loop = asyncio.new_event_loop()
    started = -gap
    try:
        while True:
            first = inbox.get()
            if first is _END:
                return
            wait = started + gap - time.monotonic()
            if wait > 0:  # sent a moment ago: more commits are coming, let them join this drain
                time.sleep(wait)
            started = time.monotonic()
            merged: dict[str, set[int]] = {}
            merge_into(merged, first)
            ended = False
            while True:  # whatever queued meanwhile goes out with it
                try:
                    more = inbox.get_nowait()
                except queue.Empty:
                    break
                if more is _END:
                    ended = True
                    break
                merge_into(merged, more)
            loop.run_until_complete(send(layer, merged))
            if ended:
                return
    finally:
        loop.close()


def layer_from(entry: dict):
    """A channel layer built from a ``CHANNEL_LAYERS`` entry, without Django's settings."""
    module, _, name = entry["BACKEND"].rpartition(".")
    return getattr(import_module(module), name)(**entry.get("CONFIG", {}))


def _read(stream, inbox: queue.SimpleQueue) -> None:
    for line in stream:
        try:
            inbox.put(json.loads(line))
        except ValueError:
            logger.error("live relay: an unreadable line was dropped")
    inbox.put(_END)


def main() -> None:
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    os.nice(int(os.environ.get("ERPSYS_LIVE_NICE", "10")))  # commits come first, pushes wait
    layer = layer_from(json.loads(os.environ["ERPSYS_LIVE_LAYER"]))
    inbox: queue.SimpleQueue = queue.SimpleQueue()
    reader = threading.Thread(target=_read, args=(sys.stdin, inbox), daemon=True)
    reader.start()
    forward(inbox, layer, float(os.environ["ERPSYS_LIVE_GAP"]))


if __name__ == "__main__":
    main()
