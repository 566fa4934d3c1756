from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DesignConfig(AppConfig):
    name = "design"
    verbose_name = _("Design")
    default_auto_field = "django.db.models.BigAutoField"
