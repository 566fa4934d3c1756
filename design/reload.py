"""Tell the development server that the set of generated apps changed.

Django's autoreloader (``runserver``) restarts when a file it watches changes, but it only watches
modules already imported: a brand-new ``generated/<tenant>/`` is never seen. The designer's
generate step touches ``GENERATED_DIR/__init__.py`` when it writes an app this process does not
run (a new tenant); the autoreloader watches that file (``DesignConfig.ready``), so the
development server restarts and ``settings.discover_generated_apps`` installs the new app.
Under gunicorn (``manage.py serve``) nothing watches it: restart the service (docs/designer.md).
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
    """Touch the stamp file (its bytes stay the same); False when there is none."""
    stamp = stamp_file()
    if not stamp.is_file():
        return False
    os.utime(stamp)
    return True
