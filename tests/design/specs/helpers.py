"""Helpers for spec tests: copy the shared repair_shop spec and break exactly one thing."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

from tests.conftest import REPAIR_SHOP_SPEC


def broken_copy(
    tmp_path: Path, edits: list[tuple[str, str, str]], *, name: str = "repair_shop"
) -> Path:
    """Copy repair_shop to ``tmp_path/name`` and apply ``(file, old, new)`` edits (old must occur once)."""
    folder = tmp_path / name
    shutil.copytree(REPAIR_SHOP_SPEC, folder)
    for file, old, new in edits:
        path = folder / file
        text = path.read_text(encoding="utf-8") if path.exists() else ""
        if old:
            assert text.count(old) == 1, f"{old!r} must occur exactly once in {file}"
            text = text.replace(old, new)
        else:
            text += new
        path.write_text(text, encoding="utf-8")
    return folder


def folder_digest(folder: Path) -> str:
    """A hash of every file name and byte under ``folder`` (to prove nothing was written)."""
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        digest.update(str(path.relative_to(folder)).encode())
        if path.is_file():
            digest.update(path.read_bytes())
    return digest.hexdigest()
