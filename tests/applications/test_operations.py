"""Production operations: safe start-up, forged and stale tokens, brute force, limits, logs, metrics."""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import subprocess
import sys

import jwt
import pytest
from django.test import override_settings
from rest_framework.test import APIClient
from rest_framework.throttling import AnonRateThrottle

from tests.applications.conftest import PASSWORD
from tests.conftest import REPO_ROOT

# The key the settings used to fall back to: a token signed with it must never be accepted.
OLD_DEFAULT_KEY = "erpsys-insecure-development-key-change-me"
TENANT_API = "/clinic/api/"


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    environment = {**os.environ, **env}
    for name, value in env.items():
        if value is None:
            environment.pop(name, None)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=REPO_ROOT,
        env={k: v for k, v in environment.items() if v is not None},
        capture_output=True,
        text=True,
        timeout=120,
    )


# --- start-up ------------------------------------------------------------------------------


def test_no_secret_key_refuses_to_start_with_one_line(tmp_path):
    result = run_manage(
        "check", SECRET_KEY=None, SECRET_KEY_FILE=str(tmp_path / "missing"), DEBUG="0"
    )
    assert result.returncode == 1
    assert result.stderr.strip().startswith("erpsys: SECRET_KEY is missing")
    assert len(result.stderr.strip().splitlines()) == 1


def test_production_settings_need_the_key_in_the_environment():
    result = run_manage(
        "check", DJANGO_SETTINGS_MODULE="erpsys.settings_production", SECRET_KEY=None
    )
    assert result.returncode == 1
    assert "production settings need SECRET_KEY" in result.stderr


def test_check_deploy_is_clean_under_the_production_settings():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_SETTINGS_MODULE="erpsys.settings_production",
        SECRET_KEY="x" * 20 + "production-test-key-that-is-long-enough-0123456789",
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    ("variable", "value", "says"),
    [
        ("DATABASE_URL", "nonsense-without-scheme", "erpsys: DATABASE_URL"),
        ("REDIS_URL", "http://127.0.0.1:6379/0", "erpsys: REDIS_URL"),
    ],
)
def test_a_broken_service_url_fails_fast_with_one_line(variable, value, says):
    result = run_manage("check", **{variable: value})
    assert result.returncode == 1
    assert result.stderr.strip().startswith(says)
    assert len(result.stderr.strip().splitlines()) == 1


def test_serve_stops_when_the_database_is_unreachable():
    result = run_manage(
        "serve", "--check-only", DATABASE_URL="postgres://postgres@127.0.0.1:1/nowhere"
    )
    assert result.returncode == 1
    assert "database unreachable" in result.stderr
    assert "Traceback" not in result.stderr


# --- tokens --------------------------------------------------------------------------------


@pytest.fixture
def operator(make_operator):
    return make_operator("clinic", "ann", perms=["kernel.view_role"])


def obtain(client: APIClient, username: str, password: str = PASSWORD):
    return client.post("/api/token/", {"username": username, "password": password}, format="json")


