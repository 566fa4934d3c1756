from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KernelConfig(AppConfig):
    name = "kernel"
    verbose_name = _("Kernel")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from kernel import checks, signals  # noqa: F401 - registers system checks and receivers
