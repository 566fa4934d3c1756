"""WSGI entry point (HTTP only; use ASGI for the live task lists)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "erpsys.settings")
application = get_wsgi_application()
