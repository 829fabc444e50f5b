"""Sample orders (送样检测, issue 10): submitting one for a resource, the requester's list,
the handlers' queue, one order with its history, each step, the report upload and its
download. Every rule is bookings.samples'; these views parse and format.

The report upload is ``multipart/form-data`` (one ``files`` part per file); its parser stops
reading a file as soon as it passes SAMPLE_REPORT_MAX_BYTES (400 ``sample_report_too_large``).
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler
from django.db.models import QuerySet
from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import parsers, status
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.authentication import IsBoundMember, request_member
from api.pagination import StandardPagination
from api.v1.serializers.common import errors, list_errors
from api.v1.serializers.samples import (
    SampleAcceptInputSerializer,
    SampleCancelInputSerializer,
    SampleNoteInputSerializer,
    SampleOrderCreateInputSerializer,
    SampleOrderDetailOutputSerializer,
    SampleOrderOutputSerializer,
    SampleRefuseInputSerializer,
    SampleReportInputSerializer,
)
from bookings.models import SampleHazard, SampleOrder, SampleStatus
from bookings.sample_files import report_size_check
from bookings.sample_selectors import (
    sample_order_get,
    sample_order_list_handled,
    sample_order_list_mine,
    sample_report_file_get,
)
from bookings.samples import (
    ReportUpload,
    sample_order_accept,
    sample_order_cancel,
    sample_order_confirm,
    sample_order_receive,
    sample_order_refuse,
    sample_order_report,
    sample_order_start_testing,
    sample_order_submit,
)

TAGS = ["sample orders"]
STEP_ERRORS = errors(400, 401, 403, 404, 409, 503)


class ReportSizeLimitHandler(FileUploadHandler):
    """Counts each file's bytes as they arrive and refuses past SAMPLE_REPORT_MAX_BYTES."""

    def __init__(self, request: Any = None) -> None:
        super().__init__(request)
        self.received = 0

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        self.received = 0
        super().new_file(*args, **kwargs)

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received += len(raw_data)
        if self.received > settings.SAMPLE_REPORT_MAX_BYTES:
            report_size_check(self.received)  # raises sample_report_too_large
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None


class ReportMultiPartParser(parsers.MultiPartParser):
    def parse(self, stream: Any, media_type: Any = None, parser_context: Any = None) -> Any:
        request = parser_context["request"]
        handlers = request.upload_handlers
        if not any(isinstance(handler, ReportSizeLimitHandler) for handler in handlers):
            request.upload_handlers = [ReportSizeLimitHandler(request), *handlers]
        return super().parse(stream, media_type, parser_context)


def _detail(request: Request, order_id: int) -> Response:
    order = sample_order_get(member=request_member(request), order_id=order_id)
    return Response(SampleOrderDetailOutputSerializer(order, context={"request": request}).data)


class ResourceSampleOrderCreateApi(APIView):
    permission_classes = [IsBoundMember]

    @extend_schema(
        tags=TAGS,
        operation_id="resources_sample_orders_create",
        request=SampleOrderCreateInputSerializer,
        responses={201: SampleOrderDetailOutputSerializer, **errors(400, 401, 403, 404, 503)},
    )
    def post(self, request: Request, resource_id: int) -> Response:
        """Submit samples for testing on the resource: any bound member whose unit may use it
        (the booking refusals: `not_allowed_for_unit`, `resource_retired`, ...), on a
        resource that takes samples (else 400 `mode_not_offered`). The resource's
        unit managers are told."""
        data = SampleOrderCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        order = sample_order_submit(
            actor=request_member(request),
            resource_id=resource_id,
            sample_count=values["sample_count"],
            description=values["description"],
            hazard=values.get("hazard", SampleHazard.NONE),
            hazard_details=values.get("hazard_details", ""),
        )
        response = _detail(request, order.pk)
        response.status_code = status.HTTP_201_CREATED
        return response


class SampleOrderListApi(ListAPIView):
    serializer_class = SampleOrderOutputSerializer
    pagination_class = StandardPagination
    permission_classes = [IsBoundMember]

    def get_queryset(self) -> QuerySet[SampleOrder]:
        if getattr(self, "swagger_fake_view", False):  # the schema's introspection
            return SampleOrder.objects.none()
        return sample_order_list_mine(member=request_member(self.request))

    @extend_schema(
        tags=TAGS,
        responses={200: SampleOrderOutputSerializer(many=True), **list_errors(401, 403)},
    )
    def get(self, request: Request, *args: object, **kwargs: object) -> Response:
        """The caller's own sample orders, newest first."""
        return super().get(request, *args, **kwargs)


class SampleOrderFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=SampleStatus.choices)

    class Meta:
        model = SampleOrder
        fields = ["status"]


class SampleOrderHandledListApi(ListAPIView):
    serializer_class = SampleOrderOutputSerializer
    filterset_class = SampleOrderFilter
    pagination_class = StandardPagination
    permission_classes = [IsBoundMember]

    def get_queryset(self) -> QuerySet[SampleOrder]:
        if getattr(self, "swagger_fake_view", False):  # the schema's introspection
            return SampleOrder.objects.none()
        return sample_order_list_handled(member=request_member(self.request))

    @extend_schema(
        tags=TAGS,
        operation_id="sample_orders_handled_list",
        responses={200: SampleOrderOutputSerializer(many=True), **list_errors(400, 401, 403)},
    )
    def get(self, request: Request, *args: object, **kwargs: object) -> Response:
        """The orders of the resources of the caller's unit (all, for the secretariat),
        newest first, optionally of one `status`: unit managers and the secretariat (else
        403)."""
        return super().get(request, *args, **kwargs)


