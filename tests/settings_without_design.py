"""The project's settings without the design app: what a runtime-only deployment installs."""

from erpsys.settings import *  # noqa: F403 - the same settings, one app fewer
from erpsys.settings import INSTALLED_APPS as _ALL_APPS

INSTALLED_APPS = [app for app in _ALL_APPS if app != "design"]