def bearer(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def test_a_token_forged_with_the_old_default_key_is_refused(operator):
    now = dt.datetime.now(dt.UTC)
    forged = jwt.encode(
        {
            "token_type": "access",
            "user_id": str(operator.user.pk),
            "jti": "forged",
            "iat": now,
            "exp": now + dt.timedelta(minutes=5),
        },
        OLD_DEFAULT_KEY,
        algorithm="HS256",
    )
    assert bearer(forged).get(TENANT_API).status_code == 401


def test_a_real_token_works_until_the_password_changes(operator):
    tokens = obtain(APIClient(), operator.user.username).json()
    assert bearer(tokens["access"]).get(TENANT_API).status_code == 200

    operator.user.set_password("a-new-password-42")
    operator.user.save()
    assert bearer(tokens["access"]).get(TENANT_API).status_code == 401
    refreshed = APIClient().post("/api/token/refresh/", {"refresh": tokens["refresh"]})
    assert refreshed.status_code == 401


def test_a_deactivated_users_token_stops_working(operator):
    access = obtain(APIClient(), operator.user.username).json()["access"]
    operator.user.is_active = False
    operator.user.save()
    assert bearer(access).get(TENANT_API).status_code == 401


# --- brute force ---------------------------------------------------------------------------


def test_token_endpoint_locks_out_after_repeated_failures(operator, settings):
    client = APIClient()
    codes = [
        obtain(client, operator.user.username, "wrong").status_code
        for _ in range(settings.AXES_FAILURE_LIMIT)
    ]
    assert codes == [401] * (settings.AXES_FAILURE_LIMIT - 1) + [429]  # locked at the limit
    # now even the right password is refused until the cool-off has passed
    assert obtain(client, operator.user.username).status_code == 429


@pytest.mark.parametrize("login_url", ["/clinic/login/", "/admin/login/"])
def test_login_pages_lock_out_after_repeated_failures(operator, settings, login_url, client):
    codes = [
        client.post(
            login_url, {"username": operator.user.username, "password": "wrong"}
        ).status_code
        for _ in range(settings.AXES_FAILURE_LIMIT)
    ]
    assert codes == [200] * (settings.AXES_FAILURE_LIMIT - 1) + [429]  # the form, then locked
    response = client.post(login_url, {"username": operator.user.username, "password": PASSWORD})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_anonymous_api_calls_are_throttled(operator, monkeypatch):
    from django.core.cache import cache

    cache.clear()
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "3/minute"})
    client = APIClient()
    codes = [client.post("/api/token/refresh/", {"refresh": "x"}).status_code for _ in range(4)]
    assert codes[:3] == [401, 401, 401]
    assert codes[3] == 429
    cache.clear()


# --- request limits, headers ---------------------------------------------------------------


@override_settings(ERPSYS_MAX_BODY_SIZE=1000)
def test_a_body_over_the_limit_is_refused_before_it_is_read(operator):
    client = APIClient()
    client.force_authenticate(operator.user)
    response = client.post(
        "/clinic/api/processes/start/",
        data=json.dumps({"program": "x" * 2000}),
        content_type="application/json",
    )
    assert response.status_code == 413
    assert response.json()["code"] == "body_too_large"


def test_security_headers(operator, client):
    response = client.get("/clinic/login/")
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    policy = response["Content-Security-Policy-Report-Only"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy


# --- logs and metrics ----------------------------------------------------------------------


def test_each_request_logs_one_structured_line(operator, caplog):
    client = APIClient()
    client.force_authenticate(operator.user)
    with caplog.at_level(logging.INFO, logger="erpsys.request"):
        client.get(TENANT_API)
    lines = [r for r in caplog.records if r.name == "erpsys.request"]
    assert len(lines) == 1
    line = lines[0]
    assert (line.tenant, line.user, line.status, line.method) == (
        "clinic",
        operator.user.username,
        200,
        "GET",
    )
    assert line.duration_ms >= 0


def test_the_json_formatter_writes_the_request_fields():
    from django.conf import settings
    from pythonjsonlogger.json import JsonFormatter

    options = dict(settings.LOGGING["formatters"]["json"])
    options.pop("()")
    record = logging.LogRecord("erpsys.request", logging.INFO, __file__, 1, "request", None, None)
    record.tenant, record.status = "clinic", 200
    out = json.loads(JsonFormatter(**options).format(record))
    assert out["logger"] == "erpsys.request"
    assert (out["tenant"], out["status"], out["message"]) == ("clinic", 200, "request")


def test_metrics_need_staff_or_the_token(operator, admin_client, settings):
    assert APIClient().get("/metrics").status_code == 401
    client = APIClient()
    client.force_login(operator.user)
    assert client.get("/metrics").status_code == 401  # an operator is not staff

    admin_client.get("/clinic/login/")  # one request through the middleware at least
    body = admin_client.get("/metrics").content.decode()
    assert "django_http_requests_total_by_method_total" in body
    assert "kernel_processes" in body

    settings.ERPSYS_METRICS_TOKEN = "scrape-token"
    scraper = APIClient()
    scraper.credentials(HTTP_AUTHORIZATION="Bearer scrape-token")
    assert scraper.get("/metrics").status_code == 200
    scraper.credentials(HTTP_AUTHORIZATION="Bearer wrong")
    assert scraper.get("/metrics").status_code == 401
