"""System checks: registered actions and instructions, resource ledgers that add up."""

from __future__ import annotations

from django.core import checks
from django.db.utils import DatabaseError


@checks.register(checks.Tags.compatibility)
def check_system_actions(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """kernel.E001: a system service of a tenant's newest revision names an unregistered action."""
    from django.db.models import Max

    from kernel.actions import action_names
    from kernel.models import Revision, ServiceDef

    try:
        # Revisions are created in order, so each tenant's newest has its highest pk.
        newest = Revision.objects.values("tenant_id").annotate(newest=Max("pk")).values("newest")
        rows = list(
            ServiceDef.objects.filter(revision_id__in=newest, kind="system").values_list(
                "revision__tenant__name", "name", "action"
            )
        )
    except DatabaseError:  # tables not migrated yet: nothing is published
        return []
    known = action_names()
    return [
        checks.Error(
            f"system service {tenant}.{service} uses action {action!r}, which is not registered",
            hint="register it with kernel.actions.register_action or settings.ERPSYS['ACTIONS']",
            id="kernel.E001",
        )
        for tenant, service, action in rows
        if (action or "") not in known
    ]


@checks.register(checks.Tags.compatibility)
def check_instructions(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """kernel.E002: every instruction of the spec format has a registered Syscall."""
    from kernel.instructions import INSTRUCTIONS
    from kernel.syscalls import SYSCALLS

    return [
        checks.Error(f"instruction {name!r} has no Syscall", id="kernel.E002")
        for name in INSTRUCTIONS
        if name not in SYSCALLS
    ]


@checks.register(checks.Tags.compatibility)
def check_resource_ledgers(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """kernel.E003: a resource's balance (free units) is not the sum of its ledger entries."""
    from kernel.resources.ledger import ledger_mismatches

    try:
        found = ledger_mismatches()
    except DatabaseError:  # tables not migrated yet: no resources
        return []
    return [
        checks.Error(
            f"resource {m.tenant}.{m.resource}: balance {m.balance} but its ledger adds up to "
            f"{m.ledger_sum} (last entry's balance: {m.last_balance})",
            hint="the stock, a capacity or an allocation was changed outside kernel.resources "
            "(stock goes through kernel.resources.stock_adjust)",
            id="kernel.E003",
        )
        for m in found
    ]
