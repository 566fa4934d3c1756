"""``spec`` and the other design-layer commands."""
