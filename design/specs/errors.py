"""Located spec errors and their codes; clients branch on codes, never on message text."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from design.specs.model import Location


class SpecErrorCode(StrEnum):
    YAML_SYNTAX = "yaml_syntax"
    SCHEMA = "schema"
    DUPLICATE = "duplicate"
    UNKNOWN_REFERENCE = "unknown_reference"
    AMBIGUOUS_REFERENCE = "ambiguous_reference"
    CYCLE = "cycle"
    RESERVED_NAME = "reserved_name"
    NAME_COLLISION = "name_collision"
    INVALID_NAME = "invalid_name"
    EXPRESSION_SYNTAX = "expression_syntax"
    EXPRESSION_NAME = "expression_name"
    INVALID_PATH = "invalid_path"
    INVALID_INSTRUCTION = "invalid_instruction"
    INVALID_PARAMS = "invalid_params"
    INVALID_DURATION = "invalid_duration"
    INVALID_CRON = "invalid_cron"
    INVALID_VALUE = "invalid_value"
    MISSING = "missing"
    IO = "io"
    RULE_NEVER_WORKS = "rule_never_works"  # a warning: validation and publish still pass


@dataclass(frozen=True)
class SpecError:
    """One problem, printed as ``FILE:LINE:COLUMN: PATH: MESSAGE``."""

    location: Location | None
    path: str
    message: str
    code: SpecErrorCode = SpecErrorCode.SCHEMA

    def __str__(self) -> str:
        where = str(self.location) if self.location else "<spec>"
        return f"{where}: {self.path}: {self.message}" if self.path else f"{where}: {self.message}"


class SpecInvalid(Exception):
    """Raised when a spec has errors; nothing has been written anywhere."""

    def __init__(self, errors: list[SpecError]):
        self.errors = list(errors)
        super().__init__("\n".join(str(e) for e in self.errors))
