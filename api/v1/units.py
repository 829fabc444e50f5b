"""GET /api/v1/units/ and /units/{id}/: the alliance's member units."""

from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from alliance.errors import NotFound
from alliance.models import Unit
from api.authentication import request_member
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
