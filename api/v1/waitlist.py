"""The waitlist (issue 12, bookings.waitlist): join the waitlist of a taken slot, list
one's entries with their place in line and hold, and claim, decline or leave one.

Only callers bound to a member reach them (403 ``not_bound``); an entry that is not the
caller's is 404.
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
from api.authentication import IsBoundMember, request_member
from api.pagination import StandardPagination
from api.throttling import BookingCreateThrottle
from api.v1.serializers.common import errors, list_errors
from api.v1.serializers.waitlist import WaitlistEntryOutputSerializer, WaitlistJoinInputSerializer
from bookings.waitlist import waitlist_claim, waitlist_decline, waitlist_join, waitlist_leave
from bookings.waitlist_models import WaitlistEntry
from bookings.waitlist_selectors import waitlist_list_for_member


def _answer(request: Request, entry_id: int, code: int = status.HTTP_200_OK) -> Response:
    entry = waitlist_list_for_member(member=request_member(request)).get(pk=entry_id)
    return Response(WaitlistEntryOutputSerializer(entry).data, status=code)


class WaitlistJoinApi(APIView):
    permission_classes = [IsBoundMember]
    throttle_classes = [BookingCreateThrottle]

    @extend_schema(
        tags=["waitlist"],
        request=WaitlistJoinInputSerializer,
        responses={
            201: OpenApiResponse(WaitlistEntryOutputSerializer, description="In line."),
            **errors(400, 401, 403, 409, 429, 503),
        },
    )
    def post(self, request: Request) -> Response:
        """Join the waitlist of a taken slot: every booking rule is checked as for a booking
        request (400 with its code). 409 `waitlist_slot_free` when the slot is free (book
        it), `waitlist_already_joined`; 400 `waitlist_too_many` past the most lines one may
        be in. When the time frees, the first in line gets a hold and is told."""
        data = WaitlistJoinInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        try:
            entry = waitlist_join(
                member=request_member(request),
                resource_id=values["resource"],
                start=values["start"],
                end=values["end"],
                purpose=values["purpose"],
                attendees=values["attendees"],
                mode=values["mode"],
            )
        except NotFound:  # An unknown resource is a bad field, as for bookings.
            field = data.fields["resource"]
            raise ValidationError(
                {
                    "resource": [
                        field.error_messages["does_not_exist"].format(pk_value=values["resource"])
                    ]
                },
                code="does_not_exist",
            ) from None
        return _answer(request, entry.pk, status.HTTP_201_CREATED)


class MyWaitlistApi(ListAPIView):
    serializer_class = WaitlistEntryOutputSerializer
    pagination_class = StandardPagination
    permission_classes = [IsBoundMember]

    def get_queryset(self) -> QuerySet[WaitlistEntry]:
        return waitlist_list_for_member(member=request_member(self.request))

    @extend_schema(
        tags=["waitlist"],
        responses={200: WaitlistEntryOutputSerializer(many=True), **list_errors(401, 403)},
    )
    def get(self, request: Request, *args: object, **kwargs: object) -> Response:
        """The caller's waitlist entries by slot, each with its place in line while waiting
        and, when offered, until when the time is held."""
        return super().get(request, *args, **kwargs)


class _WaitlistActionApi(APIView):
    permission_classes = [IsBoundMember]
    act = None

    def post(self, request: Request, entry_id: int) -> Response:
        type(self).act(member=request_member(request), entry_id=entry_id)
        return _answer(request, entry_id)


_ACTION_RESPONSES = {200: WaitlistEntryOutputSerializer, **errors(401, 403, 404, 409, 503)}


@extend_schema(
    tags=["waitlist"],
    request=None,
    responses={**_ACTION_RESPONSES, 400: errors(400)[400]},
    description="Take the time held for you before `hold_expires_at`: the booking becomes "
    "pending (the resource needs approval) or approved. 409 `waitlist_hold_expired` after "
    "it, `waitlist_not_offered` when nothing is held; 400 `booking_suspended`.",
)
class WaitlistClaimApi(_WaitlistActionApi):
    act = staticmethod(waitlist_claim)


@extend_schema(
    tags=["waitlist"],
    request=None,
    responses=_ACTION_RESPONSES,
    description="Give up the time held for you (no credit cost); the next in line is "
    "offered it. 409 `waitlist_not_offered` when nothing is held.",
)
class WaitlistDeclineApi(_WaitlistActionApi):
    act = staticmethod(waitlist_decline)


@extend_schema(
    tags=["waitlist"],
    request=None,
    responses=_ACTION_RESPONSES,
    description="Leave the line while waiting. 409 `waitlist_not_waiting` otherwise (an "
    "offered entry is declined).",
)
class WaitlistLeaveApi(_WaitlistActionApi):
    act = staticmethod(waitlist_leave)
