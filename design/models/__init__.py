"""The design layer's meta-models, one module each."""

from design.models.consists import DataItemConsists
from design.models.data_item import DataItem, DataItemKind
from design.models.event import Event
from design.models.form import Form, FormField
from design.models.job import DesignJob, PublishRecord, SpecSync
from design.models.menu import MenuItem
from design.models.operator import Operator, OperatorRole
from design.models.resource import Resource
from design.models.role import Role, RoleService
from design.models.rule import ServiceRule
from design.models.service import Service, ServiceRequirement, ServiceRole
from design.models.view import View, ViewColumn

__all__ = [
    "DataItem",
    "DataItemConsists",
    "DataItemKind",
    "DesignJob",
    "Event",
    "Form",
    "FormField",
    "MenuItem",
    "Operator",
    "OperatorRole",
    "PublishRecord",
    "Resource",
    "Role",
    "RoleService",
    "Service",
    "ServiceRequirement",
    "ServiceRole",
    "ServiceRule",
    "SpecSync",
    "View",
    "ViewColumn",
]
