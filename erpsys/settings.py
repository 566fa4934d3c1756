"""Settings read from the environment (django-environ).

The embedded default needs no server: SQLite file, Celery tasks run eagerly, the
in-memory channel layer and a local-memory cache. ``DATABASE_URL`` switches to
PostgreSQL; ``REDIS_URL`` switches Celery, Channels and the cache to Redis.
"""

import sys
import warnings
from datetime import timedelta
from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)


def refuse(message: str) -> None:
    """Stop at start-up with one line that says what to fix (no traceback to read through)."""
    sys.exit(f"erpsys: {message}")


DEBUG = env.bool("DEBUG", default=False)
# The signing key. Never a value from the source: SECRET_KEY from the environment, else the
# machine-local key file that `make` creates once (git-ignored, random). Without either the
# project refuses to start, whatever DEBUG says: a known key lets anyone sign sessions and JWTs.
SECRET_KEY_FILE = Path(env("SECRET_KEY_FILE", default=str(BASE_DIR / ".secret_key")))
SECRET_KEY = env("SECRET_KEY", default="") or (
    SECRET_KEY_FILE.read_text().strip() if SECRET_KEY_FILE.is_file() else ""
)
if len(SECRET_KEY) < 32:
    refuse(
        "SECRET_KEY is missing or shorter than 32 characters: set SECRET_KEY to a long random "
        f"value (python -c 'import secrets; print(secrets.token_urlsafe(50))'), or run `make` "
        f"once to create the local key file {SECRET_KEY_FILE.name}"
    )
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
CSRF_FAILURE_VIEW = "erpsys.error_views.csrf_failure"  # JSON 403 on API paths

META_SPECS_DIR = Path(env("ERPSYS_META_SPECS_DIR", default=str(BASE_DIR / "meta_specs")))
# ERPSYS_GENERATED_DIR points discovery (and the ``generated`` package) at another folder: the
# code generator uses it to try a tenant's new models in a staging copy before writing anything.
GENERATED_DIR = Path(env("ERPSYS_GENERATED_DIR", default=str(BASE_DIR / "generated")))


def discover_generated_apps(folder: Path = GENERATED_DIR) -> list[str]:
    """Every ``generated/<tenant>/`` holding an ``apps.py`` is an installed app."""
    if not folder.is_dir():
        return []
    return [
        f"generated.{child.name}"
        for child in sorted(folder.iterdir())
        if child.is_dir() and (child / "apps.py").is_file()
    ]


INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework_simplejwt",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "polymorphic",
    "django_htmx",
    "django_celery_beat",
    "channels",
    "axes",
    "corsheaders",
    "csp",
    "django_prometheus",
    "core",
    "design",
    "kernel",
    "applications",
    "workbench",
    *discover_generated_apps(),
]

MIDDLEWARE = [
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "erpsys.middleware.RequestLogMiddleware",
    "erpsys.middleware.BodySizeLimitMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Locks out repeated failed logins on every login path (admin, tenant sites, /api/token/).
    "axes.middleware.AxesMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

ROOT_URLCONF = "erpsys.urls"
WSGI_APPLICATION = "erpsys.wsgi.application"
ASGI_APPLICATION = "erpsys.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
        },
    },
]

# Database: SQLite file by default, PostgreSQL (or anything dj-database-url style) by DATABASE_URL.
DATABASE_URL = env("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")
try:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # django-environ warns, then returns no ENGINE
        DATABASES = {"default": env.db_url_config(DATABASE_URL)}
except Exception:  # noqa: BLE001 - any parse failure is one line for the operator
    DATABASES = {"default": {}}
if not DATABASES["default"].get("ENGINE"):
    refuse(
        f"DATABASE_URL {DATABASE_URL!r} is not a database URL; "
        "e.g. postgres://user@host:5432/name or sqlite:///path/to/db.sqlite3"
    )
DATABASES["default"].setdefault("TEST", {})
# A subprocess started on another process's database (the designer's migrate of a new tenant,
# from a test run too) names it here.
if env("ERPSYS_DATABASE_NAME", default=""):
    DATABASES["default"]["NAME"] = env("ERPSYS_DATABASE_NAME")
