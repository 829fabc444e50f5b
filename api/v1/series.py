"""Recurring bookings (issue 12): preview a rule's occurrences, book them, list and read the
caller's series, and approve, reject or cancel one occurrence, the following, or all.

Only callers bound to a member reach them (403 ``not_bound``). A series outside the caller's
view is 404; whether the caller may act is the service's decision.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils import timezone
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
from api.v1.serializers.series import (
    SeriesActedOutputSerializer,
    SeriesActionInputSerializer,
    SeriesCreatedOutputSerializer,
    SeriesCreateInputSerializer,
    SeriesDetailOutputSerializer,
    SeriesOutputSerializer,
    SeriesPreviewInputSerializer,
    SeriesPreviewOutputSerializer,
)
from bookings.models import BookingSeries
from bookings.series import series_act, series_create
from bookings.series_selectors import (
    series_get_for_member,
    series_list_for_member,
    series_preview,
)


def _unknown_resource(data, resource_id: int) -> ValidationError:
    field = data.fields["resource"]
    return ValidationError(
        {"resource": [field.error_messages["does_not_exist"].format(pk_value=resource_id)]},
        code="does_not_exist",
    )


def _ask(data) -> dict:
    values = data.validated_data
    return {
        "resource_id": values["resource"],
        "rule": values["rule"],
        "start": values["start"],
        "duration": values["end"] - values["start"],
        "attendees": values["attendees"],
    }


class SeriesPreviewApi(APIView):
    permission_classes = [IsBoundMember]

    @extend_schema(
        tags=["series"],
        request=SeriesPreviewInputSerializer,
        responses={200: SeriesPreviewOutputSerializer, **errors(400, 401, 403)},
    )
    def post(self, request: Request) -> Response:
        """Every occurrence of the rule with whether it is free or why not (the scheduler's
        own rules and conflicts). Writes nothing."""
        data = SeriesPreviewInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            preview = series_preview(
                member=request_member(request), now=timezone.now(), **_ask(data)
            )
        except NotFound:
            raise _unknown_resource(data, data.validated_data["resource"]) from None
        return Response(SeriesPreviewOutputSerializer(preview).data)


class SeriesListCreateApi(ListAPIView):
    """GET lists the caller's series; POST books one."""

    serializer_class = SeriesOutputSerializer
    pagination_class = StandardPagination
    permission_classes = [IsBoundMember]
    throttle_classes = [BookingCreateThrottle]  # POSTs only

    def get_queryset(self) -> QuerySet[BookingSeries]:
        return series_list_for_member(member=request_member(self.request))

    @extend_schema(
        tags=["series"],
        responses={200: SeriesOutputSerializer(many=True), **list_errors(401, 403)},
    )
    def get(self, request: Request, *args: object, **kwargs: object) -> Response:
        """The series the caller booked, newest first."""
        return super().get(request, *args, **kwargs)

    @extend_schema(
        tags=["series"],
        request=SeriesCreateInputSerializer,
        responses={
            201: OpenApiResponse(
                SeriesCreatedOutputSerializer,
                description="Booked: the occurrences made, and those skipped with why.",
            ),
            **errors(400, 401, 403, 409, 429, 503),
        },
    )
    def post(self, request: Request) -> Response:
        """Book the rule's occurrences, under the resource's lock in one transaction. Mode
        `all`: 409 `series_clash` naming the clashing dates (with `occurrences`), nothing
        stored; mode `skip`: the free ones, the others in `skipped` (409
        `series_nothing_free` if none is free)."""
        data = SeriesCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            made = series_create(
                member=request_member(request),
                purpose=data.validated_data["purpose"],
                mode=data.validated_data["mode"],
                **_ask(data),
            )
        except NotFound:
            raise _unknown_resource(data, data.validated_data["resource"]) from None
        answer = SeriesCreatedOutputSerializer(made)
        return Response(answer.data, status=status.HTTP_201_CREATED)


class SeriesDetailApi(APIView):
    permission_classes = [IsBoundMember]

    @extend_schema(
        tags=["series"],
        responses={200: SeriesDetailOutputSerializer, **errors(401, 403, 404)},
    )
    def get(self, request: Request, series_id: int) -> Response:
        """One series with the occurrences the caller may see; 404 for any other."""
        series = series_get_for_member(member=request_member(request), series_id=series_id)
        return Response(SeriesDetailOutputSerializer(series).data)


class SeriesActionApi(APIView):
    permission_classes = [IsBoundMember]

    @extend_schema(
        tags=["series"],
        request=SeriesActionInputSerializer,
        responses={200: SeriesActedOutputSerializer, **errors(400, 401, 403, 404, 409, 503)},
    )
    def post(self, request: Request, series_id: int) -> Response:
        """Approve, reject or cancel one occurrence, it and the following, or all. Started
        occurrences, other members' bookings and occurrences whose status does not allow it
        are left alone; 409 `series_nothing_to_do` when nothing would change. One notice."""
        data = SeriesActionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        acted = series_act(
            actor=request_member(request),
            series_id=series_id,
            action=values["action"],
            scope=values["scope"],
            booking_id=values.get("booking"),
            reason=values["reason"],
        )
        return Response(SeriesActedOutputSerializer(acted).data)
