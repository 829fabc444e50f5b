"""Duplicate-purchase check (查重评议) endpoints: a unit's managers (or the secretariat)
enter a planned purchase and get the report of the alliance's instruments of its class,
record the outcome later, and download the report as a workbook; the secretariat lists
every unit's checks and counts the purchases sharing made unnecessary.

Only callers bound to a member reach them (403 ``not_bound``). A check outside the caller's
view is 404; the rules are bookings.purchase_checks'.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import HttpResponse
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.authentication import IsBoundMember, request_member
from api.pagination import StandardPagination
from api.v1.serializers.common import errors, list_errors
from api.v1.serializers.purchase_checks import (
    PurchaseCheckCreateInputSerializer,
    PurchaseCheckDetailOutputSerializer,
    PurchaseCheckOutputSerializer,
    PurchaseOutcomeInputSerializer,
    PurchaseSummaryOutputSerializer,
)
from bookings.purchase_checks import purchase_check_create, purchase_check_outcome_set
from bookings.purchase_export import purchase_check_workbook
from bookings.purchase_models import PurchaseCheck
from bookings.purchase_selectors import (
    purchase_check_get_for_member,
    purchase_check_list_for_member,
    purchase_check_summary,
)
from bookings.workbooks import XLSX_CONTENT_TYPE


def _detail(request: Request, check_id: int, status_code: int = status.HTTP_200_OK) -> Response:
    check = purchase_check_get_for_member(member=request_member(request), check_id=check_id)
    data = PurchaseCheckDetailOutputSerializer(check, context={"request": request}).data
    return Response(data, status=status_code)


class PurchaseCheckListCreateApi(ListAPIView):
    """GET lists the checks the caller sees; POST enters one."""

    serializer_class = PurchaseCheckOutputSerializer
    pagination_class = StandardPagination
    permission_classes = [IsBoundMember]
    filter_backends: list = []

    def get_queryset(self) -> QuerySet[PurchaseCheck]:
        return purchase_check_list_for_member(member=request_member(self.request))

    @extend_schema(
        tags=["purchase checks"],
        responses={200: PurchaseCheckOutputSerializer(many=True), **list_errors(401, 403)},
    )
    def get(self, request: Request, *args: object, **kwargs: object) -> Response:
        """The checks of the caller's unit (a unit manager) or of every unit (the
        secretariat), newest first; empty for researchers."""
        return super().get(request, *args, **kwargs)

    @extend_schema(
        tags=["purchase checks"],
        request=PurchaseCheckCreateInputSerializer,
        responses={201: PurchaseCheckDetailOutputSerializer, **errors(400, 401, 403)},
    )
    def post(self, request: Request) -> Response:
        """Enter a planned purchase: a manager of the planning unit, or the secretariat on
        its behalf. The report lists the alliance's instruments of the same class (the
        code's first four digits) with their owners, last year's effective hours, whether
        they reach 1,200 hours and where to book them; it is kept as it is now. 400
        `invalid`, `purchase_class_too_broad` (a two-digit code), `unit_inactive`."""
        member = request_member(request)
        data = PurchaseCheckCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        check = purchase_check_create(
            actor=member,
            unit_id=values.get("unit", member.unit_id),
            instrument_name=values["instrument_name"],
            classification_code=values["classification_code"],
            specifications=values["specifications"],
            price=values["price"],
        )
        return _detail(request, check.pk, status.HTTP_201_CREATED)


class PurchaseCheckSummaryApi(APIView):
    permission_classes = [IsBoundMember]

    @extend_schema(
        tags=["purchase checks"],
        operation_id="purchase_checks_summary",
        responses={200: PurchaseSummaryOutputSerializer, **errors(401, 403)},
    )
    def get(self, request: Request) -> Response:
        """How the checks the caller sees came out: how many purchases sharing made
        unnecessary (`shared`) and their planned price."""
        summary = purchase_check_summary(member=request_member(request))
        return Response(PurchaseSummaryOutputSerializer(summary).data)


class PurchaseCheckDetailApi(APIView):
    permission_classes = [IsBoundMember]

    @extend_schema(
        tags=["purchase checks"],
        operation_id="purchase_checks_retrieve",
        responses={200: PurchaseCheckDetailOutputSerializer, **errors(401, 403, 404)},
    )
    def get(self, request: Request, check_id: int) -> Response:
        """One check with its kept report."""
        return _detail(request, check_id)


class PurchaseCheckOutcomeApi(APIView):
    permission_classes = [IsBoundMember]

    @extend_schema(
        tags=["purchase checks"],
        request=PurchaseOutcomeInputSerializer,
        responses={200: PurchaseCheckDetailOutputSerializer, **errors(400, 401, 403, 404, 503)},
    )
    def post(self, request: Request, check_id: int) -> Response:
        """Record what the unit did: `bought` anyway, `shared` (not bought: it uses the
        alliance's instruments instead), each with a reason, or `undecided` again. A
        manager of the planning unit or the secretariat; the latest word stands."""
        member = request_member(request)
        purchase_check_get_for_member(member=member, check_id=check_id)
        data = PurchaseOutcomeInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        purchase_check_outcome_set(
            actor=member,
            check_id=check_id,
            outcome=data.validated_data["outcome"],
            reason=data.validated_data["reason"],
        )
        return _detail(request, check_id)


class PurchaseCheckWorkbookApi(APIView):
    permission_classes = [IsBoundMember]

    @extend_schema(
        tags=["purchase checks"],
        operation_id="purchase_checks_workbook",
        responses={
            (200, XLSX_CONTENT_TYPE): OpenApiResponse(
                response=OpenApiTypes.BINARY, description="The report as an Excel workbook."
            ),
            **errors(401, 403, 404),
        },
    )
    def get(self, request: Request, check_id: int) -> HttpResponse:
        """The check's report as an Excel workbook (查重评议报告), in Chinese."""
        check = purchase_check_get_for_member(member=request_member(request), check_id=check_id)
        content = purchase_check_workbook(
            check,
            resource_url=lambda pk: request.build_absolute_uri(reverse("web:resource", args=[pk])),
        )
        response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
        response["Content-Disposition"] = f'attachment; filename="purchase-check-{check.pk}.xlsx"'
        return response
