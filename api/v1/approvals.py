"""GET /api/v1/approvals/: the pending bookings the caller may decide, oldest first."""

from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from api.authentication import IsBoundMember, request_member
from api.pagination import StandardPagination
from api.v1.serializers.bookings import BookingOutputSerializer
from api.v1.serializers.common import list_errors
from bookings.models import Booking
from bookings.selectors_lists import (
    booking_list_to_decide,
)


class ApprovalListApi(ListAPIView):
    """Pending bookings of resources the caller decides on (their unit's, or all for the
    secretariat), oldest request first. Empty for researchers."""

    serializer_class = BookingOutputSerializer
    pagination_class = StandardPagination
    permission_classes = [IsBoundMember]
    filter_backends: list = []

    def get_queryset(self) -> QuerySet[Booking]:
        return booking_list_to_decide(member=request_member(self.request))

    @extend_schema(
        tags=["approvals"],
        responses={200: BookingOutputSerializer(many=True), **list_errors(401, 403)},
    )
    def get(self, request: Request, *args: object, **kwargs: object) -> Response:
        return super().get(request, *args, **kwargs)
