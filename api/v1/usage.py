"""Recorded use (使用记录) for the mini-program and the back office.

POST /resources/{id}/sessions/start/ with the QR code's check-in code starts (or, inside
the member's booking, checks in and starts) a session; .../sessions/{sid}/stop/ stops it.
GET /sessions/ lists the caller's sessions and, for managers, their resources'; POST
/sessions/ enters a past session by hand; PATCH /sessions/{sid}/ corrects one. The rules
are bookings.usage's; a session outside the caller's view is 404.
"""

from __future__ import annotations

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from alliance.errors import NotFound
from api.authentication import IsBoundMember, request_member
from api.pagination import StandardPagination
from api.v1.filters import StrictBooleanFilter
from api.v1.serializers.common import errors, list_errors
from api.v1.serializers.usage import (
    UsageCorrectInputSerializer,
    UsageManualInputSerializer,
    UsageSessionOutputSerializer,
    UsageStartInputSerializer,
    UsageStopInputSerializer,
)
from bookings.models import UsageSession
from bookings.usage import usage_correct, usage_record_manual, usage_start, usage_stop
from bookings.usage_selectors import session_get_for_member, session_list_for_member
from resources.models import Resource


class UsageSessionFilter(django_filters.FilterSet):
    running = StrictBooleanFilter(
        field_name="stopped_at", lookup_expr="isnull", help_text=_("Only running sessions.")
    )
    resource = django_filters.ModelChoiceFilter(queryset=Resource.objects.all())

    class Meta:
        model = UsageSession
        fields = ["running", "resource"]


class UsageSessionListCreateApi(ListAPIView):
    serializer_class = UsageSessionOutputSerializer
    filterset_class = UsageSessionFilter
    pagination_class = StandardPagination
    permission_classes = [IsBoundMember]

    def get_queryset(self) -> QuerySet[UsageSession]:
        return session_list_for_member(member=request_member(self.request))

    @extend_schema(
        tags=["usage"],
        responses={200: UsageSessionOutputSerializer(many=True), **list_errors(401, 403)},
    )
    def get(self, request: Request, *args: object, **kwargs: object) -> Response:
        """The caller's sessions, latest first; a unit manager's also those of their unit's
        resources; the secretariat's all."""
        return super().get(request, *args, **kwargs)

    @extend_schema(
        tags=["usage"],
        request=UsageManualInputSerializer,
        responses={201: UsageSessionOutputSerializer, **errors(400, 401, 403, 404, 409, 503)},
    )
    def post(self, request: Request) -> Response:
        """Enter a past session by hand, with a reason: a manager of the resource's unit or
        the secretariat. It is marked as entered by hand. 400 `usage_times_invalid`,
        `usage_in_future`; 409 `usage_overlaps`."""
        data = UsageManualInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        session = usage_record_manual(
            actor=request_member(request),
            resource_id=values["resource"],
            member_id=values["member"],
            operator_id=values.get("operator"),
            booking_id=values.get("booking"),
            sample_order_id=values.get("sample_order"),
            started_at=values["started_at"],
            stopped_at=values["stopped_at"],
            reason=values["reason"],
            samples=values.get("samples"),
            notes=values.get("notes", ""),
            fee=values.get("fee"),
        )
        return Response(UsageSessionOutputSerializer(session).data, status=status.HTTP_201_CREATED)


class UsageSessionDetailApi(APIView):
    permission_classes = [IsBoundMember]

    @extend_schema(
        tags=["usage"],
        operation_id="usage_sessions_retrieve",
        responses={200: UsageSessionOutputSerializer, **errors(401, 403, 404)},
    )
    def get(self, request: Request, session_id: int) -> Response:
        """One session the caller may see."""
        session = session_get_for_member(member=request_member(request), session_id=session_id)
        return Response(UsageSessionOutputSerializer(session).data)

    @extend_schema(
        tags=["usage"],
        request=UsageCorrectInputSerializer,
        responses={200: UsageSessionOutputSerializer, **errors(400, 401, 403, 404, 409, 503)},
    )
    def patch(self, request: Request, session_id: int) -> Response:
        """Correct a stopped session's times, samples or notes, with a reason: a manager of
        the resource's unit. 409 `session_running`, `usage_overlaps`."""
        member = request_member(request)
        session_get_for_member(member=member, session_id=session_id)
        data = UsageCorrectInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        session = usage_correct(actor=member, session_id=session_id, **data.validated_data)
        return Response(UsageSessionOutputSerializer(session).data)


class UsageStartApi(APIView):
    permission_classes = [IsBoundMember]

    @extend_schema(
        tags=["usage"],
        request=UsageStartInputSerializer,
        responses={201: UsageSessionOutputSerializer, **errors(400, 401, 403, 404, 409, 503)},
    )
    def post(self, request: Request, resource_id: int) -> Response:
        """Start using the instrument with the check-in code from its QR code. Inside a
        booking the caller holds (its check-in window open) this checks the booking in;
        otherwise it is walk-up use of a free instrument that allows it. Scanning again
        answers the running session. The power is switched on after the session is recorded;
        `power` tells how that went (`on_failed`: the session stands, the managers are told).
        400 `check_in_code_invalid`; 409 `instrument_in_use`, `instrument_booked`,
        `walk_up_not_allowed`."""
        data = UsageStartInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        session = usage_start(
            actor=request_member(request), resource_id=resource_id, **data.validated_data
        )
        session.refresh_from_db()  # the power state, switched after the commit
        return Response(UsageSessionOutputSerializer(session).data, status=status.HTTP_201_CREATED)


class UsageStopApi(APIView):
    permission_classes = [IsBoundMember]

    @extend_schema(
        tags=["usage"],
        request=UsageStopInputSerializer,
        responses={200: UsageSessionOutputSerializer, **errors(400, 401, 403, 404, 503)},
    )
    def post(self, request: Request, resource_id: int, session_id: int) -> Response:
        """Stop a running session: its user, or a manager of the resource's unit. A
        booking's session checks the booking out. Again: no change."""
        member = request_member(request)
        session = session_get_for_member(member=member, session_id=session_id)
        if session.resource_id != resource_id:
            raise NotFound()
        data = UsageStopInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        session = usage_stop(actor=member, session_id=session_id, **data.validated_data)
        session.refresh_from_db()
        return Response(UsageSessionOutputSerializer(session).data)
