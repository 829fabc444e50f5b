"""Resources: the catalogue with its filters, one resource, its availability, and their
management (create, edit, retire) by the owning unit's managers and the secretariat.

Browsing is open to anyone signed in, bound or not; managing needs a bound member, and
whether that member may manage the resource is the service's decision (alliance.access).
Opening hours and closures live in api.v1.resource_calendar.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.generics import ListAPIView
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.authentication import IsBoundMember, request_member
from api.pagination import StandardPagination
from api.v1.filters import SEARCH_MAX_LENGTH, ResourceFilter
from api.v1.serializers.common import errors, list_errors
from api.v1.serializers.resources import (
    ResourceCreateInputSerializer,
    ResourceDetailOutputSerializer,
    ResourceUpdateInputSerializer,
)
from api.v1.serializers.search import (
    AvailabilityQueryWithDurationSerializer,
    AvailabilityWithStartsOutputSerializer,
    ResourceSearchOutputSerializer,
)
from api.v1.serializers.staff import RetireInputSerializer
from api.v1.staff import CLOSURE_HITS
from bookings.closures import resource_retire_with_cancellations
from bookings.selectors import (
    resource_availability_get,
)
from resources.models import Resource
from resources.selectors import (
    resource_get,
    resource_get_for_caller,
    resource_list,
    resources_for_caller,
)
from resources.services import RULE_BOUNDS, resource_create, resource_update


class BrowseOrManage:
    """Reading needs a signed-in caller; writing a bound member."""

    def get_permissions(self) -> list[BasePermission]:
        if self.request.method in ("GET", "HEAD", "OPTIONS"):
            return [IsAuthenticated()]
        return [IsBoundMember()]


def caller_context(request: Request) -> dict:
    """What the resource serializers need to speak to this caller (can_book, check_in_url)."""
    return {"request": request, "member": request_member(request)}


def resource_answer(
    request: Request, resource_id: int, status_code: int = status.HTTP_200_OK
) -> Response:
    """The resource in full, as the caller sees it."""
    context = caller_context(request)
    resource = resource_get_for_caller(resource_id=resource_id, member=context["member"])
    return Response(
        ResourceDetailOutputSerializer(resource, context=context).data, status=status_code
    )


def _service_kwargs(validated: dict) -> dict:
    """Input field names to service argument names."""
    kwargs = dict(validated)
    if "allowed_units" in kwargs:
        kwargs["allowed_unit_ids"] = kwargs.pop("allowed_units")
    return kwargs


class ResourceListApi(BrowseOrManage, ListAPIView):
    serializer_class = ResourceSearchOutputSerializer
    filterset_class = ResourceFilter
    pagination_class = StandardPagination

    def get_queryset(self) -> QuerySet[Resource]:
        return resources_for_caller(resource_list(), member=request_member(self.request))

    def get_serializer_context(self) -> dict:
        return {**super().get_serializer_context(), **caller_context(self.request)}

    @extend_schema(
        tags=["resources"],
        # django-filter's own schema leaves out the length the filter refuses above.
        parameters=[
            OpenApiParameter(
                "q",
                {"type": "string", "maxLength": SEARCH_MAX_LENGTH},
                description=ResourceFilter.base_filters["q"].extra["help_text"],
            ),
            OpenApiParameter(
                "duration",
                {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": RULE_BOUNDS["max_duration_minutes"][1],
                },
                description=ResourceFilter.base_filters["duration"].extra["help_text"],
            ),
        ],
        responses={200: ResourceSearchOutputSerializer(many=True), **list_errors(401)},
    )
    def get(self, request: Request, *args: object, **kwargs: object) -> Response:
        """The catalogue, by unit and name. Retired resources are left out unless
        `include_retired=true`. Each resource says whether the caller may book it
        (`can_book`, and why not), in a fixed number of queries whatever the number of
        resources.

        Search by time: `free_from`+`free_to` (and `duration` in minutes, by default each
        resource's minimum) keep the resources with at least one slot of that length you
        could book inside the window now, each with its `first_slots`. With
        `include_unfit=true` the others follow, each with `unfit` saying why (closed, not
        open to your unit, fully booked, …)."""
        return super().get(request, *args, **kwargs)

    @extend_schema(
        tags=["resources"],
        request=ResourceCreateInputSerializer,
        responses={201: ResourceDetailOutputSerializer, **errors(400, 401, 403)},
    )
    def post(self, request: Request) -> Response:
        """Share a new resource of a unit: its managers or the secretariat. It has no opening
        hours yet, so nobody can book it until they are set. Rules that do not fit together
        are 400 `invalid_rules` with the broken rules in `fields`."""
        data = ResourceCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        kwargs = _service_kwargs(data.validated_data)
        kwargs["unit_id"] = kwargs.pop("unit").pk
        resource = resource_create(actor=request_member(request), **kwargs)
        return resource_answer(request, resource.pk, status.HTTP_201_CREATED)


class ResourceDetailApi(BrowseOrManage, APIView):
    @extend_schema(
        tags=["resources"],
        operation_id="resources_retrieve",
        responses={200: ResourceDetailOutputSerializer, **errors(401, 404)},
    )
    def get(self, request: Request, resource_id: int) -> Response:
        """One resource with its booking rules and weekly opening hours (retired ones too)."""
        return resource_answer(request, resource_id)

    @extend_schema(
        tags=["resources"],
        operation_id="resources_partial_update",
        request=ResourceUpdateInputSerializer,
        responses={200: ResourceDetailOutputSerializer, **errors(400, 401, 403, 404)},
    )
    def patch(self, request: Request, resource_id: int) -> Response:
        """Change any of the resource's fields: its unit's managers or the secretariat.
        Bookings already made keep the rules they were made under."""
        resource_get(resource_id=resource_id, prefetch=())
        data = ResourceUpdateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        resource_update(
            actor=request_member(request),
            resource_id=resource_id,
            **_service_kwargs(data.validated_data),
        )
        return resource_answer(request, resource_id)


class ResourceRetireApi(APIView):
    permission_classes = [IsBoundMember]

    @extend_schema(
        tags=["resources"],
        operation_id="resources_retire",
        request=RetireInputSerializer,
        responses={
            200: ResourceDetailOutputSerializer,
            **errors(400, 401, 403, 404, 503),
            409: CLOSURE_HITS,
        },
    )
    def post(self, request: Request, resource_id: int) -> Response:
        """Stop new bookings of the resource for good (its history stays). Bookings not yet
        ended are listed (409 `closure_hits_bookings`) unless `confirm` with a `reason`:
        then they are cancelled and their bookers told. Retiring a retired resource changes
        nothing but what is confirmed."""
        resource_get(resource_id=resource_id, prefetch=())
        data = RetireInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        resource_retire_with_cancellations(
            actor=request_member(request), resource_id=resource_id, **data.validated_data
        )
        return resource_answer(request, resource_id)


class ResourceAvailabilityApi(APIView):
    @extend_schema(
        tags=["resources"],
        operation_id="resources_availability",
        parameters=[
            OpenApiParameter("from", dt.date, required=True, description="First local date."),
            OpenApiParameter(
                "to", dt.date, required=True, description="Last local date, included."
            ),
            OpenApiParameter(
                "duration",
                {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": RULE_BOUNDS["max_duration_minutes"][1],
                },
                description="Minutes: also answer `start_times`, the bookable starts of a "
                "slot this long. 400 `too_short`, `too_long` or `not_on_slot_boundary` for a "
                "length the resource never takes.",
            ),
        ],
        responses={200: AvailabilityWithStartsOutputSerializer, **errors(400, 401, 404)},
    )
    def get(self, request: Request, resource_id: int) -> Response:
        """Open, busy and free time of a resource over local dates ``from``..``to`` (at most
        62 days). ``busy`` says when, never who or why."""
        resource = resource_get(resource_id=resource_id, prefetch=("opening_hours",))
        query = AvailabilityQueryWithDurationSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        duration = query.validated_data.get("duration")
        availability = resource_availability_get(
            resource=resource,
            date_from=query.validated_data["from"],
            date_to=query.validated_data["to"],
            duration=None if duration is None else dt.timedelta(minutes=duration),
        )
        return Response(AvailabilityWithStartsOutputSerializer(availability).data)
