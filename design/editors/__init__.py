"""The designer's editors: analysts edit a tenant's spec in the browser (see docs/designer.md)."""
