"""Calendar feeds: obtain (or reset) a feed URL through the API; fetch it by its token.

``POST /api/v1/calendar-feeds/`` with ``{}`` gives the caller's own feed, with
``{"resource": id}`` the resource's busy-time feed (its managers only). Each call issues a
new token: the previous URL stops working. The feed itself, ``GET /calendars/<token>.ics``,
needs no sign-in (calendar apps cannot send one): the token is the key.
"""

from django.http import Http404, HttpResponse
from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from alliance.errors import NotFound
from api.authentication import IsBoundMember, request_member
from api.v1.serializers.common import InputSerializer, errors
from bookings.feeds import calendar_feed_render, calendar_feed_reset
from resources.models import Resource


class CalendarFeedResetApi(APIView):
    permission_classes = [IsBoundMember]

    class InputSerializer(InputSerializer):
        resource = serializers.IntegerField(required=False, min_value=1, max_value=2**63 - 1)

    class OutputSerializer(serializers.Serializer):
        url = serializers.URLField()
        kind = serializers.ChoiceField(choices=["member", "resource"])

    @extend_schema(
        operation_id="calendar_feed_reset",
        request=InputSerializer,
        responses={201: OutputSerializer, **errors(400, 401, 403, 404)},
        summary="Issue a new iCalendar feed URL (the old one stops working)",
    )
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        member = request_member(request)
        resource_id = data.validated_data.get("resource")
        if resource_id is None:
            token = calendar_feed_reset(actor=member, member=member)
            kind = "member"
        else:
            resource = Resource.objects.filter(pk=resource_id).first()
            if resource is None:
                raise NotFound()
            token = calendar_feed_reset(actor=member, resource=resource)
            kind = "resource"
        url = request.build_absolute_uri(reverse("calendar-feed", args=[token]))
        body = self.OutputSerializer({"url": url, "kind": kind}).data
        return Response(body, status=status.HTTP_201_CREATED)


@extend_schema(exclude=True)
def calendar_feed_view(request, token: str) -> HttpResponse:
    """The feed as text/calendar; 404 for an unknown token."""
    try:
        body = calendar_feed_render(token=token)
    except NotFound:
        raise Http404 from None
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, max-age=300"
    return response
