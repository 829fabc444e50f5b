"""A resource's weekly opening hours and its closures, kept by the owning unit's managers and
the secretariat (resources.services decides who may; 403 ``permission_denied`` otherwise).

An unknown resource, or a closure of another resource, is 404 before anything else.
"""

from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from alliance.errors import NotFound
from api.authentication import IsBoundMember, request_member
from api.pagination import StandardPagination
from api.v1.resources import BrowseOrManage
from api.v1.serializers.common import errors, list_errors
from api.v1.serializers.resources import (
    OPENING_WINDOWS_MAX,
    ClosureOutputSerializer,
    OpeningWindowSerializer,
)
from api.v1.serializers.staff import ClosureCreatedOutputSerializer, ClosureCreateInputSerializer
from api.v1.staff import CLOSURE_HITS
from bookings.closures import closure_create_with_cancellations
from resources.calendar_services import closure_delete, opening_hours_set
from resources.models import Closure
from resources.selectors import closure_list_for_resource, resource_get


class ResourceOpeningHoursApi(APIView):
    permission_classes = [IsBoundMember]

    @extend_schema(
        tags=["resources"],
        operation_id="resources_opening_hours_update",
        request=OpeningWindowSerializer(many=True),
        responses={200: OpeningWindowSerializer(many=True), **errors(400, 401, 403, 404)},
    )
    def put(self, request: Request, resource_id: int) -> Response:
        """Replace all weekly opening windows at once (local time; an end of `24:00` means
        midnight). Windows of one day may touch but not overlap (400
        `overlapping_opening_hours`); an empty list closes the resource."""
        resource_get(resource_id=resource_id, prefetch=())
        data = OpeningWindowSerializer(
            data=request.data, many=True, allow_empty=True, max_length=OPENING_WINDOWS_MAX
        )
        data.is_valid(raise_exception=True)
        windows = opening_hours_set(
            actor=request_member(request),
            resource_id=resource_id,
            windows=[(w["weekday"], w["start_time"], w["end_time"]) for w in data.validated_data],
        )
        return Response(OpeningWindowSerializer(windows, many=True).data)


class ResourceClosureListApi(BrowseOrManage, ListAPIView):
    serializer_class = ClosureOutputSerializer
    pagination_class = StandardPagination
    filter_backends: list = []

    def get_queryset(self) -> QuerySet[Closure]:
        resource_id = self.kwargs["resource_id"]
        resource_get(resource_id=resource_id, prefetch=())
        return closure_list_for_resource(resource_id=resource_id)

    @extend_schema(
        tags=["resources"],
        operation_id="resources_closures_list",
        responses={200: ClosureOutputSerializer(many=True), **list_errors(401, 404)},
    )
    def get(self, request: Request, *args: object, **kwargs: object) -> Response:
        """The resource's own closures (maintenance, outages), soonest first. Alliance-wide
        closures such as public holidays are not listed here; availability shows them."""
        return super().get(request, *args, **kwargs)

    @extend_schema(
        tags=["resources"],
        operation_id="resources_closures_create",
        request=ClosureCreateInputSerializer,
        responses={
            201: ClosureCreatedOutputSerializer,
            **errors(400, 401, 403, 404, 503),
            409: CLOSURE_HITS,
        },
    )
    def post(self, request: Request, resource_id: int) -> Response:
        """Close the resource over [start, end) with a reason. If pending or approved
        bookings lie inside, it is refused (409 `closure_hits_bookings`, listing them)
        unless `confirm`: then they are cancelled with the reason in the same transaction,
        and each booker is told, with free slots of the resource."""
        resource_get(resource_id=resource_id, prefetch=())
        data = ClosureCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        outcome = closure_create_with_cancellations(
            actor=request_member(request), resource_id=resource_id, **data.validated_data
        )
        return Response(
            ClosureCreatedOutputSerializer(outcome).data, status=status.HTTP_201_CREATED
        )


class ResourceClosureDetailApi(APIView):
    permission_classes = [IsBoundMember]

    @extend_schema(
        tags=["resources"],
        operation_id="resources_closures_destroy",
        responses={204: None, **errors(401, 403, 404)},
    )
    def delete(self, request: Request, resource_id: int, closure_id: int) -> Response:
        """Lift a closure of this resource."""
        if not closure_list_for_resource(resource_id=resource_id).filter(pk=closure_id).exists():
            raise NotFound()
        closure_delete(actor=request_member(request), closure_id=closure_id)
        return Response(status=status.HTTP_204_NO_CONTENT)
