"""WebSocket routes of the kernel's live task lists."""

websocket_urlpatterns: list = []
