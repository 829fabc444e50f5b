"""Fault reports (报修, issue 10): reporting one on a resource, the caller's list, and the
managers' steps. Every rule is bookings.faults'; these views parse and format.

Reporting accepts ``multipart/form-data`` (with a ``photo``, checked as resource photos are,
the upload bounded while it streams in) or JSON (without).
"""

from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.authentication import IsBoundMember, request_member
from api.pagination import StandardPagination
from api.parsers import JSONParser
from api.v1.resource_photos import PhotoMultiPartParser
from api.v1.serializers.common import errors, list_errors
from api.v1.serializers.faults import (
    FaultAcknowledgeInputSerializer,
    FaultCreateInputSerializer,
    FaultDetailOutputSerializer,
    FaultOutputSerializer,
    FaultResolveInputSerializer,
    FaultUpdateInputSerializer,
)
from bookings.faults import (
    fault_acknowledge,
    fault_dismiss,
    fault_get,
    fault_list,
    fault_report_check,
    fault_report_create,
    fault_resolve,
    fault_update,
)
from bookings.models import FaultReport


class ResourceFaultCreateApi(APIView):
    permission_classes = [IsBoundMember]
    parser_classes = [PhotoMultiPartParser, JSONParser]

    @extend_schema(
        tags=["faults"],
        operation_id="resources_faults_create",
        request={
            "multipart/form-data": FaultCreateInputSerializer,
            "application/json": FaultCreateInputSerializer,
        },
        responses={201: FaultDetailOutputSerializer, **errors(400, 401, 403, 404, 503)},
    )
    def post(self, request: Request, resource_id: int) -> Response:
        """Report a fault on the resource: members who booked it and whose booking began within
        FAULT_REPORT_WINDOW_DAYS (180), its unit's managers and the secretariat (else 403
        `fault_report_not_allowed`). With `stop_instrument` the resource is closed from now
        for FAULT_DEFAULT_OUT_OF_SERVICE_DAYS (7) until a manager sets the expected return;
        the bookings it hits are cancelled and their bookers offered free slots. Photo
        refusals as for resource photos (`photo_not_image`, `photo_unsupported_format`,
        `photo_too_large`, `photo_too_many_pixels`)."""
        member = request_member(request)
        fault_report_check(actor=member, resource_id=resource_id)  # before reading a photo
        data = FaultCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        photo = values.get("photo")
        report = fault_report_create(
            actor=member,
            resource_id=resource_id,
            description=values["description"],
            urgency=values.get("urgency", "normal"),
            stop_instrument=values["stop_instrument"],
            photo=photo,
            photo_size=photo.size if photo is not None else 0,
        )
        report = fault_get(member=member, fault_id=report.pk)
        return Response(
            FaultDetailOutputSerializer(report, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )


class FaultListApi(ListAPIView):
    serializer_class = FaultOutputSerializer
    pagination_class = StandardPagination
    permission_classes = [IsBoundMember]

    def get_queryset(self) -> QuerySet[FaultReport]:
        return fault_list(member=request_member(self.request))

    @extend_schema(
        tags=["faults"], responses={200: FaultOutputSerializer(many=True), **list_errors(401, 403)}
    )
    def get(self, request: Request, *args: object, **kwargs: object) -> Response:
        """The fault reports the caller sees, newest first: their own; a unit manager's also
        those of their unit's resources; the secretariat's all."""
        return super().get(request, *args, **kwargs)


class FaultDetailApi(APIView):
    permission_classes = [IsBoundMember]

    @extend_schema(
        tags=["faults"], responses={200: FaultDetailOutputSerializer, **errors(401, 404)}
    )
    def get(self, request: Request, fault_id: int) -> Response:
        """One report the caller sees, with its history."""
        report = fault_get(member=request_member(request), fault_id=fault_id)
        return Response(FaultDetailOutputSerializer(report, context={"request": request}).data)


def _step_answer(request: Request, fault_id: int) -> Response:
    report = fault_get(member=request_member(request), fault_id=fault_id)
    return Response(FaultDetailOutputSerializer(report, context={"request": request}).data)


STEP_ERRORS = errors(400, 401, 403, 404, 409, 503)


class FaultAcknowledgeApi(APIView):
    permission_classes = [IsBoundMember]

    @extend_schema(
        tags=["faults"],
        request=FaultAcknowledgeInputSerializer,
        responses={200: FaultDetailOutputSerializer, **STEP_ERRORS},
    )
    def post(self, request: Request, fault_id: int) -> Response:
        """Acknowledge a report (open → acknowledged), optionally with the expected return
        date: the managers of the resource's unit and the secretariat. The reporter is told."""
        data = FaultAcknowledgeInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fault_acknowledge(actor=request_member(request), fault_id=fault_id, **data.validated_data)
        return _step_answer(request, fault_id)


class FaultUpdateApi(APIView):
    permission_classes = [IsBoundMember]

    @extend_schema(
        tags=["faults"],
        request=FaultUpdateInputSerializer,
        responses={200: FaultDetailOutputSerializer, **STEP_ERRORS},
    )
    def post(self, request: Request, fault_id: int) -> Response:
        """Move a report between `acknowledged` and `in_repair`, set the expected return date
        (a stopping report's closure then ends at the start of that day; an extension cancels
        the bookings it newly hits) or add a note. The reporter is told."""
        data = FaultUpdateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fault_update(actor=request_member(request), fault_id=fault_id, **data.validated_data)
        return _step_answer(request, fault_id)


class FaultResolveApi(APIView):
    permission_classes = [IsBoundMember]

    @extend_schema(
        tags=["faults"],
        request=FaultResolveInputSerializer,
        responses={200: FaultDetailOutputSerializer, **STEP_ERRORS},
    )
    def post(self, request: Request, fault_id: int) -> Response:
        """Resolve a report with a note; a stopping report's closure ends now (the bookings
        it cancelled stay cancelled). The reporter is told."""
        data = FaultResolveInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fault_resolve(actor=request_member(request), fault_id=fault_id, **data.validated_data)
        return _step_answer(request, fault_id)


class FaultDismissApi(APIView):
    permission_classes = [IsBoundMember]

    @extend_schema(
        tags=["faults"],
        request=FaultResolveInputSerializer,
        responses={200: FaultDetailOutputSerializer, **STEP_ERRORS},
    )
    def post(self, request: Request, fault_id: int) -> Response:
        """Dismiss a report (no fault found) with a note; as resolving otherwise."""
        data = FaultResolveInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fault_dismiss(actor=request_member(request), fault_id=fault_id, **data.validated_data)
        return _step_answer(request, fault_id)
