"""The kernel REST API: start programs, read processes, list and work tasks (per tenant)."""
