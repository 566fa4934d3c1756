"""The names of the platform's instructions: the kernel defines them, the spec validator reads them.

Pure data, no imports, so that the design layer can read it without loading the engine.
"""

INSTRUCTIONS = (
    "start_service",
    "call_sub_service",
    "calling_return",
    "start_iteration_service",
    "start_parallel_service",
    "retry_process",
    "terminate_process",
    "escalate_process",
    "rollback_process",
)
