"""The spec's fixed vocabularies that runtime rows store too (service kinds, view kinds, rule modes).

On the ground floor so that the kernel's published rows and the design layer share one list.
"""

SERVICE_KINDS = ("manual", "system", "agent")
VIEW_KINDS = (
    "public_tasks",
    "my_tasks",
    "entity_tasks",
    "entity_search",
    "service_search",
    "profile",
)
RULE_MODES = ("deterministic", "decision")