class SampleOrderDetailApi(APIView):
    permission_classes = [IsBoundMember]

    @extend_schema(
        tags=TAGS, responses={200: SampleOrderDetailOutputSerializer, **errors(401, 403, 404)}
    )
    def get(self, request: Request, order_id: int) -> Response:
        """One order the caller sees (its requester or its handlers), with its history and
        report files."""
        return _detail(request, order_id)


def _step_view(name: str, serializer: type, service: Any, doc: str) -> type[APIView]:
    class StepApi(APIView):
        permission_classes = [IsBoundMember]

        @extend_schema(
            tags=TAGS,
            operation_id=f"sample_orders_{name}",
            request=serializer,
            responses={200: SampleOrderDetailOutputSerializer, **STEP_ERRORS},
            description=doc,
        )
        def post(self, request: Request, order_id: int) -> Response:
            data = serializer(data=request.data)
            data.is_valid(raise_exception=True)
            service(actor=request_member(request), order_id=order_id, **data.validated_data)
            return _detail(request, order_id)

    StepApi.__name__ = StepApi.__qualname__ = f"SampleOrder{name.title().replace('_', '')}Api"
    return StepApi


HANDLER = "The managers of the resource's unit and the secretariat; the requester is told. "
REQUESTER = "The requester only; the resource's unit managers are told. "
SampleOrderAcceptApi = _step_view(
    "accept",
    SampleAcceptInputSerializer,
    sample_order_accept,
    "Accept a submitted order with its expected completion date. "
    + HANDLER
    + "400 `sample_completion_past`; 409 `sample_order_state`.",
)
SampleOrderRefuseApi = _step_view(
    "refuse",
    SampleRefuseInputSerializer,
    sample_order_refuse,
    "Refuse a submitted order, with a reason. " + HANDLER + "409 `sample_order_state`.",
)
SampleOrderReceiveApi = _step_view(
    "receive",
    SampleNoteInputSerializer,
    sample_order_receive,
    "The samples of an accepted order arrived (it can no longer be cancelled). "
    + HANDLER
    + "409 `sample_order_state`.",
)
SampleOrderStartTestingApi = _step_view(
    "start_testing",
    SampleNoteInputSerializer,
    sample_order_start_testing,
    "Testing of the received samples began. " + HANDLER + "409 `sample_order_state`.",
)
SampleOrderConfirmApi = _step_view(
    "confirm",
    SampleNoteInputSerializer,
    sample_order_confirm,
    "Confirm the report was received. " + REQUESTER + "409 `sample_order_state`.",
)
SampleOrderCancelApi = _step_view(
    "cancel",
    SampleCancelInputSerializer,
    sample_order_cancel,
    "Withdraw the order until the samples are received. "
    + REQUESTER
    + "409 `sample_cancel_too_late` once received, `sample_order_state` otherwise.",
)


class SampleOrderReportApi(APIView):
    permission_classes = [IsBoundMember]
    parser_classes = [ReportMultiPartParser]

    @extend_schema(
        tags=TAGS,
        operation_id="sample_orders_report",
        request={"multipart/form-data": SampleReportInputSerializer},
        responses={200: SampleOrderDetailOutputSerializer, **STEP_ERRORS},
        description="Upload the report of an order under test (testing → reported): one or "
        "more files, each checked by its content (PDF, JPEG/PNG/WebP, Excel, Word) and its "
        "size. "
        + HANDLER
        + "400 `sample_report_type`, `sample_report_unreadable`, `sample_report_too_large`, "
        "`sample_report_too_many`, `sample_report_missing`; 409 `sample_order_state`.",
    )
    def post(self, request: Request, order_id: int) -> Response:
        sample_order_get(member=request_member(request), order_id=order_id)  # 404 first
        raw = request.data
        payload = {key: raw.get(key) for key in raw if key != "files"}
        payload["files"] = raw.getlist("files")
        data = SampleReportInputSerializer(data=payload)
        data.is_valid(raise_exception=True)
        uploads = [ReportUpload(f.name, f.read()) for f in data.validated_data["files"]]
        sample_order_report(
            actor=request_member(request),
            order_id=order_id,
            files=uploads,
            note=data.validated_data.get("note", ""),
        )
        return _detail(request, order_id)


class SampleReportFileDownloadApi(APIView):
    permission_classes = [IsBoundMember]

    @extend_schema(
        tags=TAGS,
        operation_id="sample_orders_files_download",
        responses={
            (200, "application/octet-stream"): OpenApiResponse(
                response=OpenApiTypes.BINARY, description="The file, as an attachment."
            ),
            **errors(401, 403, 404),
        },
    )
    def get(self, request: Request, order_id: int, file_id: int) -> FileResponse:
        """A report file of an order the caller sees (its requester or its handlers)."""
        report_file = sample_report_file_get(
            member=request_member(request), order_id=order_id, file_id=file_id
        )
        return FileResponse(
            report_file.file.open("rb"),
            as_attachment=True,
            filename=report_file.original_name,
            content_type=report_file.content_type,
        )
