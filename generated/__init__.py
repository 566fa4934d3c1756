"""Generator output: one Django app per tenant. Never edited by hand."""

import os

# With ERPSYS_GENERATED_DIR set (the generator's staging runs, tests), ``generated.<tenant>`` is
# looked up in that folder first; settings then install only the tenants found there.
_override = os.environ.get("ERPSYS_GENERATED_DIR", "")
if _override and os.path.realpath(_override) != os.path.realpath(__path__[0]):
    __path__.insert(0, _override)
