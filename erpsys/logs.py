"""Log lines written off the caller's path: a queue in front of the stderr handler.

Formatting a JSON line and writing it costs more than most of the work it reports (a kernel
step logs one line per state change). ``BackgroundStderrHandler`` only puts the record on a
queue; a ``logging.handlers.QueueListener`` thread formats and writes it, so a request or a
worker spends its time on its own work and the thread uses the time the caller waits on the
database. Lines keep their order. At exit the thread writes what is queued; a forked child
(a Celery pool process, a server worker) starts its own thread and queue.
"""

from __future__ import annotations

import atexit
import copy
import logging
import logging.handlers
import os
import queue
import weakref


class BackgroundStderrHandler(logging.handlers.QueueHandler):
    """A ``QueueHandler`` whose listener writes to stderr with this handler's formatter."""

    def __init__(self) -> None:
        self.target = logging.StreamHandler()
        super().__init__(queue.SimpleQueue())
        self.listener: logging.handlers.QueueListener | None = None
        self.closed = False
        self._listen()
        atexit.register(self.close)
        handler = weakref.ref(self)
        os.register_at_fork(after_in_child=lambda: _restart(handler))

    def setFormatter(self, fmt: logging.Formatter | None) -> None:  # noqa: N802 - logging's name
        """The formatter belongs to the writing handler; the queued record is only prepared."""
        self.target.setFormatter(fmt)

    def prepare(self, record: logging.LogRecord) -> logging.LogRecord:
        """A copy the thread can format later: the message merged with its arguments now, an
        exception as its traceback text, every ``extra`` attribute kept."""
        record = copy.copy(record)
        record.message = record.getMessage()
        record.msg = record.message
        record.args = None
        if record.exc_info:
            if not record.exc_text:
                record.exc_text = logging.Formatter().formatException(record.exc_info)
            record.exc_info = None
        return record

    def _listen(self) -> None:
        self.listener = logging.handlers.QueueListener(self.queue, self.target)
        self.listener.start()

    def close(self) -> None:
        """Write what is queued and stop the thread (idempotent)."""
        if not self.closed:
            self.closed = True
            if self.listener is not None:
                self.listener.stop()
                self.listener = None
            self.target.close()
        super().close()


def _restart(ref: weakref.ref) -> None:
    """In a forked child: the parent's thread is gone and its queue's state is unknown."""
    handler = ref()
    if handler is not None and not handler.closed:
        handler.queue = queue.SimpleQueue()
        handler._listen()
