"""Production settings: the development settings plus what `check --deploy` asks for.

Use with ``DJANGO_SETTINGS_MODULE=erpsys.settings_production`` behind a TLS-terminating proxy
that sets ``X-Forwarded-Proto``. The key must come from the environment here (several web
processes on several hosts must share it), never from the machine-local key file.
"""

import os

from erpsys.settings import *  # noqa: F403
from erpsys.settings import CSP_DIRECTIVES, STORAGES, env, refuse

if not os.environ.get("SECRET_KEY"):
    refuse("the production settings need SECRET_KEY in the environment (a long random value)")
if env.bool("DEBUG", default=False):
    refuse("DEBUG must be off under the production settings")
DEBUG = False

# HTTPS everywhere: the proxy terminates TLS and says so in X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # probes on the plain port
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True

# The Content-Security-Policy is enforced here (reported only while developing).
CONTENT_SECURITY_POLICY_REPORT_ONLY = None
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {**CSP_DIRECTIVES, "connect-src": ["'self'", "wss:"]},
}

# Static files from STATIC_ROOT (`manage.py collectstatic`), compressed, with hashed names.
WHITENOISE_USE_FINDERS = False
WHITENOISE_AUTOREFRESH = False
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
