"""The member's inbox and WeChat subscription credits, under /api/v1/notifications/.

Only callers bound to a member reach them (403 ``not_bound``); each sees and changes only
their own notifications (another member's is 404).
"""

from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from alliance.errors import ValidationFailed
from api.authentication import IsBoundMember, request_member
from api.notifications.serializers import (
    NotificationOutputSerializer,
    NotificationReadAllOutputSerializer,
    SubscriptionInputSerializer,
    SubscriptionOutputSerializer,
    UnreadCountOutputSerializer,
)
from api.pagination import StandardPagination
from api.v1.serializers.common import errors, list_errors
from notifications.models import Notification
from notifications.selectors import (
    notification_list_for_member,
    notification_unread_count,
    subscription_credits_for_member,
)
from notifications.services import (
    notification_mark_all_read,
    notification_mark_read,
    subscription_credits_add,
)

TAGS = ["notifications"]


class NotificationListApi(ListAPIView):
    serializer_class = NotificationOutputSerializer
    pagination_class = StandardPagination
    permission_classes = [IsBoundMember]
    filter_backends: list = []

    def get_queryset(self) -> QuerySet[Notification]:
        return notification_list_for_member(member=request_member(self.request))

    @extend_schema(
        tags=TAGS,
        responses={200: NotificationOutputSerializer(many=True), **list_errors(401, 403)},
    )
    def get(self, request: Request, *args: object, **kwargs: object) -> Response:
        """The caller's notifications: unread first, then newest first (a page beyond the
        last is 404)."""
        return super().get(request, *args, **kwargs)


class NotificationReadApi(APIView):
    permission_classes = [IsBoundMember]

    @extend_schema(
        tags=TAGS,
        request=None,
        responses={200: NotificationOutputSerializer, **errors(401, 403, 404)},
    )
    def post(self, request: Request, notification_id: int) -> Response:
        """Mark one of the caller's notifications read (again: no change)."""
        notification = notification_mark_read(
            member=request_member(request), notification_id=notification_id
        )
        return Response(NotificationOutputSerializer(notification).data)


class NotificationReadAllApi(APIView):
    permission_classes = [IsBoundMember]

    @extend_schema(
        tags=TAGS,
        request=None,
        responses={200: NotificationReadAllOutputSerializer, **errors(401, 403)},
    )
    def post(self, request: Request) -> Response:
        """Mark all the caller's notifications read."""
        marked = notification_mark_all_read(member=request_member(request))
        return Response(NotificationReadAllOutputSerializer({"marked": marked}).data)


class NotificationUnreadCountApi(APIView):
    permission_classes = [IsBoundMember]

    @extend_schema(tags=TAGS, responses={200: UnreadCountOutputSerializer, **errors(401, 403)})
    def get(self, request: Request) -> Response:
        """The badge: how many of the caller's notifications are unread."""
        unread = notification_unread_count(member=request_member(request))
        return Response(UnreadCountOutputSerializer({"unread": unread}).data)


class SubscriptionApi(APIView):
    permission_classes = [IsBoundMember]

    @extend_schema(tags=TAGS, responses={200: SubscriptionOutputSerializer, **errors(401, 403)})
    def get(self, request: Request) -> Response:
        """The templates the alliance uses and the caller's credits for each: ask the member
        (``wx.requestSubscribeMessage``) for those at zero."""
        templates = subscription_credits_for_member(member=request_member(request))
        return Response(SubscriptionOutputSerializer({"templates": templates}).data)

    @extend_schema(
        tags=TAGS,
        request=SubscriptionInputSerializer,
        responses={200: SubscriptionOutputSerializer, **errors(400, 401, 403)},
    )
    def post(self, request: Request) -> Response:
        """Report the templates the member just accepted: one more message allowed for each.
        A template the alliance does not use is 400 ``unknown_template`` (nothing counted)."""
        data = SubscriptionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        template_ids = data.validated_data.get("template_ids", data.validated_data.get("accepted"))
        if template_ids is None:
            raise ValidationFailed("invalid", fields={"template_ids": ["required"]})
        member = request_member(request)
        subscription_credits_add(member=member, template_ids=template_ids)
        templates = subscription_credits_for_member(member=member)
        return Response(SubscriptionOutputSerializer({"templates": templates}).data)
