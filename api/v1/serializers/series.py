"""Recurring bookings (issue 12): the rule in, the occurrences out."""

from __future__ import annotations

from rest_framework import serializers

from alliance.errors import ValidationFailed
from api.fields import ID_MAX, LocalDateTimeField, StrictCharField
from api.v1.serializers.bookings import BOOKING_SPAN_MAX, ResourceIdField
from api.v1.serializers.common import InputSerializer
from bookings.lifecycle import REASON_MAX_LENGTH
from bookings.models import BookingStatus
from bookings.series import ACTIONS, MODES, SCOPES
from bookings.series_models import SERIES_RULE_MAX_LENGTH
from bookings.window_rules import ATTENDEES_MAX, PURPOSE_MAX_LENGTH


class SeriesPreviewInputSerializer(InputSerializer):
    resource = ResourceIdField(help_text="Id of the resource to book.")
    rule = StrictCharField(
        max_length=SERIES_RULE_MAX_LENGTH,
        help_text="RFC 5545 RRULE, daily, weekly or monthly, with COUNT or UNTIL: e.g. "
        "`FREQ=WEEKLY;COUNT=10`, `FREQ=MONTHLY;BYMONTHDAY=-1;UNTIL=20271231`. At most 52 "
        "occurrences within 366 days; read on the Asia/Shanghai clock.",
    )
    start = LocalDateTimeField(help_text="The first occurrence's start (ISO 8601).")
    end = LocalDateTimeField(help_text="The first occurrence's end: every one is as long.")
    attendees = serializers.IntegerField(
        min_value=1, max_value=ATTENDEES_MAX, required=False, default=1
    )

    def validate(self, attrs: dict) -> dict:
        if not attrs["start"] < attrs["end"]:
            raise ValidationFailed("invalid_interval", fields={"end": ["invalid_interval"]})
        if attrs["end"] - attrs["start"] > BOOKING_SPAN_MAX:
            raise ValidationFailed(
                "range_too_long",
                params={"days": BOOKING_SPAN_MAX.days},
                fields={"end": ["range_too_long"]},
            )
        return attrs


class SeriesCreateInputSerializer(SeriesPreviewInputSerializer):
    purpose = StrictCharField(max_length=PURPOSE_MAX_LENGTH)
    mode = serializers.ChoiceField(
        choices=MODES,
        default="all",
        help_text="`all`: every occurrence or none (409 `series_clash` naming the dates); "
        "`skip`: book the free ones and report the others in `skipped`.",
    )


class OccurrencePreviewSerializer(serializers.Serializer):
    start = LocalDateTimeField()
    end = LocalDateTimeField()
    free = serializers.BooleanField()
    code = serializers.CharField(
        allow_null=True, help_text="Why not free: `conflict`, `closed`, `too_far_ahead`, …"
    )
    message = serializers.CharField(help_text="The reason, translated; empty when free.")


class SeriesPreviewOutputSerializer(serializers.Serializer):
    resource = serializers.IntegerField(source="resource_id")
    occurrences = OccurrencePreviewSerializer(many=True)


class OccurrenceSerializer(serializers.Serializer):
    """One occurrence: an ordinary booking (see /api/v1/bookings/{id}/)."""

    id = serializers.IntegerField()
    start = LocalDateTimeField()
    end = LocalDateTimeField()
    status = serializers.ChoiceField(choices=BookingStatus.choices)


class SeriesOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    resource = serializers.IntegerField(source="resource_id")
    resource_name = serializers.CharField(source="resource.name")
    member = serializers.IntegerField(source="member_id", help_text="Id of the booker.")
    rule = serializers.CharField()
    first_start = LocalDateTimeField()
    duration_minutes = serializers.IntegerField()
    purpose = serializers.CharField()
    attendees = serializers.IntegerField()
    created_at = LocalDateTimeField()


class SeriesDetailOutputSerializer(SeriesOutputSerializer):
    occurrences = OccurrenceSerializer(source="occurrences.all", many=True)


class SeriesCreatedOutputSerializer(serializers.Serializer):
    series = SeriesOutputSerializer()
    bookings = OccurrenceSerializer(many=True)
    skipped = OccurrencePreviewSerializer(many=True)


class SeriesActionInputSerializer(InputSerializer):
    action = serializers.ChoiceField(choices=ACTIONS)
    scope = serializers.ChoiceField(
        choices=SCOPES,
        default="all",
        help_text="`one` occurrence, it and the `following`, or `all`; past (started) "
        "occurrences are never changed.",
    )
    booking = serializers.IntegerField(
        min_value=1,
        max_value=ID_MAX,
        required=False,
        help_text="The occurrence (booking id) for `one` and `following`.",
    )
    reason = StrictCharField(
        max_length=REASON_MAX_LENGTH,
        required=False,
        allow_blank=True,
        default="",
        help_text="Required to reject, and to cancel someone else's series.",
    )


class SeriesActedOutputSerializer(serializers.Serializer):
    series = SeriesOutputSerializer()
    changed = OccurrenceSerializer(many=True)
