"""Running Django in a subprocess over a temporary generated folder (the generated app is not
installed in the test process itself)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]


def subprocess_env(generated_dir: Path, database: Path) -> dict[str, str]:
    """Environment of a Django process that installs only the tenants under ``generated_dir``."""
    env = {
        **os.environ,
        "ERPSYS_GENERATED_DIR": str(generated_dir),
        "DATABASE_URL": f"sqlite:///{database}",
    }
    env.pop("ERPSYS_TEST_DB_NAME", None)
    return env


def run_python(code: str, *, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess:
    """``python -c code`` after django.setup(), with the repo importable."""
    prelude = (
        f"import sys; sys.path.insert(0, {str(REPO)!r}); import os;"
        " os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'erpsys.settings');"
        " import django; django.setup()\n"
    )
    return subprocess.run(
        [sys.executable, "-c", prelude + code],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
    )


def manage(*args: str, env: dict[str, str], cwd: Path | None = None) -> subprocess.CompletedProcess:
    """``manage.py args`` in a subprocess."""
    return subprocess.run(
        [sys.executable, str(REPO / "manage.py"), *args],
        env=env,
        cwd=cwd or REPO,
        capture_output=True,
        text=True,
        check=False,
    )
