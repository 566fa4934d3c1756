"""Kernel REST endpoints for incidents: list the open ones, retry or skip one (thin, coded errors)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response

from kernel import selectors, services
from kernel.api import serializers as s
from kernel.api.views import ERRORS, KernelAPIView
from kernel.errors import KernelErrorCode
from kernel.models import Incident, IncidentState


class IncidentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    pid = serializers.IntegerField(help_text="the process in ERROR")
    subject = serializers.IntegerField(help_text="the process whose event fired the rule")
    program = serializers.IntegerField()
    service = serializers.CharField(allow_null=True, help_text="the service of the process")
    rule = serializers.CharField()
    event = serializers.CharField()
    code = serializers.CharField()
    reason = serializers.CharField()
    failed_from = serializers.CharField()
    attempts = serializers.IntegerField()
    state = serializers.ChoiceField(choices=IncidentState.values)
    created = serializers.DateTimeField()


def incident_data(incident: Incident) -> dict[str, Any]:
    service = incident.process.service
    return {
        "id": incident.pk,
        "pid": incident.process_id,
        "subject": incident.subject_id,
        "program": incident.program_id,
        "service": service.name if service is not None else None,
        "rule": str(incident.rule),
        "event": incident.event,
        "code": incident.code,
        "reason": incident.reason,
        "failed_from": incident.failed_from,
        "attempts": incident.attempts,
        "state": incident.state,
        "created": incident.created.isoformat(),
    }


def with_incidents(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Add ``incident`` (``{id, code, reason}`` of the open one, else null) to task rows in ERROR."""
    failed = [row["pid"] for row in rows if row["state"] == "ERROR"]
    found: dict[int, dict[str, Any]] = {}
    if failed:
        for pk, pid, code, reason in (
            Incident.objects.filter(process_id__in=failed, state=IncidentState.OPEN)
            .order_by("pk")
            .values_list("pk", "process_id", "code", "reason")
        ):
            found[pid] = {"id": pk, "code": code, "reason": reason}
    for row in rows:
        if row["state"] == "ERROR":
            row["incident"] = found.get(row["pid"])
    return rows


RESOLVE_ERRORS = {
    **ERRORS,
    409: OpenApiResponse(s.ErrorSerializer, description="incident_closed / rule_failed"),
}


class IncidentListView(KernelAPIView):
    @extend_schema(
        operation_id="incident_list",
        responses={200: IncidentSerializer(many=True), **ERRORS},
        summary="Open incidents (failed rules) the operator's roles may resolve",
    )
    def get(self, request, *args, **kwargs) -> Response:
        return Response([incident_data(i) for i in selectors.incident_list(operator=self.operator)])


class IncidentResolveView(KernelAPIView):
    """POST retry/ or skip/ on an incident of this tenant; 200 with the incident."""

    def incident_or_404(self, pk: int) -> Incident:
        incident = (
            Incident.objects.select_related("process__service", "rule")
            .filter(tenant_id=self.operator.tenant_id, pk=pk)
            .first()
        )
        if incident is None:
            raise exceptions.NotFound(f"no incident {pk}")
        return incident

    def resolve(self, incident: Incident) -> Incident:
        raise NotImplementedError

    def post(self, request, pk: int, *args, **kwargs) -> Response:
        incident = self.resolve(self.incident_or_404(pk))
        body = incident_data(self.incident_or_404(incident.pk))
        if incident.state == IncidentState.OPEN:  # the rule failed again
            error = {
                "code": KernelErrorCode.RULE_FAILED,
                "detail": incident.reason,
                "incident": body,
            }
            return Response(error, status=status.HTTP_409_CONFLICT)
        return Response(body)


class IncidentRetryView(IncidentResolveView):
    @extend_schema(
        operation_id="incident_retry",
        request=None,
        responses={200: IncidentSerializer, **RESOLVE_ERRORS},
        summary="Run the failed rule again (after a fix); 409 rule_failed if it fails again",
    )
    def post(self, request, pk: int, *args, **kwargs) -> Response:
        return super().post(request, pk, *args, **kwargs)

    def resolve(self, incident: Incident) -> Incident:
        return services.incident_retry(incident=incident, operator=self.operator)


class IncidentSkipView(IncidentResolveView):
    @extend_schema(
        operation_id="incident_skip",
        request=None,
        responses={200: IncidentSerializer, **RESOLVE_ERRORS},
        summary="Carry on as if the failed rule had not fired",
    )
    def post(self, request, pk: int, *args, **kwargs) -> Response:
        return super().post(request, pk, *args, **kwargs)

    def resolve(self, incident: Incident) -> Incident:
        return services.incident_skip(incident=incident, operator=self.operator)
