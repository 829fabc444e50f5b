"""Qualifications (上机资格): what a member asks, what managers decide, and the answers."""

from __future__ import annotations

from rest_framework import serializers

from api.fields import ID_MAX, LocalDateTimeField, StrictCharField
from api.v1.serializers.common import InputSerializer
from bookings.qualifications import NOTE_MAX_LENGTH, PLACE_MAX_LENGTH, REASON_MAX_LENGTH
from resources.models import QualificationEvent, QualificationStatus


class QualificationEventOutputSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=QualificationEvent.Action.choices)
    from_status = serializers.CharField(help_text="Empty for the request itself.")
    to_status = serializers.ChoiceField(choices=QualificationStatus.choices)
    actor = serializers.IntegerField(
        source="actor_id", allow_null=True, help_text="Who acted; null for the system."
    )
    actor_name = serializers.SerializerMethodField()
    reason = serializers.CharField()
    at = LocalDateTimeField()

    def get_actor_name(self, event: QualificationEvent) -> str:
        return event.actor.name if event.actor_id else ""


class QualificationOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    resource = serializers.IntegerField(source="resource_id")
    resource_name = serializers.CharField(source="resource.name")
    resource_unit = serializers.IntegerField(
        source="resource.unit_id", help_text="Id of the unit that owns the resource."
    )
    member = serializers.IntegerField(source="member_id")
    member_name = serializers.CharField(source="member.name")
    member_unit_name = serializers.CharField(source="member.unit.name")
    status = serializers.ChoiceField(choices=QualificationStatus.choices)
    note = serializers.CharField(help_text="The member's note with the request.")
    training_at = LocalDateTimeField(allow_null=True)
    training_place = serializers.CharField()
    granted_at = LocalDateTimeField(allow_null=True)
    expires_at = LocalDateTimeField(
        allow_null=True, help_text="End of the fixed validity; null when the resource sets none."
    )
    last_used_at = LocalDateTimeField(allow_null=True)
    lapses_at = LocalDateTimeField(
        allow_null=True,
        help_text="When a grant lapses unless used before (the idle limit) or at the latest "
        "(the validity); null: never.",
    )
    reason = serializers.CharField(help_text="Why it was refused or revoked.")
    created_at = LocalDateTimeField()
    updated_at = LocalDateTimeField()


class QualificationDetailOutputSerializer(QualificationOutputSerializer):
    events = QualificationEventOutputSerializer(many=True, help_text="Its history, oldest first.")


class QualificationRequestInputSerializer(InputSerializer):
    resource = serializers.IntegerField(min_value=1, max_value=ID_MAX)
    note = StrictCharField(max_length=NOTE_MAX_LENGTH, required=False, allow_blank=True, default="")


class QualificationScheduleInputSerializer(InputSerializer):
    training_at = LocalDateTimeField(help_text="When the training is, with its UTC offset.")
    place = StrictCharField(
        max_length=PLACE_MAX_LENGTH, required=False, allow_blank=True, default=""
    )


class QualificationReasonInputSerializer(InputSerializer):
    """Refuse or revoke: the member learns why."""

    reason = StrictCharField(max_length=REASON_MAX_LENGTH)


class QualificationEmptyInputSerializer(InputSerializer):
    """Grant and cancel take nothing."""
