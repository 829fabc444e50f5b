"""Qualification (上机资格) endpoints: a member asks for training, lists and withdraws their
own; the resource's managers (and the secretariat) list the requests, schedule training,
grant, refuse and revoke.

Only callers bound to a member reach them (403 ``not_bound``). A qualification outside the
caller's view is 404 before anything else; within it, whether the caller may act is the
service's decision (403 ``permission_denied``, 409 ``qualification_state``).
"""

from __future__ import annotations

import django_filters
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import Serializer
from rest_framework.views import APIView

from api.authentication import IsBoundMember, request_member
from api.pagination import StandardPagination
from api.v1.serializers.common import errors, list_errors
from api.v1.serializers.qualifications import (
    QualificationDetailOutputSerializer,
    QualificationEmptyInputSerializer,
    QualificationOutputSerializer,
    QualificationReasonInputSerializer,
    QualificationRequestInputSerializer,
    QualificationScheduleInputSerializer,
)
from bookings.qualifications import (
    qualification_cancel,
    qualification_grant,
    qualification_refuse,
    qualification_request,
    qualification_revoke,
    qualification_schedule,
)
from resources.models import Qualification, QualificationStatus, Resource
from resources.qualifications import (
    qualification_get_for_member,
    qualification_list_for_member,
    qualification_list_to_decide,
)


def _answer(member, qualification_id: int, status_code: int = status.HTTP_200_OK) -> Response:
    qualification = qualification_get_for_member(member=member, qualification_id=qualification_id)
    return Response(QualificationDetailOutputSerializer(qualification).data, status=status_code)


class QualificationListCreateApi(ListAPIView):
    """GET lists the caller's own qualifications; POST asks for training."""

    serializer_class = QualificationOutputSerializer
    pagination_class = StandardPagination
    permission_classes = [IsBoundMember]
    filter_backends: list = []

    def get_queryset(self) -> QuerySet[Qualification]:
        return qualification_list_for_member(member=request_member(self.request))

    @extend_schema(
        tags=["qualifications"],
        responses={200: QualificationOutputSerializer(many=True), **list_errors(401, 403)},
    )
    def get(self, request: Request, *args: object, **kwargs: object) -> Response:
        """The caller's own qualifications and requests, newest first."""
        return super().get(request, *args, **kwargs)

    @extend_schema(
        tags=["qualifications"],
        request=QualificationRequestInputSerializer,
        responses={201: QualificationDetailOutputSerializer, **errors(400, 401, 403, 404, 409)},
    )
    def post(self, request: Request) -> Response:
        """Ask for training on a resource that requires a qualification; its managers are
        told. 400 `qualification_not_required`, `resource_retired`; 409
        `qualification_exists` when the caller already has an open request or grant."""
        member = request_member(request)
        data = QualificationRequestInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        qualification = qualification_request(
            member=member,
            resource_id=data.validated_data["resource"],
            note=data.validated_data["note"],
        )
        return _answer(member, qualification.pk, status.HTTP_201_CREATED)


class QualificationRequestFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=QualificationStatus.choices)
    resource = django_filters.ModelChoiceFilter(queryset=Resource.objects.all())

    class Meta:
        model = Qualification
        fields = ["status", "resource"]


class QualificationToDecideListApi(ListAPIView):
    """The qualifications of the resources the caller decides on (their unit's, or all for
    the secretariat), newest first; empty for researchers."""

    serializer_class = QualificationOutputSerializer
    filterset_class = QualificationRequestFilter
    pagination_class = StandardPagination
    permission_classes = [IsBoundMember]

    def get_queryset(self) -> QuerySet[Qualification]:
        return qualification_list_to_decide(member=request_member(self.request))

    @extend_schema(
        tags=["qualifications"],
        responses={200: QualificationOutputSerializer(many=True), **list_errors(400, 401, 403)},
    )
    def get(self, request: Request, *args: object, **kwargs: object) -> Response:
        return super().get(request, *args, **kwargs)


