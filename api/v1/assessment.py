"""The national open-sharing assessment (开放共享评价考核) for the mini-program and the
secretariat's tools: per large instrument and year its indicators as JSON, or the Excel
workbook with the usage records behind them.

Bound members only (403 ``not_bound``); the secretariat sees every unit's instruments, a
unit manager their own unit's, anyone else is refused (403). The figures are
bookings.assessment's, built on bookings.figures.usage_hours (the dashboard's numbers).
"""

from __future__ import annotations

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.authentication import IsBoundMember, request_member
from api.v1.serializers.assessment import AssessmentOutputSerializer, AssessmentQuerySerializer
from api.v1.serializers.common import errors
from bookings.assessment import Assessment, assessment_default_year, assessment_get
from bookings.assessment_export import assessment_workbook, assessment_workbook_name
from bookings.workbooks import XLSX_CONTENT_TYPE


def _assessment(request: Request) -> Assessment:
    query = AssessmentQuerySerializer(data=request.query_params)
    query.is_valid(raise_exception=True)
    return assessment_get(
        member=request_member(request),
        year=query.validated_data.get("year", assessment_default_year()),
        unit_id=query.validated_data.get("unit"),
    )


class AssessmentApi(APIView):
    permission_classes = [IsBoundMember]

    @extend_schema(
        tags=["assessment"],
        operation_id="assessment_retrieve",
        parameters=[AssessmentQuerySerializer],
        responses={200: AssessmentOutputSerializer, **errors(400, 401, 403)},
    )
    def get(self, request: Request) -> Response:
        """Per instrument (kind equipment) of the units the caller sees: 有效工作机时,
        对外服务机时, units served, share rate, hours against 定额机时, service income,
        with the asset data, a totals row and the national averages of the latest round.
        400 `assessment_year_invalid` for a year after the current one."""
        return Response(AssessmentOutputSerializer(_assessment(request)).data)


class AssessmentWorkbookApi(APIView):
    permission_classes = [IsBoundMember]

    @extend_schema(
        tags=["assessment"],
        operation_id="assessment_workbook",
        parameters=[AssessmentQuerySerializer],
        responses={
            (200, XLSX_CONTENT_TYPE): OpenApiResponse(
                response=OpenApiTypes.BINARY,
                description="Sheet 1 one row per instrument with a totals row, sheet 2 every "
                "usage record behind the figures, sheet 3 the definitions (in Chinese).",
            ),
            **errors(400, 401, 403),
        },
    )
    def get(self, request: Request) -> HttpResponse:
        """The same assessment as an Excel workbook for the national report."""
        assessment = _assessment(request)
        response = HttpResponse(assessment_workbook(assessment), content_type=XLSX_CONTENT_TYPE)
        response["Content-Disposition"] = (
            f'attachment; filename="{assessment_workbook_name(assessment)}"'
        )
        return response
