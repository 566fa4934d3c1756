"""A tenant's spec folder as the designer sees it: sync with the design DB, zip in and out, status."""

from __future__ import annotations

import dataclasses
import io
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from core.models import Tenant
from design.models import SpecSync
from design.publish import spec_hash
from design.specs.errors import SpecError, SpecErrorCode, SpecInvalid
from design.specs.export import spec_to_files, write_files
from design.specs.model import Spec
from design.specs.validate import validate_folder

# Limits of an uploaded spec zip.
ZIP_MAX_BYTES = 2 * 1024 * 1024
ZIP_MAX_MEMBERS = 50
ZIP_MAX_UNPACKED = 8 * 1024 * 1024


def spec_folder(tenant: str) -> Path:
    return Path(settings.META_SPECS_DIR) / tenant


def folder_files(folder: Path) -> dict[str, str]:
    """The ``*.yaml`` files of a spec folder: name -> text."""
    if not folder.is_dir():
        return {}
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.yaml"))}


def sync_record(tenant: Tenant, spec: Spec) -> None:
    """Remember ``spec`` as what the folder and the design DB both hold now."""
    SpecSync.objects.update_or_create(tenant=tenant, defaults={"spec_sha256": spec_hash(spec)})


@transaction.atomic
def load_folder(tenant: str) -> Tenant:
    """Validate ``META_SPECS_DIR/<tenant>`` and load it into the design DB; SpecInvalid changes nothing."""
    from design.services import spec_apply

    spec = validate_folder(spec_folder(tenant))
    if spec.tenant.name != tenant:
        raise SpecInvalid(
            [
                SpecError(
                    None,
                    "tenant.name",
                    f"the spec is of tenant {spec.tenant.name!r}, not {tenant!r}",
                    SpecErrorCode.INVALID_VALUE,
                )
            ]
        )
    row = spec_apply(spec=spec)
    sync_record(row, spec)
    return row


@transaction.atomic
def write_db_spec(tenant: str) -> Spec:
    """Export the design DB's spec into the tenant's folder (byte-stable) and remember it as synced."""
    from design.selectors import spec_get

    spec = spec_get(tenant=tenant)
    write_files(files=spec_to_files(spec), folder=spec_folder(tenant))
    sync_record(Tenant.objects.get(name=tenant), spec)
    return spec


@dataclass
class SpecState:
    """Where a tenant's spec stands between its folder and the design DB."""

    tenant: str
    label: str = ""
    on_disk: bool = False
    loaded: bool = False
    errors: list[SpecError] = field(default_factory=list)
    disk_spec: Spec | None = None
    db_spec: Spec | None = None
    synced_hash: str | None = None

    @property
    def disk_hash(self) -> str | None:
        return spec_hash(self.disk_spec) if self.disk_spec else None

    @property
    def db_hash(self) -> str | None:
        return spec_hash(self.db_spec) if self.db_spec else None

    @property
    def in_sync(self) -> bool:
        return self.disk_spec is not None and self.disk_hash == self.db_hash

    @property
    def disk_changed(self) -> bool:
        """The folder was edited since the last load (invalid edits count)."""
        if not self.loaded or not self.on_disk:
            return False
        if self.errors:
            return True
        if self.in_sync:
            return False
        return self.synced_hash is None or self.disk_hash != self.synced_hash

    @property
    def db_changed(self) -> bool:
        """The design DB was edited since it was last written to the folder."""
        return self.loaded and not self.in_sync and not self.disk_changed

    def problem(self) -> str | None:
        """Why generate / publish may not run now, or None."""
        if not self.on_disk and not self.loaded:
            return _("The tenant has no spec.")
        if self.errors:
            return _("The spec has %(count)d error(s); fix them first.") % {
                "count": len(self.errors)
            }
        if not self.loaded:
            return _("The spec folder is not loaded into the design database yet.")
        if self.disk_changed:
            return _(
                "The spec files changed since the last load: load them (or overwrite them) first."
            )
        return None

    def current_spec(self) -> Spec:
        """The spec to generate or publish; writes the DB's edits to the folder first."""
        problem = self.problem()
        if problem:
            raise ValueError(problem)
        if self.db_changed or not self.on_disk:
            return write_db_spec(self.tenant)
        assert self.db_spec is not None
        return self.db_spec


def spec_state(tenant: str) -> SpecState:
    """Read the folder (validated) and the design DB's spec of ``tenant``."""
    from design.selectors import spec_get

    folder = spec_folder(tenant)
    state = SpecState(tenant=tenant, on_disk=(folder / "tenant.yaml").is_file())
    if state.on_disk:
        try:
            state.disk_spec = validate_folder(folder)
            state.label = state.disk_spec.tenant.label
        except SpecInvalid as exc:
            state.errors = list(exc.errors)
    row = Tenant.objects.filter(name=tenant).first()
    if row is not None:
        state.loaded = True
        state.label = row.label
        state.db_spec = spec_get(tenant=tenant)
        sync = SpecSync.objects.filter(tenant=row).first()
        state.synced_hash = sync.spec_sha256 if sync else None
    return state


def tenant_names() -> list[str]:
    """Every tenant with a folder under META_SPECS_DIR or a row in the design DB, sorted."""
    names = set(Tenant.objects.values_list("name", flat=True))
    root = Path(settings.META_SPECS_DIR)
    if root.is_dir():
        names |= {p.name for p in root.iterdir() if (p / "tenant.yaml").is_file()}
    return sorted(names)


