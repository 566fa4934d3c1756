"""Kernel tables, one concept per module."""

from kernel.models.operator import Operator, Role
from kernel.models.process import Process, ProcessState

__all__ = ["Operator", "Process", "ProcessState", "Role"]