if env("ERPSYS_TEST_DB_NAME", default=""):
    DATABASES["default"]["TEST"]["NAME"] = env("ERPSYS_TEST_DB_NAME")
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env.bool(
    "ERPSYS_PG_PREPARE", default=True
):
    options = DATABASES["default"].setdefault("OPTIONS", {})
    # Server-side binding, and a statement run 5 times on a connection is prepared there: the
    # kernel's statements (the same few shapes, thousands of times) are parsed and planned once
    # per connection instead of every time. Off (ERPSYS_PG_PREPARE=0) behind a pooler in
    # transaction mode (PgBouncer before 1.21), which cannot keep prepared statements.
    options.setdefault("server_side_binding", True)
    options.setdefault("prepare_threshold", 5)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    options = DATABASES["default"].setdefault("OPTIONS", {})
    # Concurrent writers (the Celery worker, tests) wait instead of failing at once.
    options.setdefault("timeout", 20)
    # Write-ahead log: readers (the web server) never block the writer (a worker) nor wait for
    # it, and a commit is one sync of the log instead of journal + database (synchronous stays
    # FULL: a committed transaction survives a power cut). A transaction takes the write lock
    # when it begins, so two writers queue on the timeout instead of one failing mid-way.
    options.setdefault("init_command", "PRAGMA journal_mode=WAL;")
    options.setdefault("transaction_mode", "IMMEDIATE")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Redis: broker, channel layer and cache when REDIS_URL is set; in-process otherwise.
REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL and not REDIS_URL.startswith(("redis://", "rediss://", "unix://")):
    refuse(f"REDIS_URL {REDIS_URL!r} is not a Redis URL; e.g. redis://127.0.0.1:6379/0")
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL]},
        }
    }
    CELERY_BROKER_URL = REDIS_URL
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    CELERY_BROKER_URL = "memory://"

