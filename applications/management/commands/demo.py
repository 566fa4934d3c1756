"""``manage.py demo``: migrate, load and publish the demo tenant, create demo logins, start a few programs."""

from __future__ import annotations

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

DEMO_PASSWORD = "erpsys-demo"  # demo only: printed on the console, never used outside `make demo`
DEMO_CUSTOMERS = (
    {"full_name": "刘小姐", "phone": "138 0000 0001", "age": 31},
    {"full_name": "陈先生", "phone": "138 0000 0002", "age": 45},
    {"full_name": "周女士", "phone": "138 0000 0003", "age": 28},
)


class Command(BaseCommand):
    help = "Set up the demo tenant (clinic): migrate, spec load, publish, demo logins and programs."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--tenant", default="clinic")
        parser.add_argument("--program", default="customer_service")

    def handle(self, *args, tenant: str, program: str, **options) -> None:
        folder = settings.META_SPECS_DIR / tenant
        if not apps.is_installed(f"generated.{tenant}"):
            raise CommandError(
                f"generated/{tenant}/ is missing: run `python manage.py generate {tenant}` first"
            )
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write(
            f"migrated {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]} database"
        )
        call_command("spec", "load", str(folder), stdout=self.stdout)
        call_command("publish", tenant, stdout=self.stdout)
        self._logins(tenant)
        started = self._programs(tenant, program)
        self.stdout.write(
            self.style.SUCCESS(
                f"\n{tenant} is ready ({started} new programs). Open http://127.0.0.1:8000/{tenant}/ "
                f"and log in as one of the operators above with password {DEMO_PASSWORD!r}; "
                f"API docs at /{tenant}/api/docs/, system admin at /admin/ (admin / {DEMO_PASSWORD})."
            )
        )

    def _logins(self, tenant: str) -> None:
        """Give every seeded operator of the tenant a demo password, and create the system admin."""
        from kernel.models import Operator

        user_model = get_user_model()
        admin, created = user_model.objects.get_or_create(
            username="admin", defaults={"is_staff": True, "is_superuser": True}
        )
        if created:
            admin.set_password(DEMO_PASSWORD)
            admin.save()
        self.stdout.write("demo logins:")
        for operator in (
            Operator.objects.filter(tenant__name=tenant).select_related("user").order_by("name")
        ):
            user = operator.user
            if user is not None and not user.has_usable_password():
                user.set_password(DEMO_PASSWORD)
                user.save(update_fields=["password"])
            roles = ", ".join(operator.roles.values_list("name", flat=True))
            self.stdout.write(f"  {user.username if user else '-':<12} {operator.label} ({roles})")

    @transaction.atomic
    def _programs(self, tenant: str, program: str) -> int:
        """Create the demo customers once and start the standard program on each."""
        from django.contrib.contenttypes.models import ContentType

        from kernel.models import Process
        from kernel.services import process_start

        customer_model = apps.get_model(tenant, "Customer")
        customer_type = ContentType.objects.get_for_model(customer_model)
        started = 0
        for values in DEMO_CUSTOMERS:
            customer, created = customer_model.objects.get_or_create(
                full_name=values["full_name"], defaults={**values, "label": values["full_name"]}
            )
            if (
                created
                or not Process.objects.filter(
                    entity_type=customer_type, entity_id=customer.pk, parent=None
                ).exists()
            ):
                process_start(tenant=tenant, program=program, entity=customer)
                started += 1
        return started
