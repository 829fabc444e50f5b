"""Bookings: requesting one, the booking as its viewers see it, and decisions on it."""

from __future__ import annotations

import datetime as dt

from rest_framework import serializers

from alliance.errors import ValidationFailed
from api.fields import ID_MAX, LocalDateTimeField, StrictCharField
from api.v1.serializers.common import InputSerializer
from bookings.models import BookingStatus
from bookings.services import ATTENDEES_MAX, PURPOSE_MAX_LENGTH, REASON_MAX_LENGTH
from resources.services import RULE_BOUNDS

#: The longest booking any resource's rules can allow (resources.services.RULE_BOUNDS).
BOOKING_SPAN_MAX = dt.timedelta(minutes=RULE_BOUNDS["max_duration_minutes"][1])


class ResourceIdField(serializers.IntegerField):
    """A resource id parsed strictly (1.5 and true are not 1), without a query: the scheduler
    reads the resource anyway, and an id it does not find is ``does_not_exist`` as here for
    one out of range (see BookingListCreateApi.post)."""

    default_error_messages = {
        "does_not_exist": serializers.PrimaryKeyRelatedField.default_error_messages[
            "does_not_exist"
        ]
    }

    def to_internal_value(self, data: object) -> int:
        if isinstance(data, bool):
            self.fail("invalid")
        value = super().to_internal_value(data)
        if not 1 <= value <= ID_MAX:
            self.fail("does_not_exist", pk_value=value)
        return value


class BookingCreateInputSerializer(InputSerializer):
    resource = ResourceIdField(help_text="Id of the resource to book.")
    start = LocalDateTimeField(help_text="ISO 8601; without an offset it is Asia/Shanghai time.")
    end = LocalDateTimeField(help_text="Exclusive end; ISO 8601 as start.")
    purpose = StrictCharField(max_length=PURPOSE_MAX_LENGTH)
    attendees = serializers.IntegerField(
        min_value=1, max_value=ATTENDEES_MAX, required=False, default=1
    )
    member = ResourceIdField(
        required=False,
        help_text="Book on behalf of this member (代预约): managers of the resource's unit and "
        "the secretariat only (403 `on_behalf_not_allowed`). Every rule is the member's.",
    )

    def validate(self, attrs: dict) -> dict:
        """Refuse spans no resource's rules allow before the scheduler builds a calendar for
        them (decades would cost it half a second)."""
        if attrs["end"] - attrs["start"] > BOOKING_SPAN_MAX:
            raise ValidationFailed(
                "range_too_long",
                params={"days": BOOKING_SPAN_MAX.days},
                fields={"end": ["range_too_long"]},
            )
        return attrs


class BookingOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    resource = serializers.IntegerField(source="resource_id")
    resource_name = serializers.CharField(source="resource.name")
    resource_unit = serializers.IntegerField(
        source="resource.unit_id", help_text="Id of the unit that owns the resource."
    )
    member = serializers.IntegerField(source="member_id", help_text="Id of the booker.")
    member_name = serializers.CharField(source="member.name")
    unit = serializers.IntegerField(source="unit_id", help_text="The booker's unit at booking.")
    unit_name = serializers.CharField(source="unit.name")
    start = LocalDateTimeField()
    end = LocalDateTimeField()
    purpose = serializers.CharField()
    attendees = serializers.IntegerField()
    status = serializers.ChoiceField(choices=BookingStatus.choices)
    checked_in_at = LocalDateTimeField(allow_null=True)
    checked_out_at = LocalDateTimeField(allow_null=True)
    cancelled_late = serializers.BooleanField(
        help_text="Cancelled inside the late-cancellation window before the start."
    )
    created_at = LocalDateTimeField()
    updated_at = LocalDateTimeField()


class BookingReasonInputSerializer(InputSerializer):
    """Cancel or approve: an optional note for the history."""

    reason = StrictCharField(
        max_length=REASON_MAX_LENGTH, required=False, allow_blank=True, default=""
    )


class BookingRejectInputSerializer(InputSerializer):
    """Reject: the booker learns why."""

    reason = StrictCharField(max_length=REASON_MAX_LENGTH)


class BookingCheckInInputSerializer(InputSerializer):
    """Check-in: the code read from the resource's QR code (managers may leave it out)."""

    code = StrictCharField(max_length=64, required=False, allow_blank=True, default="")
