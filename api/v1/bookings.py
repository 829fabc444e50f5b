"""Booking endpoints: request, list, read, cancel, approve and reject.

Only callers bound to a member reach them (403 ``not_bound``). A booking outside the caller's
view is 404 before anything else, so that ids reveal nothing; within it, whether the caller
may act is the service's decision (403 ``permission_denied``).
"""

from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from alliance.errors import NotFound
from alliance.models import Member
from api.authentication import IsBoundMember, request_member
from api.pagination import StandardPagination
from api.throttling import BookingCreateThrottle
from api.v1.filters import BookingFilter
from api.v1.serializers.bookings import (
    BookingCheckInInputSerializer,
    BookingCreateInputSerializer,
    BookingDetailOutputSerializer,
    BookingOutputSerializer,
    BookingReasonInputSerializer,
    BookingRejectInputSerializer,
)
from api.v1.serializers.common import errors, list_errors
from bookings.models import Booking
from bookings.on_behalf import beneficiary_get
from bookings.selectors_lists import (
    booking_detail_get_for_member,
    booking_get_for_member,
    booking_list_with_status_for_member,
)
from bookings.services import (
    booking_approve,
    booking_cancel,
    booking_check_in,
    booking_check_out,
    booking_create,
    booking_reject,
)


class BookingListCreateApi(ListAPIView):
    """GET lists the caller's visible bookings; POST requests one."""

    serializer_class = BookingOutputSerializer
    filterset_class = BookingFilter
    pagination_class = StandardPagination
    permission_classes = [IsBoundMember]
    throttle_classes = [BookingCreateThrottle]  # POSTs only: a ceiling per member

    def get_queryset(self) -> QuerySet[Booking]:
        return booking_list_with_status_for_member(member=request_member(self.request))

    @extend_schema(
        tags=["bookings"],
        responses={200: BookingOutputSerializer(many=True), **list_errors(401, 403)},
    )
    def get(self, request: Request, *args: object, **kwargs: object) -> Response:
        """The bookings the caller may see, by start: their own; a unit manager's also those
        of their unit's resources and of their unit's members; the secretariat's all."""
        return super().get(request, *args, **kwargs)

    @extend_schema(
        tags=["bookings"],
        request=BookingCreateInputSerializer,
        responses={
            201: OpenApiResponse(
                BookingOutputSerializer,
                description="Booked: `approved`, or `pending` where the resource needs approval.",
            ),
            **errors(400, 401, 403, 409, 429, 503),
        },
    )
    def post(self, request: Request) -> Response:
        """Request a booking of [start, end). Approved at once, or pending where the resource
        needs approval. With `member`, a manager of the resource's unit or the secretariat
        books for that member (代预约): the member's rules apply, the history names the
        caller, the member is told. 409 `conflict` lists what is in the way and the nearest
        free slots; 400 carries the broken rule's code (`outside_opening_hours`, `too_short`,
        …); 429 `booking_rate_limited` past the member's requests per minute. `mode`
        `assisted` books an operator too (named by `operator_id`, or picked)."""
        data = BookingCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        resource_id = data.validated_data["resource"]
        actor = request_member(request)
        member = actor
        if "member" in data.validated_data:  # on behalf of (代预约): the scheduler decides
            member = _beneficiary(data, data.validated_data["member"])
        try:
            booking = booking_create(
                member=member,
                actor=actor,
                resource_id=resource_id,
                start=data.validated_data["start"],
                end=data.validated_data["end"],
                purpose=data.validated_data["purpose"],
                attendees=data.validated_data["attendees"],
                mode=data.validated_data["mode"],
                operator_id=data.validated_data.get("operator_id"),
            )
        except NotFound:  # An unknown resource is a bad field, as any other.
            field = data.fields["resource"]
            raise ValidationError(
                {"resource": [field.error_messages["does_not_exist"].format(pk_value=resource_id)]},
                code="does_not_exist",
            ) from None
        answer = BookingOutputSerializer(booking, context={"request": request})
        return Response(answer.data, status=status.HTTP_201_CREATED)


def _beneficiary(data: BookingCreateInputSerializer, member_id: int) -> Member:
    """The member a booking is made for; an unknown id is a bad field, as for resource."""
    try:
        return beneficiary_get(member_id=member_id)
    except NotFound:
        field = data.fields["member"]
        raise ValidationError(
            {"member": [field.error_messages["does_not_exist"].format(pk_value=member_id)]},
            code="does_not_exist",
        ) from None


