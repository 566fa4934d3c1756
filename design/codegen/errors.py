"""Code generator errors and their codes; callers branch on codes, never on message text."""

from __future__ import annotations

from enum import StrEnum


class CodegenErrorCode(StrEnum):
    INVALID_IDENTIFIER = "invalid_identifier"
    NAME_COLLISION = "name_collision"
    UNSUPPORTED_VALUE = "unsupported_value"
    FORMAT_FAILED = "format_failed"
    MIGRATION_FAILED = "migration_failed"
    DESTRUCTIVE_MIGRATION = "destructive_migration"


class CodegenError(Exception):
    """The spec cannot be turned into code; nothing has been written."""

    def __init__(self, code: CodegenErrorCode, message: str, *, path: str = "") -> None:
        self.code = code
        self.path = path
        self.message = message
        super().__init__(f"{path}: {message}" if path else message)
