"""Kernel REST endpoints of one tenant: thin views that parse input, call kernel.services, render.

Every view is behind the tenant gate (an active operator of ``tenant``; anonymous -> 401, an
outsider -> 403) and reads processes of the request's tenant only (another tenant's pid -> 404).
Every error body is ``{"code": ..., "detail": ...}`` (plus ``errors`` for field errors).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from django.db import models
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import APIView, exception_handler

from applications.permissions import TenantOperatorPermission
from applications.tenancy import entity_model, operator_of
from kernel import selectors, services
from kernel.api import serializers as s
from kernel.api.columns import task_rows, view_for
from kernel.errors import KernelError, KernelErrorCode
from kernel.models import Operator, Process

# Kernel error code -> HTTP status; any other code is a 400.
ERROR_STATUS = {
    KernelErrorCode.ILLEGAL_TRANSITION: status.HTTP_409_CONFLICT,
    KernelErrorCode.RESOURCE_SHORT: status.HTTP_409_CONFLICT,
    KernelErrorCode.DECISION_CLOSED: status.HTTP_409_CONFLICT,
    KernelErrorCode.INCIDENT_CLOSED: status.HTTP_409_CONFLICT,
    KernelErrorCode.NOT_PERMITTED: status.HTTP_403_FORBIDDEN,
    KernelErrorCode.TENANT_MISMATCH: status.HTTP_403_FORBIDDEN,
    KernelErrorCode.NOT_FOUND: status.HTTP_404_NOT_FOUND,
}

ERRORS = {
    400: OpenApiResponse(s.ErrorSerializer, description="invalid input (coded)"),
    401: OpenApiResponse(s.ErrorSerializer, description="not signed in"),
    403: OpenApiResponse(s.ErrorSerializer, description="not an operator here / not_permitted"),
    404: OpenApiResponse(s.ErrorSerializer, description="no such process in this tenant"),
}
ACTION_ERRORS = {
    **ERRORS,
    409: OpenApiResponse(s.ErrorSerializer, description="illegal_transition"),
}


def kernel_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """KernelError -> its code and status; DRF errors -> the same ``{code, detail}`` body."""
    if isinstance(exc, KernelError):
        code = str(exc.code)
        body: dict[str, Any] = {"code": code, "detail": exc.message}
        if exc.details.get("errors"):
            body["errors"] = exc.details["errors"]
        return Response(body, status=ERROR_STATUS.get(code, status.HTTP_400_BAD_REQUEST))
    response = exception_handler(exc, context)
    if response is None or not isinstance(exc, exceptions.APIException):
        return response
    if isinstance(exc, exceptions.ValidationError):
        errors = response.data if isinstance(response.data, dict) else {"body": response.data}
        response.data = {
            "code": str(KernelErrorCode.INVALID_PARAMS),
            "detail": "invalid request",
            "errors": errors,
        }
    else:
        detail = exc.detail
        if isinstance(detail, dict):  # e.g. simplejwt's InvalidToken: {"detail", "code", ...}
            code, text = detail.get("code"), detail.get("detail", "")
        else:
            code, text = getattr(detail, "code", None), detail
        response.data = {"code": str(code or exc.default_code), "detail": str(text)}
    return response


class KernelAPIView(APIView):
    """The tenant gate, coded errors, and the request's operator and processes."""

    tenant: ClassVar[str] = ""
    permission_classes = [TenantOperatorPermission]

    def get_exception_handler(self):
        return kernel_exception_handler

    @property
    def operator(self) -> Operator:
        operator = operator_of(self.request.user, self.tenant)
        if operator is None:  # the gate lets no one else in; keep the invariant explicit
            raise exceptions.PermissionDenied()
        return operator

    def process_or_404(self, pid: int) -> Process:
        """The tenant's process ``pid`` with what rendering needs; another tenant's -> 404."""
        process = (
            Process.objects.select_related(
                "service", "operator", "entity_type", "record_type", "tenant"
            )
            .filter(tenant_id=self.operator.tenant_id, pk=pid)
            .first()
        )
        if process is None:
            raise exceptions.NotFound(f"no process {pid}")
        return process

    def render(self, pid: int, code: int = status.HTTP_200_OK) -> Response:
        return Response(s.process_data(self.process_or_404(pid)), status=code)


