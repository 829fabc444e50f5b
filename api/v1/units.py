"""GET /api/v1/units/ and /units/{id}/: the alliance's member units; POST
/units/{id}/deactivate/ and /reactivate/: the secretariat suspends or restores a unit."""

from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from alliance.errors import NotFound
from alliance.models import Unit
from alliance.services import unit_deactivate, unit_reactivate
from api.authentication import IsBoundMember, request_member
from api.pagination import StandardPagination
from api.v1.serializers.common import errors, list_errors
from api.v1.serializers.units import UnitOutputSerializer


def _contacts_context(request: Request) -> dict:
    return {"show_contacts": request_member(request) is not None}


def _active_units() -> QuerySet[Unit]:
    return Unit.objects.filter(is_active=True).order_by("name", "pk")


@extend_schema(tags=["units"], responses={200: UnitOutputSerializer(many=True), **list_errors(401)})
class UnitListApi(ListAPIView):
    """The active member units, by name. Anyone signed in, bound or not, may browse."""

    serializer_class = UnitOutputSerializer
    pagination_class = StandardPagination
    filter_backends: list = []

    def get_queryset(self) -> QuerySet[Unit]:
        return _active_units()

    def get_serializer_context(self) -> dict:
        return {**super().get_serializer_context(), **_contacts_context(self.request)}


class UnitDetailApi(APIView):
    @extend_schema(
        tags=["units"],
        operation_id="units_retrieve",
        responses={200: UnitOutputSerializer, **errors(401, 404)},
    )
    def get(self, request: Request, unit_id: int) -> Response:
        """One active member unit."""
        unit = _active_units().filter(pk=unit_id).first()
        if unit is None:
            raise NotFound()
        return Response(UnitOutputSerializer(unit, context=_contacts_context(request)).data)


def _unit_activation_answer(unit: Unit) -> Response:
    return Response(UnitOutputSerializer(unit, context={"show_contacts": True}).data)


class UnitDeactivateApi(APIView):
    permission_classes = [IsBoundMember]

    @extend_schema(
        tags=["units"],
        operation_id="units_deactivate",
        request=None,
        responses={200: UnitOutputSerializer, **errors(401, 403, 404, 409)},
    )
    def post(self, request: Request, unit_id: int) -> Response:
        """Deactivate a member unit: the secretariat only; again, no change. Its members can
        no longer book (`booking_unit_inactive`), approve, manage or invite
        (`actor_unit_inactive`); its resources cannot be booked (`resource_unit_inactive`)
        and are never free in searches. Its members still see and cancel their own
        bookings; others' bookings leave their view (404). Approved bookings stand; pending
        ones can no longer be approved and expire at their start. 409
        `unit_has_secretariat` while the unit has active secretariat members."""
        return _unit_activation_answer(
            unit_deactivate(actor=request_member(request), unit_id=unit_id)
        )


class UnitReactivateApi(APIView):
    permission_classes = [IsBoundMember]

    @extend_schema(
        tags=["units"],
        operation_id="units_reactivate",
        request=None,
        responses={200: UnitOutputSerializer, **errors(401, 403, 404)},
    )
    def post(self, request: Request, unit_id: int) -> Response:
        """Reactivate a deactivated member unit: the secretariat only; again, no change."""
        return _unit_activation_answer(
            unit_reactivate(actor=request_member(request), unit_id=unit_id)
        )
