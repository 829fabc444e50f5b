"""The credit score (信用积分, issue 12): a member's standing and history; misuse reports."""

from __future__ import annotations

from rest_framework import serializers

from api.fields import LocalDateTimeField, StrictCharField
from api.v1.serializers.common import InputSerializer
from bookings.credit import REASON_MAX_LENGTH
from bookings.models import CreditEventKind


class CreditEventOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=CreditEventKind.choices)
    points = serializers.IntegerField(help_text="Negative for a cost.")
    score_after = serializers.IntegerField()
    booking = serializers.IntegerField(source="booking_id", allow_null=True)
    reason = serializers.CharField()
    at = LocalDateTimeField()


class CreditOutputSerializer(serializers.Serializer):
    score = serializers.IntegerField(help_text="The score now, recovery included.")
    suspended_until = LocalDateTimeField(
        allow_null=True, help_text="While in the future, the member cannot book."
    )
    recent_no_shows = serializers.IntegerField(help_text="No-shows in the counting window.")
    history = CreditEventOutputSerializer(many=True, help_text="Newest first (at most 100).")


class MisuseInputSerializer(InputSerializer):
    points = serializers.IntegerField(min_value=1, max_value=100)
    reason = StrictCharField(max_length=REASON_MAX_LENGTH)