def _entity(*, tenant: str, ref: Mapping[str, Any] | None) -> models.Model | None:
    """The row ``{"type": entity name, "id": pk}`` of the tenant's generated app."""
    if ref is None:
        return None
    model = entity_model(tenant, ref["type"])
    if model is None:
        raise KernelError(KernelErrorCode.UNKNOWN_ENTITY, f"no entity {ref['type']!r}")
    row = model._default_manager.filter(pk=ref["id"]).first()
    if row is None:
        raise KernelError(KernelErrorCode.UNKNOWN_ENTITY, f"no {ref['type']} {ref['id']}")
    return row


class ProcessStartView(KernelAPIView):
    @extend_schema(
        operation_id="process_start",
        request=s.ProcessStartSerializer,
        responses={201: s.ProcessSerializer, **ERRORS},
        summary="Start a program (or a manual-start service) on an entity",
    )
    def post(self, request, *args, **kwargs) -> Response:
        body = s.ProcessStartSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        operator = self.operator
        program = body.validated_data["program"]
        services.check_startable(tenant=operator.tenant, program=program)
        entity = _entity(tenant=self.tenant, ref=body.validated_data.get("entity"))
        process = services.process_start(
            tenant=operator.tenant, program=program, entity=entity, operator=operator
        )
        return self.render(process.pk, status.HTTP_201_CREATED)


class ProcessDetailView(KernelAPIView):
    @extend_schema(
        operation_id="process_detail",
        responses={200: s.ProcessSerializer, **ERRORS},
        summary="A process: state, service, parent, children, record, context",
    )
    def get(self, request, pid: int, *args, **kwargs) -> Response:
        process = self.process_or_404(pid)
        record = process.service.record if process.service is not None else None
        if record and not request.user.has_perm(view_permission(record)):
            raise exceptions.PermissionDenied(
                "you may not view this task's record (the same right as its own endpoint)"
            )
        return Response(s.process_data(process))


def view_permission(model_label: str) -> str:
    """``<app>.view_<model>``: the permission a record's own endpoint asks for a read."""
    app_label, model_name = model_label.lower().split(".")
    return f"{app_label}.view_{model_name}"


class TaskListView(KernelAPIView):
    @extend_schema(
        operation_id="task_list",
        parameters=[s.TaskListQuerySerializer],
        responses={200: s.TaskListSerializer, **ERRORS},
        summary="The operator's task list (public, mine or an entity's), with the view's columns",
    )
    def get(self, request, *args, **kwargs) -> Response:
        query = s.TaskListQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        scope = query.validated_data["scope"]
        operator = self.operator
        entity = None
        if scope == "entity":
            if "entity" not in query.validated_data:
                raise exceptions.ValidationError({"entity": ["required for scope=entity"]})
            entity = selectors.entity_by_erpsys_id(
                tenant=self.tenant, erpsys_id=query.validated_data["entity"]
            )
        if scope == "entity":
            tasks = selectors.task_list(operator=operator, scope=scope, entity=entity)
        else:  # a queryset: the page is one LIMIT query and a COUNT, whatever the list's length
            tasks = selectors.task_queryset(operator=operator, scope=scope)
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(tasks, request, view=self)
        view_name, columns = view_for(tenant_id=operator.tenant_id, scope=scope)
        from kernel.api.incidents import with_incidents

        return Response(
            {
                "count": paginator.page.paginator.count,
                "next": paginator.get_next_link(),
                "previous": paginator.get_previous_link(),
                "view": view_name,
                "columns": columns,
                "results": with_incidents(task_rows(list(page), columns)),
            }
        )


