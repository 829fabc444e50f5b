"""Staff actions (issue 9): closures and retirements that cancel the bookings they hit, and
the shapes of their previews and refusals."""

from __future__ import annotations

from rest_framework import serializers

from api.fields import LocalDateTimeField, StrictCharField
from api.v1.serializers.common import ErrorSerializer, InputSerializer
from api.v1.serializers.resources import ClosureInputSerializer, ClosureOutputSerializer
from bookings.closures import CLOSURE_REASON_MAX_LENGTH
from bookings.models import BookingStatus

CONFIRM_HELP = (
    "Cancel the bookings the closure hits (each booker is told, with the reason). Without "
    "it a closure over bookings is refused with 409 `closure_hits_bookings`."
)


class ClosureCreateInputSerializer(ClosureInputSerializer):
    confirm = serializers.BooleanField(required=False, default=False, help_text=CONFIRM_HELP)


class ClosurePreviewInputSerializer(InputSerializer):
    start = LocalDateTimeField()
    end = LocalDateTimeField(help_text="Exclusive end.")


class RetireInputSerializer(InputSerializer):
    confirm = serializers.BooleanField(required=False, default=False, help_text=CONFIRM_HELP)
    reason = StrictCharField(
        max_length=CLOSURE_REASON_MAX_LENGTH,
        required=False,
        allow_blank=True,
        default="",
        help_text="Told to the bookers whose bookings are cancelled; required then.",
    )


class ClosureHitSerializer(serializers.Serializer):
    """A booking a closure or retirement would cancel. Only those who may close the resource
    (its unit's managers, the secretariat) ever see one, booker's name included."""

    id = serializers.IntegerField()
    resource = serializers.IntegerField()
    resource_name = serializers.CharField()
    start = LocalDateTimeField()
    end = LocalDateTimeField()
    status = serializers.ChoiceField(choices=BookingStatus.choices)
    unit = serializers.IntegerField(help_text="The booker's unit.")
    unit_name = serializers.CharField()
    member_name = serializers.CharField(help_text="The booker.")


class ClosureHitsOutputSerializer(serializers.Serializer):
    bookings = ClosureHitSerializer(many=True)


class ClosureHitsErrorSerializer(ErrorSerializer):
    """409 ``closure_hits_bookings``: the bookings it would cancel; send again confirmed."""

    bookings = ClosureHitSerializer(many=True)


class ClosureCreatedOutputSerializer(ClosureOutputSerializer):
    resource = serializers.IntegerField(
        source="closure.resource_id", allow_null=True, help_text="None: the whole alliance."
    )
    id = serializers.IntegerField(source="closure.id")
    start = LocalDateTimeField(source="closure.start")
    end = LocalDateTimeField(source="closure.end")
    reason = serializers.CharField(source="closure.reason")
    created_at = LocalDateTimeField(source="closure.created_at")
    cancelled_bookings = serializers.SerializerMethodField(
        help_text="Ids of the bookings the closure cancelled."
    )

    def get_cancelled_bookings(self, outcome) -> list[int]:
        return [booking.pk for booking in outcome.cancelled]
