"""Keep each operator's user in its roles' groups when the operator or its roles change."""

from __future__ import annotations

from typing import Any

from applications.permissions import operator_sync_groups


def on_operator_saved(sender: Any, instance: Any, **kwargs: Any) -> None:
    """``post_save`` of kernel.Operator: re-sync its user's role groups."""
    if kwargs.get("raw"):
        return
    operator_sync_groups(instance)


def on_operator_roles_changed(sender: Any, instance: Any, action: str, **kwargs: Any) -> None:
    """``m2m_changed`` of Operator.roles, from either side."""
    if action not in ("post_add", "post_remove", "post_clear", "pre_clear"):
        return
    from kernel.models import Operator, Role

    if isinstance(instance, Operator):
        if action != "pre_clear":
            operator_sync_groups(instance)
        return
    if isinstance(instance, Role):
        if action == "pre_clear":
            # After the clear the role no longer knows its operators: remember them now.
            instance._erpsys_cleared = list(instance.operators.all())
            return
        if action == "post_clear":
            operators = getattr(instance, "_erpsys_cleared", [])
        else:
            operators = Operator.objects.filter(pk__in=kwargs.get("pk_set") or ())
        for operator in operators:
            operator_sync_groups(operator)
