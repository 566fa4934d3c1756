"""Management commands of the design layer."""
