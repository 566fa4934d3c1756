"""Tell the servers that the generated code changed: the stamp file ``GENERATED_DIR/__init__.py``.

Django's autoreloader (``runserver``) restarts when a file it watches changes, but it only watches
modules already imported: a brand-new ``generated/<tenant>/`` is never seen. The designer's
generate step touches the stamp whenever it wrote code; the autoreloader watches it
(``DesignConfig.ready``), so the development server restarts and
``settings.discover_generated_apps`` installs a new app. In production the systemd path unit
``deploy/erpsys-reload.path`` watches the same file and restarts the web service and the Celery
workers (docs/operations.md), which a new app or changed models need.
"""

from __future__ import annotations

import os
from pathlib import Path

from django.conf import settings


def stamp_file() -> Path:
    return Path(settings.GENERATED_DIR) / "__init__.py"


def watch_generated_apps(sender, **kwargs) -> None:
    """``autoreload_started`` receiver: watch the stamp file (when there is one)."""
    stamp = stamp_file()
    if stamp.is_file():
        sender.extra_files.add(stamp.resolve())


def generated_apps_changed() -> bool:
    """Touch the stamp file (its bytes stay the same); False when there is none.

    Opened for writing and closed (what a systemd ``PathChanged=`` sees), and its mtime set
    (what the autoreloader compares).
    """
    stamp = stamp_file()
    if not stamp.is_file():
        return False
    with open(stamp, "a", encoding="utf-8"):
        pass
    os.utime(stamp)
    return True
