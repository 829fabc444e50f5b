"""The waitlist (issue 12): joining a taken slot, and a member's entries."""

from __future__ import annotations

from rest_framework import serializers

from api.fields import LocalDateTimeField
from api.v1.serializers.bookings import BookingCreateInputSerializer
from bookings.waitlist_models import WaitlistStatus
from bookings.waitlist_selectors import waitlist_entry_position


class WaitlistJoinInputSerializer(BookingCreateInputSerializer):
    """As a booking request, for oneself only (no ``member``, no ``operator_id``: an
    assisted hold gets a free operator when it is offered)."""

    member = None
    operator_id = None


class WaitlistEntryOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    resource = serializers.IntegerField(source="resource_id")
    resource_name = serializers.CharField(source="resource.name")
    start = LocalDateTimeField()
    end = LocalDateTimeField()
    purpose = serializers.CharField()
    attendees = serializers.IntegerField()
    mode = serializers.CharField(help_text="`self_use` or `assisted`.")
    status = serializers.ChoiceField(
        choices=WaitlistStatus.choices,
        help_text="`waiting` in line; `offered`: the time is held for you until "
        "`hold_expires_at` (claim or decline it); `claimed`, `declined`, `lapsed`, `left`, "
        "`expired` (the slot started, or a closure took it).",
    )
    position = serializers.SerializerMethodField(
        help_text="Place in line while waiting (1: offered next when the time frees); null "
        "otherwise."
    )
    hold = serializers.IntegerField(
        source="hold_id", allow_null=True, help_text="The held (then claimed) booking's id."
    )
    hold_expires_at = LocalDateTimeField(allow_null=True)
    created_at = LocalDateTimeField()

    def get_position(self, entry) -> int | None:
        return waitlist_entry_position(entry)
