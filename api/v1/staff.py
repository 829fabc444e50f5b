"""Closures and retirements that take care of the bookings they hit (issue 9): previews of
the bookings a closure would cancel, and alliance-wide closures (public holidays).

The closure of one resource and its retirement themselves are answered by
api.v1.resource_calendar and api.v1.resources; all go through bookings.closures, which
decides who may (403) and refuses an unconfirmed closure over bookings (409
``closure_hits_bookings``, listing them).
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.authentication import IsBoundMember, request_member
from api.v1.serializers.common import errors
from api.v1.serializers.staff import (
    ClosureCreatedOutputSerializer,
    ClosureCreateInputSerializer,
    ClosureHitsErrorSerializer,
    ClosureHitsOutputSerializer,
    ClosurePreviewInputSerializer,
)
from bookings.closures import (
    closure_create_with_cancellations,
    closure_hits_preview,
    hit_facts,
    retirement_hits_preview,
)
from resources.selectors import resource_get

CLOSURE_HITS = OpenApiResponse(
    ClosureHitsErrorSerializer,
    description="`closure_hits_bookings`: it would cancel the listed bookings; send it "
    "again with `confirm: true` to close and cancel them. Nothing was written.",
)


def _hits_answer(hits: list) -> Response:
    return Response(ClosureHitsOutputSerializer({"bookings": [hit_facts(b) for b in hits]}).data)


class ResourceClosurePreviewApi(APIView):
    permission_classes = [IsBoundMember]

    @extend_schema(
        tags=["resources"],
        operation_id="resources_closures_preview",
        request=ClosurePreviewInputSerializer,
        responses={200: ClosureHitsOutputSerializer, **errors(400, 401, 403, 404)},
    )
    def post(self, request: Request, resource_id: int) -> Response:
        """The bookings a closure of the resource over [start, end) would cancel: pending
        and approved ones meeting it and not ended. Its unit's managers or the secretariat,
        who see the bookers' names. Writes nothing."""
        resource_get(resource_id=resource_id, prefetch=())
        data = ClosurePreviewInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        hits = closure_hits_preview(
            actor=request_member(request), resource_id=resource_id, **data.validated_data
        )
        return _hits_answer(hits)


class ResourceRetirePreviewApi(APIView):
    permission_classes = [IsBoundMember]

    @extend_schema(
        tags=["resources"],
        operation_id="resources_retire_preview",
        request=None,
        responses={200: ClosureHitsOutputSerializer, **errors(401, 403, 404)},
    )
    def post(self, request: Request, resource_id: int) -> Response:
        """The bookings retiring the resource would cancel: every pending or approved one not
        yet ended. Writes nothing."""
        resource_get(resource_id=resource_id, prefetch=())
        hits = retirement_hits_preview(actor=request_member(request), resource_id=resource_id)
        return _hits_answer(hits)


class AllianceClosureApi(APIView):
    permission_classes = [IsBoundMember]

    @extend_schema(
        tags=["resources"],
        operation_id="closures_create",
        request=ClosureCreateInputSerializer,
        responses={
            201: ClosureCreatedOutputSerializer,
            **errors(400, 401, 403, 503),
            409: CLOSURE_HITS,
        },
    )
    def post(self, request: Request) -> Response:
        """Close every resource of the alliance over [start, end) (a public holiday): the
        secretariat. The bookings of every resource it hits are listed (409) unless
        `confirm`, and then cancelled with the reason, each booker told."""
        data = ClosureCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        outcome = closure_create_with_cancellations(
            actor=request_member(request), resource_id=None, **data.validated_data
        )
        return Response(
            ClosureCreatedOutputSerializer(outcome).data, status=status.HTTP_201_CREATED
        )


class AllianceClosurePreviewApi(APIView):
    permission_classes = [IsBoundMember]

    @extend_schema(
        tags=["resources"],
        operation_id="closures_preview",
        request=ClosurePreviewInputSerializer,
        responses={200: ClosureHitsOutputSerializer, **errors(400, 401, 403)},
    )
    def post(self, request: Request) -> Response:
        """The bookings of every resource an alliance-wide closure over [start, end) would
        cancel: the secretariat. Writes nothing."""
        data = ClosurePreviewInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        hits = closure_hits_preview(
            actor=request_member(request), resource_id=None, **data.validated_data
        )
        return _hits_answer(hits)
