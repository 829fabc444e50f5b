"""Input and output shapes of the notification endpoints (plain serializers, no logic)."""

from __future__ import annotations

from rest_framework import serializers

from api.fields import StrictCharField
from api.v1.serializers.common import InputSerializer
from notifications.models import NotificationKind
from notifications.services import TEMPLATE_IDS_MAX

TEMPLATE_ID_MAX_LENGTH = 128


class NotificationOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=NotificationKind.choices)
    title = serializers.CharField()
    body = serializers.CharField()
    booking = serializers.IntegerField(
        source="booking_id", allow_null=True, help_text="The booking it is about, if any."
    )
    qualification = serializers.IntegerField(
        source="qualification_id",
        allow_null=True,
        help_text="The qualification (上机资格) it is about, if any.",
    )
    created_at = serializers.DateTimeField()
    read_at = serializers.DateTimeField(allow_null=True)
    is_read = serializers.BooleanField()


class NotificationReadAllOutputSerializer(serializers.Serializer):
    marked = serializers.IntegerField(help_text="How many notifications were unread.")


class UnreadCountOutputSerializer(serializers.Serializer):
    unread = serializers.IntegerField(help_text="The caller's unread notifications.")


def _template_ids(help_text: str) -> serializers.ListField:
    return serializers.ListField(
        child=StrictCharField(max_length=TEMPLATE_ID_MAX_LENGTH),
        max_length=TEMPLATE_IDS_MAX,
        required=False,
        help_text=help_text,
    )


class SubscriptionInputSerializer(InputSerializer):
    """What ``wx.requestSubscribeMessage`` reported as accepted, under either name."""

    template_ids = _template_ids("Template ids the member accepted.")
    accepted = _template_ids("Same as template_ids (give one of the two).")


class SubscriptionTemplateOutputSerializer(serializers.Serializer):
    template_id = serializers.CharField()
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=NotificationKind.choices),
        help_text="The booking events this template tells of.",
    )
    credits = serializers.IntegerField(
        help_text="Messages WeChat still allows us to send the member with this template."
    )


class SubscriptionOutputSerializer(serializers.Serializer):
    templates = SubscriptionTemplateOutputSerializer(many=True)