class ZipRejected(Exception):
    """An uploaded zip that cannot be imported; ``errors`` are located where possible."""

    def __init__(self, errors: list[str]):
        super().__init__("; ".join(errors))
        self.errors = errors


def _member_name(info: zipfile.ZipInfo) -> str | None:
    """The file name a member lands on (``*.yaml`` at the top or in one folder), None for folders."""
    name = info.filename
    if info.is_dir():
        return None
    path = PurePosixPath(name)
    if name.startswith(("/", "\\")) or "\\" in name or ".." in path.parts or ":" in name:
        raise ZipRejected([_("%(name)s: unsafe path in the zip") % {"name": name}])
    if (info.external_attr >> 16) & 0o170000 == 0o120000:
        raise ZipRejected([_("%(name)s: symbolic links are not allowed") % {"name": name}])
    if len(path.parts) > 2:
        raise ZipRejected(
            [_("%(name)s: the zip may hold one folder level at most") % {"name": name}]
        )
    return name


def read_zip(data: bytes) -> dict[str, str]:
    """The spec files of an uploaded zip (name -> text); ZipRejected for anything unsafe or unusable."""
    if len(data) > ZIP_MAX_BYTES:
        raise ZipRejected([_("the zip is larger than %(n)d bytes") % {"n": ZIP_MAX_BYTES}])
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise ZipRejected([_("not a zip file")]) from None
    if len(infos) > ZIP_MAX_MEMBERS:
        raise ZipRejected([_("the zip has more than %(n)d entries") % {"n": ZIP_MAX_MEMBERS}])
    if sum(i.file_size for i in infos) > ZIP_MAX_UNPACKED:
        raise ZipRejected([_("the zip unpacks to more than %(n)d bytes") % {"n": ZIP_MAX_UNPACKED}])
    files: dict[str, str] = {}
    tops: set[str] = set()
    errors: list[str] = []
    for info in infos:
        name = _member_name(info)
        if name is None:
            continue
        path = PurePosixPath(name)
        if path.name.startswith(".") or path.parts[0] in ("__MACOSX",):
            continue
        if path.suffix not in (".yaml", ".yml"):
            errors.append(_("%(name)s: only .yaml files belong in a spec zip") % {"name": name})
            continue
        tops.add(path.parts[0] if len(path.parts) == 2 else "")
        try:
            raw = archive.read(info)
        except (zipfile.BadZipFile, OSError, RuntimeError):
            errors.append(_("%(name)s: cannot be read from the zip") % {"name": name})
            continue
        if len(raw) != info.file_size:
            errors.append(_("%(name)s: size does not match the zip's directory") % {"name": name})
            continue
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            errors.append(
                _("%(name)s: not UTF-8 text (byte %(pos)d)") % {"name": name, "pos": exc.start}
            )
            continue
        if path.name in files:
            errors.append(_("%(name)s: the zip holds this file twice") % {"name": path.name})
        files[path.name] = text
    if len(tops) > 1:
        errors.append(_("the files of the zip must all be in one folder"))
    if not errors and "tenant.yaml" not in files:
        errors.append(_("tenant.yaml: missing from the zip"))
    if errors:
        raise ZipRejected(errors)
    return files


def validate_files(files: dict[str, str]) -> Spec:
    """Validate spec files given as text (in a scratch folder); raises SpecInvalid."""
    with tempfile.TemporaryDirectory(prefix="erpsys-spec-") as scratch:
        folder = Path(scratch) / "spec"
        folder.mkdir()
        for name, text in files.items():
            (folder / name).write_text(text, encoding="utf-8")
        try:
            return validate_folder(folder)
        except SpecInvalid as exc:
            # Locate errors by the file's own name, not the scratch folder's.
            raise SpecInvalid(
                [
                    dataclasses.replace(
                        e, location=dataclasses.replace(e.location, file=Path(e.location.file).name)
                    )
                    if e.location
                    else e
                    for e in exc.errors
                ]
            ) from None


@transaction.atomic
def import_files(files: dict[str, str]) -> Spec:
    """Validate, load into the design DB and write into the tenant's folder; nothing changes on error.

    The files are written as they were given (comments kept) and stale ``*.yaml`` files removed.
    """
    from design.services import spec_apply

    spec = validate_files(files)
    row = spec_apply(spec=spec)
    folder = spec_folder(spec.tenant.name)
    write_files(files=files, folder=folder)
    sync_record(row, spec)
    return spec


def zip_bytes(tenant: str) -> bytes:
    """The tenant's spec folder as a zip (files under ``<tenant>/``)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in folder_files(spec_folder(tenant)).items():
            info = zipfile.ZipInfo(f"{tenant}/{name}", date_time=(2000, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, text.encode("utf-8"))
    return buffer.getvalue()


def new_tenant_files(name: str, label: str) -> dict[str, str]:
    """The files of an empty tenant: its tenant.yaml, in the export's own format."""
    from design.specs.model import TenantSpec

    spec = Spec(tenant=TenantSpec(name=name, label=label, language="zh-hans"))
    return spec_to_files(spec)


def create_tenant(name: str, label: str) -> Spec:
    """A new tenant from nothing: validated, written atomically, loaded; SpecInvalid changes nothing."""
    if spec_folder(name).exists() or Tenant.objects.filter(name=name).exists():
        raise SpecInvalid(
            [
                SpecError(
                    None,
                    "tenant.name",
                    f"a tenant named {name!r} exists already",
                    SpecErrorCode.DUPLICATE,
                )
            ]
        )
    return import_files(new_tenant_files(name, label))
