"""``manage.py spec validate|load|export``: the meta_specs folder <-> validator <-> design DB."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from design.specs.errors import SpecInvalid
from design.specs.loader import read_spec_folder
from design.specs.validate import tenant_folders, validate_folder
from design.specs.warnings import rule_warnings


def spec_folder(target: str) -> Path:
    """A tenant name means META_SPECS_DIR/<name>; anything containing '/' is a folder path."""
    return Path(target) if "/" in target else Path(settings.META_SPECS_DIR) / target


class Command(BaseCommand):
    help = "Validate, load or export a tenant's meta_specs."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        validate = sub.add_parser(
            "validate", help="validate a tenant (name or folder); exit 1 on errors"
        )
        validate.add_argument(
            "target", nargs="?", help="tenant name, or a folder path containing '/'"
        )
        validate.add_argument(
            "--all", action="store_true", help="every tenant folder in META_SPECS_DIR"
        )
        load = sub.add_parser("load", help="validate, then write the design DB in one transaction")
        load.add_argument("target", help="tenant name, or a folder path containing '/'")
        export = sub.add_parser("export", help="write the design DB of a tenant back to YAML")
        export.add_argument("tenant", help="tenant name")
        export.add_argument("--out", help="folder to write (default: META_SPECS_DIR/<tenant>)")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "validate":
            self.validate(options.get("target"), every=options["all"])
        elif action == "load":
            self.load(options["target"])
        else:
            self.export(options["tenant"], options.get("out"))

    def _report(self, errors: list) -> None:
        for error in errors:
            self.stderr.write(str(error))

    def validate(self, target: str | None, *, every: bool) -> None:
        if every == bool(target):
            raise CommandError("give a tenant name or folder, or --all (not both)")
        folders = tenant_folders() if every else [spec_folder(target)]
        if every and not folders:
            raise CommandError(
                f"no tenant folders (with a tenant.yaml) in {settings.META_SPECS_DIR}"
            )
        total = 0
        for folder in folders:
            try:
                spec = validate_folder(folder)
            except SpecInvalid as exc:
                self._report(exc.errors)
                total += len(exc.errors)
                self.stderr.write(f"{folder}: {len(exc.errors)} error(s)")
                continue
            warnings = rule_warnings(spec, read_spec_folder(Path(folder)))
            self._report(warnings)
            noted = f", {len(warnings)} warning(s)" if warnings else ""
            self.stdout.write(
                f"{spec.tenant.name}: OK ({len(spec.entities)} entities, {len(spec.services)} services{noted})"
            )
        if total:
            raise CommandError(f"{total} error(s) in {len(folders)} spec folder(s)")

    def load(self, target: str) -> None:
        from design.services import spec_load  # written by the design-DB helper

        try:
            tenant = spec_load(folder=spec_folder(target))
        except SpecInvalid as exc:
            self._report(exc.errors)
            raise CommandError(f"{len(exc.errors)} error(s); nothing was written") from None
        self.stdout.write(f"{tenant.name}: loaded into the design database")

    def export(self, tenant: str, out: str | None) -> None:
        from design.specs.export import export_tenant  # written by the design-DB helper

        folder = Path(out) if out else Path(settings.META_SPECS_DIR) / tenant
        written = export_tenant(tenant=tenant, folder=folder)
        self.stdout.write(f"{tenant}: wrote {len(written)} file(s) to {folder}")
