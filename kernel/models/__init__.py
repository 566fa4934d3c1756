"""Kernel tables, one concept per module."""

from kernel.models.catalogue import Service
from kernel.models.effect import Effect, PendingInstruction
from kernel.models.incident import Incident, IncidentState
from kernel.models.operator import Operator, Role
from kernel.models.process import Process, ProcessState, in_tree
from kernel.models.resource import (
    Allocation,
    AllocationState,
    CapitalResource,
    DeviceResource,
    EquipmentResource,
    KnowledgeResource,
    LedgerEntry,
    LedgerReason,
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
    "Incident",
    "IncidentState",
    "PendingInstruction",
    "EquipmentResource",
    "KnowledgeResource",
    "LedgerEntry",
    "LedgerReason",
    "MaterialResource",
    "Operator",
    "Process",
    "ProcessState",
    "in_tree",
    "Resource",
    "ResourceKind",
    "Role",
    "Service",
    "TimerFiring",
]