class BookingDetailApi(APIView):
    permission_classes = [IsBoundMember]

    @extend_schema(
        tags=["bookings"],
        operation_id="bookings_retrieve",
        responses={200: BookingDetailOutputSerializer, **errors(401, 403, 404)},
    )
    def get(self, request: Request, booking_id: int) -> Response:
        """One booking the caller may see, with its history (who, when, why); 404 for any
        other."""
        return _detail_answer(request, booking_id)


def _detail_answer(request: Request, booking_id: int) -> Response:
    """The booking as its detail shows it, read afresh (after an action: its new state and
    history)."""
    booking = booking_detail_get_for_member(member=request_member(request), booking_id=booking_id)
    return Response(BookingDetailOutputSerializer(booking, context={"request": request}).data)


class _BookingActionApi(APIView):
    """POST /bookings/{id}/<action>/ with a reason: 404 outside the caller's view, then the
    service decides (403, 409) and the updated booking is answered."""

    permission_classes = [IsBoundMember]
    input_serializer = BookingReasonInputSerializer

    def act(self, **kwargs: object) -> Booking:
        raise NotImplementedError

    def post(self, request: Request, booking_id: int) -> Response:
        member = request_member(request)
        booking_get_for_member(member=member, booking_id=booking_id)
        data = self.input_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        self.act(actor=member, booking_id=booking_id, reason=data.validated_data["reason"])
        return _detail_answer(request, booking_id)


_ACTION_RESPONSES = {200: BookingDetailOutputSerializer, **errors(400, 401, 403, 404, 409, 503)}


@extend_schema(
    tags=["bookings"],
    request=BookingReasonInputSerializer,
    responses=_ACTION_RESPONSES,
    description="Cancel a pending or approved booking before it starts: the booker, their "
    "unit manager or the secretariat. 409 `invalid_transition` or `already_started`.",
)
class BookingCancelApi(_BookingActionApi):
    act = staticmethod(booking_cancel)


@extend_schema(
    tags=["approvals"],
    request=BookingReasonInputSerializer,
    responses=_ACTION_RESPONSES,
    description="Approve a pending booking: the secretariat or a manager of the resource's "
    "unit. 409 `invalid_transition` when it is no longer pending.",
)
class BookingApproveApi(_BookingActionApi):
    act = staticmethod(booking_approve)


@extend_schema(
    tags=["approvals"],
    request=BookingRejectInputSerializer,
    responses=_ACTION_RESPONSES,
    description="Reject a pending booking with a reason: the secretariat or a manager of the "
    "resource's unit. 409 `invalid_transition` when it is no longer pending.",
)
class BookingRejectApi(_BookingActionApi):
    input_serializer = BookingRejectInputSerializer
    act = staticmethod(booking_reject)


@extend_schema(
    tags=["bookings"],
    request=BookingCheckInInputSerializer,
    responses=_ACTION_RESPONSES,
    description="Check in on arrival with the code from the resource's QR code, from "
    "`BOOKING_CHECKIN_OPENS_MINUTES` before the start until the no-show grace period ends. "
    "The booker, or a manager of the resource's unit (who needs no code). Again: no change. "
    "400 `check_in_code_invalid`; 409 `check_in_not_open`, `check_in_closed`, "
    "`invalid_transition`.",
)
class BookingCheckInApi(APIView):
    permission_classes = [IsBoundMember]

    def post(self, request: Request, booking_id: int) -> Response:
        member = request_member(request)
        booking_get_for_member(member=member, booking_id=booking_id)
        data = BookingCheckInInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        booking_check_in(actor=member, booking_id=booking_id, code=data.validated_data["code"])
        return _detail_answer(request, booking_id)


@extend_schema(
    tags=["bookings"],
    request=None,
    responses=_ACTION_RESPONSES,
    description="Check out: records the departure and completes the booking. Again: no "
    "change. 409 `not_checked_in`.",
)
class BookingCheckOutApi(APIView):
    permission_classes = [IsBoundMember]

    def post(self, request: Request, booking_id: int) -> Response:
        member = request_member(request)
        booking_get_for_member(member=member, booking_id=booking_id)
        booking_check_out(actor=member, booking_id=booking_id)
        return _detail_answer(request, booking_id)