class TaskActionView(KernelAPIView):
    """POST one action on a task of this tenant; 200 with the process."""

    def perform(self, process: Process, operator: Operator) -> None:
        raise NotImplementedError

    def post(self, request, pid: int, *args, **kwargs) -> Response:
        process = self.process_or_404(pid)
        self.perform(process, self.operator)
        return self.render(pid)


def _action_schema(summary: str, request: Any = None):
    return extend_schema(
        request=request, responses={200: s.ProcessSerializer, **ACTION_ERRORS}, summary=summary
    )


class TaskClaimView(TaskActionView):
    @_action_schema("Claim and start the task")
    def post(self, request, pid: int, *args, **kwargs) -> Response:
        return super().post(request, pid, *args, **kwargs)

    def perform(self, process: Process, operator: Operator) -> None:
        services.task_claim(process=process, operator=operator)


class TaskCompleteView(TaskActionView):
    @_action_schema(
        "Save the task's record from the body and complete the task", OpenApiTypes.OBJECT
    )
    def post(self, request, pid: int, *args, **kwargs) -> Response:
        return super().post(request, pid, *args, **kwargs)

    def perform(self, process: Process, operator: Operator) -> None:
        data = self.request.data
        if hasattr(data, "dict"):  # a form body (QueryDict)
            data = data.dict()
        if not isinstance(data, Mapping):
            raise exceptions.ValidationError({"body": ["a JSON object of record fields"]})
        services.task_complete(process=process, operator=operator, data=dict(data), serialized=True)


class TaskSuspendView(TaskActionView):
    @_action_schema("Put the task aside")
    def post(self, request, pid: int, *args, **kwargs) -> Response:
        return super().post(request, pid, *args, **kwargs)

    def perform(self, process: Process, operator: Operator) -> None:
        services.task_suspend(process=process, operator=operator)


class TaskResumeView(TaskActionView):
    @_action_schema("Take a suspended task up again")
    def post(self, request, pid: int, *args, **kwargs) -> Response:
        return super().post(request, pid, *args, **kwargs)

    def perform(self, process: Process, operator: Operator) -> None:
        services.task_resume(process=process, operator=operator)


class TaskCancelView(TaskActionView):
    @_action_schema("Cancel the task")
    def post(self, request, pid: int, *args, **kwargs) -> Response:
        return super().post(request, pid, *args, **kwargs)

    def perform(self, process: Process, operator: Operator) -> None:
        services.task_cancel(process=process, operator=operator)


class TaskShiftView(TaskActionView):
    @_action_schema("Hand the task to another operator", s.TaskShiftSerializer)
    def post(self, request, pid: int, *args, **kwargs) -> Response:
        return super().post(request, pid, *args, **kwargs)

    def perform(self, process: Process, operator: Operator) -> None:
        body = s.TaskShiftSerializer(data=self.request.data)
        body.is_valid(raise_exception=True)
        name = body.validated_data["operator"]
        to_operator = Operator.objects.filter(
            tenant_id=operator.tenant_id, name=name, is_active=True
        ).first()
        if to_operator is None:
            raise KernelError(KernelErrorCode.UNKNOWN_OPERATOR, f"no active operator {name!r}")
        services.task_shift(process=process, operator=operator, to_operator=to_operator)


class TaskDecideView(TaskActionView):
    @_action_schema("Answer the decision waiting on this task", s.TaskDecideSerializer)
    def post(self, request, pid: int, *args, **kwargs) -> Response:
        return super().post(request, pid, *args, **kwargs)

    def perform(self, process: Process, operator: Operator) -> None:
        body = s.TaskDecideSerializer(data=self.request.data)
        body.is_valid(raise_exception=True)
        services.decision_answer_for(
            process=process, rule_id=body.validated_data["rule"], operator=operator
        )
