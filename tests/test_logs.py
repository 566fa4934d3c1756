"""erpsys.logs: log lines are formatted and written by a thread, complete and in order."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

from erpsys.logs import BackgroundStderrHandler

ROOT = Path(__file__).resolve().parent.parent


def run_python(code: str) -> subprocess.CompletedProcess:
    """``code`` in a fresh interpreter with the project's settings (its stderr is the log)."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "erpsys.settings", "LOG_FORMAT": "json"}
    env.pop("LOG_LEVEL", None)
    prelude = "import django, logging, os, sys\ndjango.setup()\n"
    return subprocess.run(
        [sys.executable, "-c", prelude + textwrap.dedent(code)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )


def json_lines(stderr: str) -> list[dict]:
    return [json.loads(line) for line in stderr.splitlines() if line.startswith("{")]


def test_every_line_is_written_in_order_with_its_fields_when_the_process_exits():
    result = run_python(
        """
        log = logging.getLogger("kernel.events")
        for pid in range(500):
            log.info("kernel transition", extra={"pid": pid, "to_state": "RUNNING"})
        try:
            1 / 0
        except ZeroDivisionError:
            log.exception("failed %s", "badly")
        """
    )
    lines = json_lines(result.stderr)
    transitions = [line for line in lines if line["message"] == "kernel transition"]
    assert [line["pid"] for line in transitions] == list(range(500))
    assert {line["to_state"] for line in transitions} == {"RUNNING"}
    assert transitions[0]["logger"] == "kernel.events" and transitions[0]["level"] == "INFO"
    failure = lines[-1]
    assert failure["message"] == "failed badly"
    assert "ZeroDivisionError" in failure["exc_info"]


def test_a_forked_child_writes_its_own_lines():
    result = run_python(
        """
        log = logging.getLogger("erpsys.test")
        log.warning("parent before fork")
        child = os.fork()
        if child == 0:
            for n in range(50):
                log.warning("child line %d", n)
            sys.exit(0)
        os.waitpid(child, 0)
        log.warning("parent after fork")
        """
    )
    messages = [line["message"] for line in json_lines(result.stderr)]
    assert [m for m in messages if m.startswith("child")] == [f"child line {n}" for n in range(50)]
    assert "parent before fork" in messages and "parent after fork" in messages


def test_the_caller_does_not_format_the_line():
    formatted_in: list[str] = []

    class Recording(logging.Formatter):
        def format(self, record: logging.LogRecord) -> str:
            formatted_in.append(threading.current_thread().name)
            return super().format(record)

    handler = BackgroundStderrHandler()
    handler.setFormatter(Recording("%(message)s"))
    logger = logging.getLogger("erpsys.test.background")
    logger.propagate = False
    logger.addHandler(handler)
    try:
        logger.warning("one line")
    finally:
        logger.removeHandler(handler)
        handler.close()  # writes what is queued
    assert formatted_in and threading.main_thread().name not in formatted_in
