"""Error codes of the applications layer; callers branch on codes, never on message text."""

from enum import StrEnum


class ApplicationsErrorCode(StrEnum):
    NAMING_PATTERN_INVALID = "naming_pattern_invalid"
    NAMING_PATTERN_NO_COUNTER = "naming_pattern_no_counter"
    ROWS_FILE_INVALID = "rows_file_invalid"
    ROWS_ENTITY_UNKNOWN = "rows_entity_unknown"
    TENANT_APP_MISSING = "tenant_app_missing"


class ApplicationsError(Exception):
    """A problem of the applications layer, with its ``code``."""

    def __init__(self, code: ApplicationsErrorCode, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
