"""Suite-wide fixtures and the rule for real services.

Tests marked ``postgres`` need ``DATABASE_URL`` pointing at PostgreSQL; tests
marked ``redis`` need ``REDIS_URL``; tests marked ``browser`` need Chromium at
/usr/bin/chromium. Without the service they are skipped, and say why; with
``ERPSYS_REQUIRE_SERVICES=1`` a missing service is a failure instead.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
SHARED_DIR = REPO_ROOT.parent / "shared"
REPAIR_SHOP_SPEC = SHARED_DIR / "specs" / "repair_shop"
CLINIC_SPEC = REPO_ROOT / "meta_specs" / "clinic"
CHROMIUM = "/usr/bin/chromium"
FAST_HASHER = "django.contrib.auth.hashers.MD5PasswordHasher"


def pytest_configure(config):
    """A Celery queue of this run's own (the settings read CELERY_QUEUE; workers the tests
    start inherit it): a worker another run left behind, or another checkout's suite on the
    same Redis, cannot take this run's tasks. And a fast password hasher."""
    from django.conf import settings

    from erpsys.celery import app

    queue = os.environ.setdefault("CELERY_QUEUE", f"erpsys-test-{os.getpid()}")
    settings.CELERY_TASK_DEFAULT_QUEUE = app.conf.task_default_queue = queue
    # A fast password hasher, here and in every server and worker the tests start: PBKDF2 takes
    # 0.3 s a password on a small machine, and fixtures set thousands (Django's advice for tests).
    hashers = os.environ.setdefault("ERPSYS_PASSWORD_HASHERS", FAST_HASHER)
    settings.PASSWORD_HASHERS = hashers.split(",")
    from django.contrib.auth.hashers import reset_hashers

    reset_hashers(setting="PASSWORD_HASHERS")  # in case a hasher was looked up already


def services_required() -> bool:
    return os.environ.get("ERPSYS_REQUIRE_SERVICES", "") not in ("", "0", "false", "no")


def _postgres_problem() -> str | None:
    from django.conf import settings

    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        return "DATABASE_URL does not point at PostgreSQL"
    return None


def _redis_problem() -> str | None:
    url = os.environ.get("REDIS_URL", "")
    if not url:
        return "REDIS_URL is not set"
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except Exception as exc:  # noqa: BLE001 - any failure means the service is missing
        return f"Redis at REDIS_URL is unreachable: {exc}"
    return None


def _browser_problem() -> str | None:
    if not Path(CHROMIUM).exists():
        return f"Chromium is not installed at {CHROMIUM}"
    if shutil.which("node") is None and not _has_playwright():
        return "Playwright is not installed"
    return None


def _has_playwright() -> bool:
    try:
        import playwright  # noqa: F401
    except ImportError:
        return False
    return True


_PROBES = {"postgres": _postgres_problem, "redis": _redis_problem, "browser": _browser_problem}


def pytest_runtest_setup(item: pytest.Item) -> None:
    for marker, probe in _PROBES.items():
        if item.get_closest_marker(marker) is None:
            continue
        problem = probe()
        if problem is None:
            continue
        if services_required():
            pytest.fail(f"ERPSYS_REQUIRE_SERVICES=1 but {problem}", pytrace=False)
        pytest.skip(problem)


def pytest_sessionstart(session: pytest.Session) -> None:
    """With ERPSYS_REQUIRE_SERVICES=1, refuse to start at all when a service is missing."""
    if not services_required():
        return
    import django

    django.setup()
    problems = [p for p in (_postgres_problem(), _redis_problem()) if p]
    if problems:
        raise pytest.UsageError("ERPSYS_REQUIRE_SERVICES=1 but " + "; ".join(problems))


@pytest.fixture(autouse=True)
def celery_mode(request, settings):
    """Celery runs eagerly in tests, except in tests that use the real worker.

    With REDIS_URL set the project is not eager, but only tests that request
    ``celery_worker_process`` have a worker consuming the queue; every other test
    would enqueue into the void. Tests that care about eagerness itself can
    override ``settings.CELERY_TASK_ALWAYS_EAGER`` after this fixture ran.
    """
    from erpsys.celery import app

    eager = "celery_worker_process" not in request.fixturenames
    previous = app.conf.task_always_eager
    settings.CELERY_TASK_ALWAYS_EAGER = app.conf.task_always_eager = eager
    yield eager
    app.conf.task_always_eager = previous


@pytest.fixture
def repair_shop_spec_dir() -> Path:
    assert REPAIR_SHOP_SPEC.is_dir(), (
        f"the shared repair_shop spec is missing at {REPAIR_SHOP_SPEC}"
    )
    return REPAIR_SHOP_SPEC


@pytest.fixture
def clinic_spec_dir() -> Path:
    return CLINIC_SPEC
