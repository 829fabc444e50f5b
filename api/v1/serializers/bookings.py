"""Bookings: requesting one, the booking as its viewers see it, and decisions on it."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from rest_framework import serializers

from alliance.errors import ValidationFailed
from alliance.models import Member
from api.authentication import request_member
from api.fields import ID_MAX, LocalDateTimeField, StrictCharField
from api.v1.serializers.common import InputSerializer
from bookings.lifecycle import booking_can_cancel, booking_can_check_in, booking_cancel_is_late
from bookings.models import BOOKING_MODES, Booking, BookingEvent, BookingStatus
from bookings.services import REASON_MAX_LENGTH
from bookings.window_rules import ATTENDEES_MAX, PURPOSE_MAX_LENGTH
from resources.models import ServiceMode
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
    mode = serializers.ChoiceField(
        choices=[(m.value, m.label) for m in BOOKING_MODES],
        required=False,
        default=ServiceMode.SELF_USE,
        help_text="`self_use` (自主上机, the default) or `assisted` (委托上机: an operator of "
        "the owning unit runs the instrument). 400 `mode_not_offered` when the resource does "
        "not offer it; the qualification gate (`not_qualified`) is self-use's only.",
    )
    operator_id = ResourceIdField(
        required=False,
        help_text="Assisted use: the operator asked for (one of the resource's operators; "
        "400 `operator_not_eligible`, 409 `operator_busy`). Left out, the scheduler picks a "
        "free one (409 `no_operator_free`).",
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
    mode = serializers.ChoiceField(
        choices=[(m.value, m.label) for m in BOOKING_MODES],
        help_text="`self_use` or `assisted` (委托上机).",
    )
    operator = serializers.IntegerField(
        source="operator_id", allow_null=True, help_text="Assisted use: the operator's id."
    )
    operator_name = serializers.CharField(
        source="operator.name", allow_null=True, help_text="Assisted use: who runs it."
    )
    checked_in_at = LocalDateTimeField(allow_null=True)
    checked_out_at = LocalDateTimeField(allow_null=True)
    cancelled_late = serializers.BooleanField(
        help_text="Cancelled inside the late-cancellation window before the start."
    )
    created_at = LocalDateTimeField()
    updated_at = LocalDateTimeField()
    status_label = serializers.CharField(
        source="get_status_display", help_text="The status in the caller's language."
    )
    status_reason = serializers.SerializerMethodField(
        help_text="The reason given with the last status change (why it was rejected or "
        "cancelled…); empty when none was given."
    )
    resource_location = serializers.CharField(source="resource.location")
    can_cancel = serializers.SerializerMethodField(
        help_text="Whether the caller may cancel it now (bookings.lifecycle rules)."
    )
    cancel_is_late = serializers.SerializerMethodField(
        help_text="Whether cancelling now counts as late (inside "
        "`BOOKING_LATE_CANCEL_MINUTES` before the start): warn before cancelling."
    )
    can_check_in = serializers.SerializerMethodField(
        help_text="Whether the caller may check in now (with the resource's QR code; a "
        "manager of the resource's unit needs none)."
    )

    # Per caller: the member of the context's request, at one ``now`` for the whole answer.

    def _member(self) -> Member | None:
        if "member" not in self.context:
            request = self.context.get("request")
            self.context["member"] = None if request is None else request_member(request)
        return self.context["member"]

    def _now(self) -> dt.datetime:
        return self.context.setdefault("now", timezone.now())

    def get_status_reason(self, booking: Booking) -> str:
        # A booking just created carries no annotation: its only change had no reason.
        return getattr(booking, "status_reason", None) or ""

    def get_can_cancel(self, booking: Booking) -> bool:
        return booking_can_cancel(self._member(), booking, self._now())

    def get_cancel_is_late(self, booking: Booking) -> bool:
        return booking_cancel_is_late(booking, self._now())

    def get_can_check_in(self, booking: Booking) -> bool:
        return booking_can_check_in(self._member(), booking, self._now())


class BookingEventSerializer(serializers.Serializer):
    """One entry of the booking's history: who did what, when and why."""

    at = LocalDateTimeField()
    actor_name = serializers.CharField(
        source="actor.name", allow_null=True, help_text="Null when the system acted."
    )
    action = serializers.ChoiceField(choices=BookingEvent.Action.choices)
    action_label = serializers.CharField(
        source="get_action_display", help_text="In the caller's language."
    )
    from_status = serializers.ChoiceField(
        choices=BookingStatus.choices, allow_null=True, help_text="Null for the request."
    )
    to_status = serializers.ChoiceField(choices=BookingStatus.choices)
    reason = serializers.CharField()

    def to_representation(self, event: BookingEvent) -> dict:
        data = super().to_representation(event)
        data["from_status"] = data["from_status"] or None
        return data


class BookingDetailOutputSerializer(BookingOutputSerializer):
    """One booking with its history, oldest first."""

    history = BookingEventSerializer(source="events.all", many=True)


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
