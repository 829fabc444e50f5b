"""Credit score endpoints (issue 12): a member reads their own score and history; a manager
of a booking's resource (or the secretariat) reports misuse, which costs the booker points.
The secretariat restores points in the back office (admin action)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.authentication import IsBoundMember, request_member
from api.v1.serializers.common import errors
from api.v1.serializers.credit import (
    CreditEventOutputSerializer,
    CreditOutputSerializer,
    MisuseInputSerializer,
)
from bookings.credit import credit_history_list, credit_misuse_report, credit_standing_get
from bookings.selectors_lists import booking_get_for_member


class MyCreditApi(APIView):
    permission_classes = [IsBoundMember]

    @extend_schema(
        tags=["credit"],
        operation_id="me_credit_retrieve",
        responses={200: CreditOutputSerializer, **errors(401, 403)},
    )
    def get(self, request: Request) -> Response:
        """The caller's credit score, any suspension, and its history."""
        member = request_member(request)
        standing = credit_standing_get(member=member)
        body = {
            "score": standing.score,
            "suspended_until": standing.suspended_until,
            "recent_no_shows": standing.recent_no_shows,
            "history": credit_history_list(member=member),
        }
        return Response(CreditOutputSerializer(body).data)


class BookingMisuseApi(APIView):
    permission_classes = [IsBoundMember]

    @extend_schema(
        tags=["credit"],
        request=MisuseInputSerializer,
        responses={201: CreditEventOutputSerializer, **errors(400, 401, 403, 404)},
        description="Report misuse of a booking: a manager of the resource's unit or the "
        "secretariat; the booker loses `points` (1 to 100), with a reason. 404 outside the "
        "caller's view.",
    )
    def post(self, request: Request, booking_id: int) -> Response:
        member = request_member(request)
        booking_get_for_member(member=member, booking_id=booking_id)
        data = MisuseInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        event = credit_misuse_report(
            actor=member,
            booking_id=booking_id,
            points=data.validated_data["points"],
            reason=data.validated_data["reason"],
        )
        return Response(CreditEventOutputSerializer(event).data, status=status.HTTP_201_CREATED)
