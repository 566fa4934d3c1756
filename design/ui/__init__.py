"""The designer's screens under ``/design/``: tenants and their status, programs as diagrams,
generate / migrate / publish from the browser, and the history of publishes."""