# A task a killed worker had taken comes back after this many seconds (acks_late + Redis):
# keep it above the longest task, and short enough that a crash does not stall programs for long.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=600)
}
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
# The queue web processes send to and workers consume: one per site when several share a Redis.
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_QUEUE", default="celery")
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = env("TIME_ZONE", default="Asia/Shanghai")
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# django-celery-beat copies this into its PeriodicTask table when beat starts. The tick is
# idempotent (TimerFiring is unique), so a late or doubled tick never fires an event twice;
# `expires` drops ticks that queued up while no worker was running.
CELERY_BEAT_SCHEDULE = {
    "kernel-timers-tick": {
        "task": "kernel.tasks_timers.tick",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]
# Django's hashers (PBKDF2 first) unless ERPSYS_PASSWORD_HASHERS names others: the test suite
# names a fast one for the thousands of throwaway passwords it sets (tests/conftest.py), and
# the servers and workers it starts inherit it. Never set it in production.
if env("ERPSYS_PASSWORD_HASHERS", default=""):
    PASSWORD_HASHERS = env.list("ERPSYS_PASSWORD_HASHERS")

LANGUAGE_CODE = env("LANGUAGE_CODE", default="zh-hans")
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env("TIME_ZONE", default="Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# WhiteNoise serves static files from the app folders while developing and testing, and from
# STATIC_ROOT (compressed, hashed names: `collectstatic`) under the production settings.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(BASE_DIR / "media")))

LOGIN_URL = "/admin/login/"

# Authentication: django-axes first, so that a locked-out user is refused before the password
# is even checked; after AXES_FAILURE_LIMIT failures (per username and address) the login
# paths answer 429 until AXES_COOLOFF_MINUTES have passed.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_HTTP_RESPONSE_CODE = 429
AXES_VERBOSE = False

# Request bodies: Django's own limits for forms and uploads, and the same ceiling on every
# body (JSON included) by Content-Length, answered 413 (erpsys.middleware.BodySizeLimitMiddleware).
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=5 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = DATA_UPLOAD_MAX_MEMORY_SIZE
ERPSYS_MAX_BODY_SIZE = env.int("ERPSYS_MAX_BODY_SIZE", default=20 * 1024 * 1024)

# Cross-origin API use (a separate front end): only the origins named here.
CORS_ALLOWED_ORIGINS = env.list("CORS_ALLOWED_ORIGINS", default=[])
CORS_URLS_REGEX = r"^/([^/]+/)?api/.*$"

# Content-Security-Policy (django-csp): same-origin scripts only. The development settings
# report violations in the browser console; the production settings enforce the policy.
CSP_DIRECTIVES = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'", "data:"],
    "connect-src": ["'self'", "ws:", "wss:"],
    "frame-ancestors": ["'none'"],
    "form-action": ["'self'"],
    "base-uri": ["'self'"],
    "object-src": ["'none'"],
}
CONTENT_SECURITY_POLICY_REPORT_ONLY = {"DIRECTIVES": CSP_DIRECTIVES}
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# /metrics (Prometheus): staff sessions, or `Authorization: Bearer <ERPSYS_METRICS_TOKEN>`.
ERPSYS_METRICS_TOKEN = env("ERPSYS_METRICS_TOKEN", default="")

# Logs: one JSON object per line on stderr (python-json-logger); `LOG_FORMAT=text` for people.
# A thread formats and writes them (erpsys.logs), off the path of the request or task.
LOG_LEVEL = env("LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
        "text": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {
        "console": {
            "()": "erpsys.logs.BackgroundStderrHandler",
            "formatter": env("LOG_FORMAT", default="json"),
        }
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # The request line comes from erpsys.request; Django's own would say it twice.
        "django.server": {"level": "WARNING"},
        "django.request": {"level": "ERROR"},
    },
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "erpsys.auth.JWTAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # Bad JSON (too deep, not UTF-8) is a 400; a lone surrogate echoed back renders escaped.
    "DEFAULT_PARSER_CLASSES": [
        "erpsys.api.SafeJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_RENDERER_CLASSES": [
        "erpsys.api.SafeJSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # Browsable pages titled in the request's language (kernel/api/names.py).
    "VIEW_NAME_FUNCTION": "kernel.api.names.view_name",
    # Per client: anonymous callers by address, signed-in users by id (429 past the rate).
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env("THROTTLE_ANON", default="60/minute"),
        "user": env("THROTTLE_USER", default="6000/minute"),
    },
}

# JWTs carry a fingerprint of the password they were issued under: a password change (or a
# deactivated user) ends every token issued before it (erpsys.auth).
SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=env.int("JWT_ACCESS_MINUTES", default=15)),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=env.int("JWT_REFRESH_DAYS", default=1)),
    "TOKEN_OBTAIN_SERIALIZER": "erpsys.auth.TokenObtainPairSerializer",
    "TOKEN_REFRESH_SERIALIZER": "erpsys.auth.TokenRefreshSerializer",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "erpsys API",
    "VERSION": "1",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SERVE_INCLUDE_SCHEMA": False,
    # The deploy check would build one schema of all tenants at once (a schema nobody is
    # served, full of operationId collisions); each tenant's own schema is tested instead.
    "ENABLE_DJANGO_DEPLOY_CHECK": False,
}

# The platform's plug points, one namespaced dict (like DRF's settings).
ERPSYS = {
    # name -> dotted path of a callable(process) registered as a system-service action
    "ACTIONS": env.dict("ERPSYS_ACTIONS", default={}),
    # dotted path of a callable(decision) that may answer decision tasks instead of a person
    "DECIDER": env("ERPSYS_DECIDER", default=""),
    # live task lists: the kernel pushes committed changes to /ws/<tenant>/... (kernel/live.py)
    "LIVE": env.bool("ERPSYS_LIVE", default=True),
    # kernel events: a log line and a metric per committed state change (kernel/observe.py)
    "KERNEL_EVENTS": env.bool("ERPSYS_KERNEL_EVENTS", default=True),
}
