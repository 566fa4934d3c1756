"""The editors' model of a tenant's spec: a plain dict read from ``meta_specs/<tenant>/``.

An edit is applied to that dict, checked by the same validator as ``spec validate`` (same
messages and codes), and saved by writing the exporter's byte-stable files (all files or none)
and loading the validated spec into the design tables. A spec with errors is never written to
``meta_specs``: it can only be kept as a draft file in ``DESIGN_DRAFTS_DIR`` (outside
meta_specs, never generated or published) until it validates.
"""

from __future__ import annotations

import contextlib
import copy
import fcntl
import hashlib
import json
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings
from django.db import transaction

from design.specs.errors import SpecError, SpecErrorCode
from design.specs.export import FILE_SECTIONS, spec_to_files
from design.specs.loader import RawSpec, _Builder, _compose, _merge, _SpecLoader
from design.specs.model import Location, Spec
from design.specs.validate import validate_raw
from design.specs.warnings import rule_warnings

DRAFT_HEADER = (
    "# DRAFT of tenant {tenant}: NOT the tenant's spec. It has errors and is never generated\n"
    "# or published; the designer's editors write meta_specs/{tenant}/ once it validates.\n"
)


class EditorError(Exception):
    """A request the editors refuse (unknown element, stale form); nothing was written."""


def specs_root() -> Path:
    return Path(settings.META_SPECS_DIR)


def drafts_root() -> Path:
    default = Path(settings.BASE_DIR) / "var" / "design_drafts"
    return Path(getattr(settings, "DESIGN_DRAFTS_DIR", default))


def tenant_folder(tenant: str) -> Path:
    return specs_root() / tenant


def draft_path(tenant: str) -> Path:
    return drafts_root() / f"{tenant}.yaml"


def tenant_exists(tenant: str) -> bool:
    return (tenant_folder(tenant) / "tenant.yaml").is_file()


# --- text <-> dict -------------------------------------------------------------------------


class _Dumper(yaml.SafeDumper):
    """Plain data as block YAML, in key order, Chinese kept readable."""


def _dump(value: Any) -> str:
    return yaml.dump(
        value, Dumper=_Dumper, allow_unicode=True, sort_keys=False, default_flow_style=False
    )


def _json_yaml(value: Any) -> str:
    """JSON text, which YAML reads as the same data (the validator's input; fast to write)."""
    return json.dumps(value, ensure_ascii=False, indent=1, default=str) + "\n"


def data_to_texts(data: dict[str, Any]) -> dict[str, str]:
    """The dict laid out in the exporter's files (for the validator: not the saved form)."""
    texts: dict[str, str] = {}
    placed: set[str] = set()
    for file_name, sections in FILE_SECTIONS.items():
        part = {k: data[k] for k in sections if k in data}
        placed.update(part)
        if part:
            texts[file_name] = _json_yaml(part)
    rest = {k: v for k, v in data.items() if k not in placed}
    if rest:  # unknown sections: the validator names them
        texts["other.yaml"] = _json_yaml(rest)
    return texts


def read_texts(texts: dict[str, str], shown_folder: str) -> RawSpec:
    """What ``read_spec_folder`` makes of a folder holding ``texts`` (file name -> text)."""
    raw = RawSpec(folder=Path(shown_folder))
    for file_name in sorted(texts):
        file = f"{shown_folder}/{file_name}"
        raw.files.append(file)
        node, loader = _compose(texts[file_name], file, raw)
        if node is None:
            continue
        builder = _Builder(raw, file, loader)
        if not isinstance(node, yaml.MappingNode):
            raw.errors.append(
                SpecError(builder.mark(node), "", "a spec file must be a mapping of sections")
            )
            continue
        try:
            _merge(raw, builder, node)
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark
            location = Location(file, mark.line + 1, mark.column + 1) if mark else None
            raw.errors.append(
                SpecError(
                    location, "", f"YAML error: {exc.problem or exc}", SpecErrorCode.YAML_SYNTAX
                )
            )
            raw.fatal = True
    return raw


def parse_scalar(text: str) -> Any:
    """A value typed into an input, read as a YAML scalar like the spec files read it."""
    try:
        value = yaml.load(text, Loader=_SpecLoader)  # noqa: S506 - the safe loader, no tags
    except yaml.YAMLError:
        return text
    return value if isinstance(value, str | int | float | bool) else text


# --- checking -------------------------------------------------------------------------------


