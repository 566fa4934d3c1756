"""Kernel tables, one concept per module."""

from kernel.models.effect import Effect, PendingInstruction
from kernel.models.operator import Operator, Role
from kernel.models.process import Process, ProcessState
from kernel.models.resource import (
    Allocation,
    AllocationState,
    CapitalResource,
    DeviceResource,
    EquipmentResource,
    KnowledgeResource,
    MaterialResource,
    Resource,
    ResourceKind,
)
from kernel.models.revision import EventDef, Revision, RuleDef, ServiceDef, ViewDef
from kernel.models.runtime import ContextSnapshot, Decision, DecisionState, FanOut
from kernel.models.timer import TimerFiring

__all__ = [
    "ContextSnapshot",
    "Decision",
    "DecisionState",
    "EventDef",
    "FanOut",
    "Revision",
    "RuleDef",
    "ServiceDef",
    "ViewDef",
    "Allocation",
    "AllocationState",
    "CapitalResource",
    "DeviceResource",
    "Effect",
    "PendingInstruction",
    "EquipmentResource",
    "KnowledgeResource",
    "MaterialResource",
    "Operator",
    "Process",
    "ProcessState",
    "Resource",
    "ResourceKind",
    "Role",
    "TimerFiring",
]