class QualificationDetailApi(APIView):
    permission_classes = [IsBoundMember]

    @extend_schema(
        tags=["qualifications"],
        operation_id="qualifications_retrieve",
        responses={200: QualificationDetailOutputSerializer, **errors(401, 403, 404)},
    )
    def get(self, request: Request, qualification_id: int) -> Response:
        """One qualification with its history: the caller's own, or one they decide."""
        return _answer(request_member(request), qualification_id)


_ACTION_RESPONSES = {
    200: QualificationDetailOutputSerializer,
    **errors(400, 401, 403, 404, 409, 503),
}


class _QualificationActionApi(APIView):
    """POST /qualifications/{id}/<action>/: 404 outside the caller's view, then the service
    decides (403, 409) and the updated qualification is answered."""

    permission_classes = [IsBoundMember]
    input_serializer: type[Serializer] = QualificationEmptyInputSerializer

    def act(self, *, actor, qualification_id: int, data: dict) -> Qualification:
        raise NotImplementedError

    def post(self, request: Request, qualification_id: int) -> Response:
        member = request_member(request)
        qualification_get_for_member(member=member, qualification_id=qualification_id)
        data = self.input_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        self.act(actor=member, qualification_id=qualification_id, data=data.validated_data)
        return _answer(member, qualification_id)


@extend_schema(
    tags=["qualifications"],
    request=QualificationEmptyInputSerializer,
    responses=_ACTION_RESPONSES,
    description="The member withdraws their request before it is decided; the managers are "
    "told. 409 `qualification_state` once granted or refused.",
)
class QualificationCancelApi(_QualificationActionApi):
    def act(self, *, actor, qualification_id, data):
        return qualification_cancel(actor=actor, qualification_id=qualification_id)


@extend_schema(
    tags=["qualifications"],
    request=QualificationScheduleInputSerializer,
    responses=_ACTION_RESPONSES,
    description="Set or move the training's time and place: the secretariat or a manager of "
    "the resource's unit; the member is told. 400 `training_in_the_past`; 409 "
    "`qualification_state` once decided.",
)
class QualificationScheduleApi(_QualificationActionApi):
    input_serializer = QualificationScheduleInputSerializer

    def act(self, *, actor, qualification_id, data):
        return qualification_schedule(
            actor=actor,
            qualification_id=qualification_id,
            training_at=data["training_at"],
            place=data["place"],
        )


@extend_schema(
    tags=["qualifications"],
    request=QualificationEmptyInputSerializer,
    responses=_ACTION_RESPONSES,
    description="Grant the qualification: the secretariat or a manager of the resource's "
    "unit; the member is told and may book. It lapses after the resource's validity or its "
    "idle days without use, whichever comes first. 409 `qualification_state` once decided.",
)
class QualificationGrantApi(_QualificationActionApi):
    def act(self, *, actor, qualification_id, data):
        return qualification_grant(actor=actor, qualification_id=qualification_id)


@extend_schema(
    tags=["qualifications"],
    request=QualificationReasonInputSerializer,
    responses=_ACTION_RESPONSES,
    description="Refuse the request with a reason: the secretariat or a manager of the "
    "resource's unit; the member is told. 409 `qualification_state` once decided.",
)
class QualificationRefuseApi(_QualificationActionApi):
    input_serializer = QualificationReasonInputSerializer

    def act(self, *, actor, qualification_id, data):
        return qualification_refuse(
            actor=actor, qualification_id=qualification_id, reason=data["reason"]
        )


@extend_schema(
    tags=["qualifications"],
    request=QualificationReasonInputSerializer,
    responses=_ACTION_RESPONSES,
    description="Revoke a grant with a reason: the secretariat or a manager of the "
    "resource's unit; the member is told. 409 `qualification_state` unless granted.",
)
class QualificationRevokeApi(_QualificationActionApi):
    input_serializer = QualificationReasonInputSerializer

    def act(self, *, actor, qualification_id, data):
        return qualification_revoke(
            actor=actor, qualification_id=qualification_id, reason=data["reason"]
        )
