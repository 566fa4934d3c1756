"""The Celery application; eager in the embedded default, Redis-backed when REDIS_URL is set."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "erpsys.settings")

app = Celery("erpsys")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
