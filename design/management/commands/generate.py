"""``manage.py generate``: render tenants' specs into generated/<tenant>/ and make their migrations."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from design.codegen.emit import EmitResult, emit_app
from design.codegen.errors import CodegenError
from design.specs.errors import SpecInvalid
from design.specs.model import Spec


def example_specs_dir() -> Path:
    """Where committed example tenants without a meta_specs folder (repair_shop) take their spec."""
    default = Path(settings.BASE_DIR).parent / "shared" / "specs"
    return Path(os.environ.get("ERPSYS_EXAMPLE_SPECS_DIR", str(default)))


def tenant_sources(generated_dir: Path) -> dict[str, Path]:
    """tenant name -> spec folder for ``--all``: meta_specs/*, plus committed example apps' specs."""
    from design.specs.validate import tenant_folders

    sources = {folder.name: folder for folder in tenant_folders()}
    if generated_dir.is_dir():
        for app in sorted(generated_dir.iterdir()):
            example = example_specs_dir() / app.name
            if (
                (app / "apps.py").is_file()
                and app.name not in sources
                and (example / "tenant.yaml").is_file()
            ):
                sources[app.name] = example
    return dict(sorted(sources.items()))


class Command(BaseCommand):
    help = "Generate the Django app of a tenant (or --all) from its spec; --check writes nothing."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "tenant", nargs="?", help="tenant name (its folder under META_SPECS_DIR)"
        )
        parser.add_argument("--all", action="store_true", help="every tenant and committed example")
        parser.add_argument("--spec-dir", help="read the spec from this folder instead")
        parser.add_argument("--from-db", action="store_true", help="render from the design DB rows")
        parser.add_argument(
            "--check", action="store_true", help="write nothing; exit 1 if anything would change"
        )
        parser.add_argument(
            "--plan", action="store_true", help="print the pending migration plan; write nothing"
        )
        parser.add_argument(
            "--allow-destructive",
            action="store_true",
            help="write a migration that drops or narrows data",
        )
        parser.add_argument("--generated-dir", help="output root (default settings.GENERATED_DIR)")

    def handle(self, *args: Any, **options: Any) -> None:
        generated_dir = Path(options["generated_dir"] or settings.GENERATED_DIR)
        if options["all"] == bool(options["tenant"]):
            raise CommandError("give a tenant name or --all")
        if options["all"]:
            if options["spec_dir"] or options["from_db"]:
                raise CommandError("--spec-dir and --from-db take one tenant")
            targets = list(tenant_sources(generated_dir).items())
        else:
            folder = (
                Path(options["spec_dir"])
                if options["spec_dir"]
                else Path(settings.META_SPECS_DIR) / options["tenant"]
            )
            targets = [(options["tenant"], folder)]
        failed = False
        for tenant, folder in targets:
            spec = self._spec(tenant, folder, from_db=options["from_db"])
            if spec is None:
                failed = True
                continue
            try:
                result = emit_app(
                    spec=spec,
                    generated_dir=generated_dir,
                    check=options["check"],
                    plan_only=options["plan"],
                    allow_destructive=options["allow_destructive"],
                )
            except CodegenError as exc:
                self.stderr.write(f"{tenant}: {exc.code}: {exc}")
                failed = True
                continue
            failed |= self._report(result, check=options["check"], plan=options["plan"])
        if failed:
            raise SystemExit(1)

    def _spec(self, tenant: str, folder: Path, *, from_db: bool) -> Spec | None:
        if from_db:
            from design.selectors import spec_get

            return spec_get(tenant=tenant)
        from design.specs.validate import validate_folder

        try:
            spec = validate_folder(folder)
        except SpecInvalid as exc:
            for error in exc.errors:
                self.stderr.write(str(error))
            self.stderr.write(f"{tenant}: {len(exc.errors)} error(s); nothing written")
            return None
        if spec.tenant.name != tenant:
            self.stderr.write(
                f"{folder}: the spec is of tenant {spec.tenant.name!r}, not {tenant!r}"
            )
            return None
        return spec

    def _report(self, result: EmitResult, *, check: bool, plan: bool) -> bool:
        """Print what happened; True when this tenant makes the command fail."""
        tenant = result.tenant
        if plan or result.refused or (check and result.plan):
            self.stdout.write(f"{tenant}: migration plan ({len(result.plan)} operation(s))")
            for item in result.plan:
                reason = f" - {item.reason}" if item.reason else ""
                self.stdout.write(f"  [{item.safety}] {item.description}{reason}")
        if result.refused:
            self.stderr.write(
                f"{tenant}: refusing to write a destructive migration; nothing was written."
                " Re-run with --allow-destructive after backing up the data."
            )
            return True
        if check:
            for path in result.changed:
                self.stdout.write(f"{tenant}/{path}: would change")
            for path in result.removed:
                self.stdout.write(f"{tenant}/{path}: would be removed")
            if result.migration_missing:
                self.stdout.write(f"{tenant}: a migration is missing")
            if result.up_to_date:
                self.stdout.write(f"{tenant}: up to date")
            return not result.up_to_date
        if plan:
            return False
        for path in [*result.changed, *result.migrations]:
            self.stdout.write(f"{tenant}/{path}: written")
        for path in result.removed:
            self.stdout.write(f"{tenant}/{path}: removed")
        if not (result.changed or result.migrations or result.removed):
            self.stdout.write(f"{tenant}: unchanged")
        return False
