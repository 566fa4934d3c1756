from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DesignConfig(AppConfig):
    name = "design"
    verbose_name = _("Design")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.utils.autoreload import autoreload_started

        from design.reload import watch_generated_apps

        # runserver restarts when the designer generates a new tenant's app (design/reload.py).
        autoreload_started.connect(watch_generated_apps, dispatch_uid="design_generated_apps")
