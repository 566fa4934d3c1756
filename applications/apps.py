"""What every generated app builds on: base models, base admin, the tenant site and URLs."""

from django.apps import AppConfig
from django.db.models.signals import m2m_changed, post_migrate, post_save
from django.utils.translation import gettext_lazy as _


class ApplicationsConfig(AppConfig):
    name = "applications"
    verbose_name = _("Applications")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from applications import seeding, signals
        from kernel.models import Operator

        post_migrate.connect(seeding.on_post_migrate, dispatch_uid="applications_seed_rows")
        post_save.connect(
            signals.on_operator_saved, sender=Operator, dispatch_uid="applications_operator_saved"
        )
        m2m_changed.connect(
            signals.on_operator_roles_changed,
            sender=Operator.roles.through,
            dispatch_uid="applications_operator_roles",
        )
