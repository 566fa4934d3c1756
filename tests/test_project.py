"""The project skeleton: settings from the environment, health, app discovery."""

import json

import pytest
from django.conf import settings

from erpsys.settings import discover_generated_apps


def test_embedded_defaults_need_no_server(monkeypatch):
    assert settings.LANGUAGE_CODE in {"zh-hans", "en"}
    assert [code for code, _ in settings.LANGUAGES] == ["zh-hans", "en"]
    if not settings.REDIS_URL:
        from erpsys import settings as configured  # the module's value, not the per-test override

        assert configured.CELERY_TASK_ALWAYS_EAGER is True
        assert (
            settings.CHANNEL_LAYERS["default"]["BACKEND"] == "channels.layers.InMemoryChannelLayer"
        )


def test_generated_apps_are_discovered(tmp_path):
    (tmp_path / "alpha").mkdir()
    (tmp_path / "alpha" / "apps.py").write_text("")
    (tmp_path / "beta").mkdir()  # no apps.py: not an app
    assert discover_generated_apps(tmp_path) == ["generated.alpha"]


@pytest.mark.django_db
def test_healthz_reports_each_dependency(client):
    response = client.get("/healthz")
    body = json.loads(response.content)
    assert body["database"]["ok"] is True
    assert body["cache"]["ok"] is True
    assert set(body) >= {"database", "cache", "broker", "worker"}
    healthy = all(body[key]["ok"] for key in ("database", "cache", "broker", "worker"))
    assert response.status_code == (200 if healthy else 503)
    assert body["status"] == ("ok" if healthy else "error")
    if settings.CELERY_TASK_ALWAYS_EAGER:
        assert healthy and body["worker"]["mode"] == "eager"


@pytest.mark.postgres
@pytest.mark.django_db
def test_database_is_postgres_when_configured(client):
    body = json.loads(client.get("/healthz").content)
    assert body["database"]["vendor"] == "postgresql"


@pytest.mark.redis
@pytest.mark.django_db
def test_cache_is_redis_when_configured(client):
    body = json.loads(client.get("/healthz").content)
    assert body["cache"]["backend"] == "RedisCache"
    assert body["broker"]["ok"] is True


@pytest.mark.django_db
def test_healthz_reports_a_broken_database_without_details(client, monkeypatch, caplog):
    from erpsys import health

    class Broken:
        vendor = "sqlite"

        def cursor(self):
            raise RuntimeError("password=hunter2 host=10.0.0.5")

    monkeypatch.setattr(health, "connection", Broken())
    response = client.get("/healthz")
    body = json.loads(response.content)
    assert response.status_code == 503
    assert body["status"] == "error" and body["database"] == {"ok": False}
    assert "hunter2" not in response.content.decode()
    assert "hunter2" in caplog.text  # the reason is logged for operators
