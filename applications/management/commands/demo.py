"""``manage.py demo``: migrate, load and publish the demo tenant, create demo logins, start a few programs.

Each demo login gets its own random password, printed once when it is created (never stored in
clear, never the same for two logins). Operators who only do system services (the tenant's
bot) get no password at all: nobody can log in as them.
"""

from __future__ import annotations

import secrets

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

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
        parser.add_argument(
            "--password",
            default="",
            help="one password for every demo login (tests); default: a random one per login",
        )

    def handle(self, *args, tenant: str, program: str, password: str, **options) -> None:
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
        self._logins(tenant, password)
        started = self._programs(tenant, program)
        self.stdout.write(
            self.style.SUCCESS(
                f"\n{tenant} is ready ({started} new programs). Open http://127.0.0.1:8000/{tenant}/ "
                f"and log in as one of the operators above; API docs at /{tenant}/api/docs/, "
                "system administration at /admin/. Passwords are shown once, when a login is "
                "created: keep them (`manage.py changepassword <login>` sets a new one)."
            )
        )

    def _logins(self, tenant: str, password: str) -> None:
        """Give every person of the tenant a demo password (once); system operators get none."""
        from kernel.models import Operator

        user_model = get_user_model()
        admin, created = user_model.objects.get_or_create(
            username="admin", defaults={"is_staff": True, "is_superuser": True}
        )
        self.stdout.write("demo logins:")
        self._login(admin, "system administrator", new=created, password=password)
        system_services = _system_services(tenant)
        for operator in (
            Operator.objects.filter(tenant__name=tenant)
            .select_related("user")
            .prefetch_related("roles")
            .order_by("name")
        ):
            user = operator.user
            if user is None:
                continue
            roles = [role.name for role in operator.roles.all()]
            if _is_system_operator(roles, system_services):
                if user.has_usable_password():
                    user.set_unusable_password()
                    user.save(update_fields=["password"])
                self.stdout.write(f"  {user.username:<22} {operator.label}: system, no login")
                continue
            who = f"{operator.label} ({', '.join(roles)})"
            self._login(user, who, new=not user.has_usable_password(), password=password)

    def _login(self, user, who: str, *, new: bool, password: str) -> None:
        """Set a new login's password and print it: the only time it is ever shown."""
        shown = "login kept (its password was shown when it was created)"
        if new:
            shown = password or secrets.token_urlsafe(9)
            user.set_password(shown)
            user.save(update_fields=["password"])
            shown = f"password {shown}"
        self.stdout.write(f"  {user.get_username():<22} {who}: {shown}")

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


def _system_services(tenant: str) -> dict[str, bool]:
    """Role name -> whether every service of that role (newest revision) is a system service."""
    from kernel.models import Revision, ServiceDef

    revision = Revision.objects.filter(tenant__name=tenant).order_by("-id").first()
    kinds: dict[str, set[str]] = {}
    for role_names, kind in ServiceDef.objects.filter(revision=revision).values_list(
        "roles", "kind"
    ):
        for role in role_names:
            kinds.setdefault(role, set()).add(kind)
    return {role: found == {"system"} for role, found in kinds.items()}


def _is_system_operator(roles: list[str], system_roles: dict[str, bool]) -> bool:
    return bool(roles) and all(system_roles.get(role, False) for role in roles)