@dataclass
class Checked:
    """The validator's verdict on a dict: the Spec when clean, else every located error."""

    spec: Spec | None
    errors: list[SpecError]
    warnings: list[SpecError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.spec is not None and not self.errors


def check(data: dict[str, Any], tenant: str) -> Checked:
    """Validate ``data`` with the same pipeline as ``spec validate`` (in memory)."""
    raw = read_texts(data_to_texts(data), f"meta_specs/{tenant}")
    spec, errors = validate_raw(raw)
    warnings = rule_warnings(spec, raw) if spec is not None else []
    return Checked(spec, errors, warnings)


def normalized(spec: Spec) -> dict[str, Any]:
    """The dict of the exporter's files for ``spec``: every name pinned, canonical order."""
    raw = read_texts(spec_to_files(spec), "export")
    return raw.data


# --- loading --------------------------------------------------------------------------------


@dataclass
class Loaded:
    """A tenant's spec as the editors see it."""

    tenant: str
    data: dict[str, Any]
    draft: bool  # the data comes from the draft file, not from meta_specs
    errors: list[SpecError]


def load(tenant: str) -> Loaded:
    """The draft when there is one, else the files (normalized when they validate)."""
    draft = draft_path(tenant)
    if draft.is_file():
        data = yaml.load(draft.read_text(encoding="utf-8"), Loader=_SpecLoader) or {}  # noqa: S506
        return Loaded(tenant, data, True, check(data, tenant).errors)
    if not tenant_exists(tenant):
        raise EditorError(f"unknown tenant {tenant!r}")
    folder = tenant_folder(tenant)
    texts = {p.name: p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.yaml"))}
    digest = hashlib.sha256(json.dumps(texts, sort_keys=True).encode()).hexdigest()
    cached = _LOADED.get(str(folder))
    if cached is None or cached[0] != digest:
        raw = read_texts(texts, f"meta_specs/{tenant}")
        spec, errors = validate_raw(raw)
        data = normalized(spec) if spec is not None else raw.data
        cached = _LOADED[str(folder)] = (digest, data, errors)
    return Loaded(tenant, copy.deepcopy(cached[1]), False, list(cached[2]))


# folder -> (digest of its files, the dict, its errors): files are read on every request,
# validated and normalized only when their bytes changed.
_LOADED: dict[str, tuple[str, dict[str, Any], list[SpecError]]] = {}


@contextlib.contextmanager
def tenant_lock(tenant: str) -> Iterator[None]:
    """One writer per tenant at a time (load, edit and save happen under it)."""
    root = drafts_root()
    root.mkdir(parents=True, exist_ok=True)
    with open(root / f".{tenant}.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


# --- saving ---------------------------------------------------------------------------------


def write_all_or_nothing(folder: Path, files: dict[str, str]) -> list[str]:
    """Replace the folder's ``*.yaml`` by ``files``: every file or none (staged, then renamed).

    Every new text is written to a temp file first; only then are they renamed over the old
    files. When a rename fails, the files already replaced get their old bytes back.
    Returns the names of the files whose bytes changed (or were removed).
    """
    folder.mkdir(parents=True, exist_ok=True)
    old = {p.name: p.read_bytes() for p in folder.glob("*.yaml")}
    staged: list[tuple[str, str]] = []
    try:
        for name, text in files.items():
            data = text.encode("utf-8")
            if old.get(name) == data:
                continue
            fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{name}.", suffix=".tmp")
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            staged.append((name, tmp))
    except BaseException:
        for _, tmp in staged:
            Path(tmp).unlink(missing_ok=True)
        raise
    done: list[str] = []
    removed: list[str] = []
    try:
        for name, tmp in staged:
            os.replace(tmp, folder / name)
            done.append(name)
        for name in sorted(set(old) - set(files)):
            (folder / name).unlink()
            removed.append(name)
    except BaseException:
        for name in done + removed:
            if name in old:
                (folder / name).write_bytes(old[name])
            else:
                (folder / name).unlink(missing_ok=True)
        for _name, tmp in staged:
            Path(tmp).unlink(missing_ok=True)
        raise
    return sorted(done + removed)


@dataclass
class Saved:
    ok: bool
    errors: list[SpecError]
    changed_files: list[str] = field(default_factory=list)
    draft: bool = False


def save(tenant: str, data: dict[str, Any]) -> Saved:
    """Write ``data`` as the tenant's spec when it validates; else write nothing at all."""
    checked = check(data, tenant)
    if not checked.ok:
        return Saved(False, checked.errors)
    if checked.spec.tenant.name != tenant:
        error = SpecError(
            None,
            "tenant.name",
            f"the tenant name must stay {tenant!r}",
            SpecErrorCode.INVALID_VALUE,
        )
        return Saved(False, [error])
    from design.services import spec_apply

    files = spec_to_files(checked.spec)
    with transaction.atomic():
        spec_apply(spec=checked.spec)
        changed = write_all_or_nothing(tenant_folder(tenant), files)
    draft_path(tenant).unlink(missing_ok=True)
    return Saved(True, [], changed)


def save_draft(tenant: str, data: dict[str, Any]) -> Saved:
    """Keep ``data`` as the tenant's draft (outside meta_specs); meta_specs is untouched."""
    path = draft_path(tenant)
    path.parent.mkdir(parents=True, exist_ok=True)
    text = DRAFT_HEADER.format(tenant=tenant) + _dump(data)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{tenant}.", suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.replace(tmp, path)
    return Saved(False, check(data, tenant).errors, draft=True)


def discard_draft(tenant: str) -> bool:
    path = draft_path(tenant)
    existed = path.is_file()
    path.unlink(missing_ok=True)
    return existed


# --- what depends on an element -------------------------------------------------------------


def breakage(data: dict[str, Any], edited: dict[str, Any], tenant: str) -> list[SpecError]:
    """Errors ``edited`` has that ``data`` had not: what an edit (a deletion) would break."""
    before = {(e.path, e.message) for e in check(data, tenant).errors}
    after = check(edited, tenant).errors
    return [e for e in after if (e.path, e.message) not in before]


def copy_data(data: dict[str, Any]) -> dict[str, Any]:
    return copy.deepcopy(data)
