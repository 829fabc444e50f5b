"""Figures endpoints (issue 11): per resource, per unit, the overview and the heat map for
the secretariat and unit managers (bookings.figures decides who sees what: 403
``permission_denied`` for researchers and for a manager asking for another unit), and the
anonymous public summary, cached briefly in the shared cache.

Each view parses the query, calls one selector and shapes its answer.
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.authentication import IsBoundMember, request_member
from api.v1.serializers.common import errors
from api.v1.serializers.figures import (
    AllianceOverviewOutputSerializer,
    HeatmapOutputSerializer,
    PublicSummaryOutputSerializer,
    ResourceFiguresListOutputSerializer,
    UnitBalanceListOutputSerializer,
    figures_query,
)
from bookings.figures import (
    alliance_overview,
    public_summary_cached,
    resource_figures,
    unit_balance,
    utilisation_heatmap,
)
from resources.models import ResourceKind

PERIOD_PARAMETERS = [
    OpenApiParameter("from", str, description="First local date (YYYY-MM-DD)."),
    OpenApiParameter("to", str, description="Last local date (YYYY-MM-DD), included."),
    OpenApiParameter("year", str, description="A calendar year, instead of from/to."),
    OpenApiParameter("month", str, description="1–12, with year."),
]
SCOPE_PARAMETERS = [
    *PERIOD_PARAMETERS,
    OpenApiParameter("unit", int, description="One unit's resources (a manager: their own)."),
    OpenApiParameter("kind", str, enum=ResourceKind.values, description="One kind of resource."),
]
ERRORS = errors(400, 401, 403)
PERIOD_NOTE = (
    " 400 `figures_bad_date`, `figures_period_reversed`, `figures_period_too_long`; 403 for"
    " researchers and for a manager asking for another unit."
)


def _period(period) -> dict:
    return {"first": period.first, "last": period.last}


class FiguresResourceListApi(APIView):
    permission_classes = [IsBoundMember]

    @extend_schema(
        tags=["figures"],
        parameters=SCOPE_PARAMETERS,
        responses={200: ResourceFiguresListOutputSerializer, **ERRORS},
        description="Figures per resource over the period." + PERIOD_NOTE,
    )
    def get(self, request: Request) -> Response:
        query = figures_query(request.query_params)
        figures = resource_figures(actor=request_member(request), **query)
        answer = {"period": _period(query["period"]), "results": figures}
        return Response(ResourceFiguresListOutputSerializer(answer).data)


class FiguresUnitListApi(APIView):
    permission_classes = [IsBoundMember]

    @extend_schema(
        tags=["figures"],
        parameters=[*PERIOD_PARAMETERS, SCOPE_PARAMETERS[4]],
        responses={200: UnitBalanceListOutputSerializer, **ERRORS},
        description="The sharing balance per unit over the period." + PERIOD_NOTE,
    )
    def get(self, request: Request) -> Response:
        query = figures_query(request.query_params)
        rows = unit_balance(
            actor=request_member(request), period=query["period"], unit_id=query["unit_id"]
        )
        answer = {"period": _period(query["period"]), "results": rows}
        return Response(UnitBalanceListOutputSerializer(answer).data)


class FiguresOverviewApi(APIView):
    permission_classes = [IsBoundMember]

    @extend_schema(
        tags=["figures"],
        parameters=SCOPE_PARAMETERS,
        responses={200: AllianceOverviewOutputSerializer, **ERRORS},
        description="Alliance-wide totals, most and least used and idle resources, the trend "
        "by month and the approval turnaround." + PERIOD_NOTE,
    )
    def get(self, request: Request) -> Response:
        query = figures_query(request.query_params)
        overview = alliance_overview(actor=request_member(request), **query)
        answer = {**overview.__dict__, "period": _period(query["period"])}
        return Response(AllianceOverviewOutputSerializer(answer).data)


class FiguresHeatmapApi(APIView):
    permission_classes = [IsBoundMember]

    @extend_schema(
        tags=["figures"],
        parameters=SCOPE_PARAMETERS,
        responses={200: HeatmapOutputSerializer, **ERRORS},
        description="Booked and used hours by local weekday and hour." + PERIOD_NOTE,
    )
    def get(self, request: Request) -> Response:
        query = figures_query(request.query_params)
        heat = utilisation_heatmap(actor=request_member(request), **query)
        answer = {"period": _period(query["period"]), "booked": heat.booked, "used": heat.used}
        return Response(HeatmapOutputSerializer(answer).data)


class PublicSummaryApi(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(
        tags=["public"],
        auth=[],
        responses={200: PublicSummaryOutputSerializer},
    )
    def get(self, request: Request) -> Response:
        """Anyone: the number of shared resources, hours served to other units this year and
        the units served (no personal data). Cached for five minutes."""
        return Response(PublicSummaryOutputSerializer(public_summary_cached()).data)
