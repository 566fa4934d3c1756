"""WebSocket routes of the kernel's live task lists (see kernel/consumers.py and kernel/live.py)."""

from django.urls import re_path

from kernel.consumers import EntityConsumer, TasksConsumer

websocket_urlpatterns: list = [
    re_path(r"^ws/(?P<tenant>[a-z][a-z0-9_]*)/tasks/$", TasksConsumer.as_asgi()),
    re_path(
        r"^ws/(?P<tenant>[a-z][a-z0-9_]*)/entity/(?P<erpsys_id>[0-9a-fA-F-]{32,36})/$",
        EntityConsumer.as_asgi(),
    ),
]
