"""Generator output: one Django app per tenant. Never edited by hand."""
