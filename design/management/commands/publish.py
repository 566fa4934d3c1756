"""``manage.py publish <tenant>``: compile the tenant's spec into a new kernel revision."""

from django.core.management.base import BaseCommand, CommandError

from design.publish import revision_publish
from design.specs.errors import SpecInvalid
from kernel.errors import KernelError


class Command(BaseCommand):
    help = "Compile a tenant's services, rules, events, roles, resources and views into a new revision."

    def add_arguments(self, parser) -> None:
        parser.add_argument("tenant")

    def handle(self, *args, tenant: str, **options) -> None:
        try:
            revision, created = revision_publish(tenant=tenant)
        except KernelError as exc:
            raise CommandError(f"{exc.code}: {exc.message}") from exc
        except SpecInvalid as exc:
            raise CommandError("\n".join(str(e) for e in exc.errors)) from exc
        if created:
            self.stdout.write(
                f"{tenant}: published revision {revision.number} (spec {revision.spec_hash[:12]})"
            )
        else:
            self.stdout.write(f"{tenant}: unchanged, revision {revision.number} is current")
