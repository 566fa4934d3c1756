"""Admin changelists that answer bad filter parameters with a message, never a 500.

Django's admin refuses lookups it can check (unknown fields) with ``?e=1``; a lookup the
database refuses only when it runs (``?label__regex=%5C``, ``?full_name__startswith=%00``,
a number out of range) raised a DatabaseError. ``SafeChangeListMixin`` runs the changelist's
query inside a savepoint: when the database refuses it, the operator sees "Invalid filter"
and the changelist without parameters. ``safe_changelists(site)`` mixes it into every
ModelAdmin registered on a site (the system admin and each tenant's admin).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.db import DatabaseError, transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _


class SafeChangeListMixin:
    """A changelist whose filters the database refuses -> a message and the unfiltered list."""

    def get_changelist_instance(self, request: HttpRequest) -> Any:
        try:
            with transaction.atomic(savepoint=True):
                return super().get_changelist_instance(request)
        except (DatabaseError, ValueError, OverflowError) as exc:
            messages.error(
                request,
                _("Invalid filter or search: the database refused it (%(reason)s).")
                % {"reason": str(exc).splitlines()[0][:120] if str(exc) else type(exc).__name__},
            )
            raise IncorrectLookupParameters(str(exc)) from exc


def safe_changelists(site: admin.AdminSite) -> None:
    """Mix SafeChangeListMixin into every ModelAdmin registered on ``site`` (idempotent)."""
    for model_admin in site._registry.values():
        cls = type(model_admin)
        if isinstance(model_admin, SafeChangeListMixin):
            continue
        model_admin.__class__ = type(f"Safe{cls.__name__}", (SafeChangeListMixin, cls), {})
