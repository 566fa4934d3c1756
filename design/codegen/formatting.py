"""Formatting of generated source with ruff, pinned options so output never depends on the folder."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from design.codegen.errors import CodegenError, CodegenErrorCode
from design.codegen.writer import manifest_json, render_app
from design.specs.model import Spec

# The project's ruff settings (pyproject.toml), pinned here: formatting must give the same bytes
# whether the output goes to the repository, a temp folder or stdout.
RUFF_OPTIONS = ("--isolated", "--line-length", "100", "--target-version", "py311")


def ruff_executable() -> str:
    """The ruff binary next to this interpreter, else the one on PATH."""
    local = Path(sys.executable).with_name("ruff")
    return str(local) if local.exists() else (shutil.which("ruff") or "ruff")


def format_source(text: str, *, filename: str = "generated.py") -> str:
    """``ruff format`` of one Python source held in memory (stdin -> stdout)."""
    result = subprocess.run(
        [ruff_executable(), "format", *RUFF_OPTIONS, "--stdin-filename", filename, "-"],
        input=text,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise CodegenError(CodegenErrorCode.FORMAT_FAILED, f"{filename}: {result.stderr.strip()}")
    return result.stdout


def format_files(files: dict[str, str]) -> dict[str, str]:
    """Every .py of ``files`` formatted; other files unchanged."""
    return {
        path: format_source(text, filename=path) if path.endswith(".py") else text
        for path, text in files.items()
    }


def build_app(spec: Spec) -> dict[str, str]:
    """The final bytes of every generated file (formatted), manifest.json included; no migrations."""
    files = format_files(render_app(spec))
    files["manifest.json"] = manifest_json(spec, files)
    return dict(sorted(files.items()))
