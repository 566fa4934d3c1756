"""The operator workbench: task board, task forms, entity and process pages (server-rendered, HTMX)."""
