"""Fault reports (issue 10): what the API reads and answers."""

from rest_framework import serializers

from api.fields import LocalDateField, LocalDateTimeField, StrictCharField
from api.v1.serializers.common import InputSerializer
from bookings.faults import DESCRIPTION_MAX_LENGTH, NOTE_MAX_LENGTH, expected_back
from bookings.models import FaultEvent, FaultReport, FaultStatus, FaultUrgency


class FaultCreateInputSerializer(InputSerializer):
    """``multipart/form-data`` (with a photo) or JSON (without)."""

    description = StrictCharField(max_length=DESCRIPTION_MAX_LENGTH, help_text="What happened.")
    urgency = serializers.ChoiceField(choices=FaultUrgency.choices, required=False)
    stop_instrument = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Take the resource out of service at once: its bookings in the next days "
        "are cancelled and their bookers offered other slots.",
    )
    photo = serializers.FileField(
        required=False,
        help_text="A JPEG, PNG or WebP image; at most PHOTO_MAX_BYTES and PHOTO_MAX_PIXELS.",
    )


class FaultStepInputSerializer(InputSerializer):
    note = StrictCharField(max_length=NOTE_MAX_LENGTH, required=False, allow_blank=True)


class FaultResolveInputSerializer(InputSerializer):
    note = StrictCharField(max_length=NOTE_MAX_LENGTH, help_text="What was done (required).")


class FaultAcknowledgeInputSerializer(FaultStepInputSerializer):
    expected_return = LocalDateField(required=False, help_text="Expected back in service.")


class FaultUpdateInputSerializer(FaultAcknowledgeInputSerializer):
    status = serializers.ChoiceField(
        choices=FaultStatus.choices,
        required=False,
        help_text="`acknowledged` or `in_repair`; resolving and dismissing have their own steps.",
    )


class FaultEventOutputSerializer(serializers.ModelSerializer):
    at = LocalDateTimeField()
    actor_name = serializers.CharField(source="actor.name", default="", read_only=True)

    class Meta:
        model = FaultEvent
        fields = ["action", "from_status", "to_status", "expected_return", "note", "at", "actor"]
        fields.append("actor_name")


class FaultOutputSerializer(serializers.ModelSerializer):
    resource_name = serializers.CharField(source="resource.name")
    reporter_name = serializers.CharField(source="reporter.name")
    photo = serializers.SerializerMethodField()
    out_of_service_until = serializers.SerializerMethodField(
        help_text="For an unresolved stopping report: the day it is expected back."
    )
    created_at = LocalDateTimeField()
    updated_at = LocalDateTimeField()
    resolved_at = LocalDateTimeField(allow_null=True)

    class Meta:
        model = FaultReport
        fields = [
            "id",
            "resource",
            "resource_name",
            "reporter",
            "reporter_name",
            "description",
            "photo",
            "urgency",
            "stop_instrument",
            "status",
            "expected_return",
            "closure",
            "out_of_service_until",
            "created_at",
            "updated_at",
            "resolved_at",
        ]

    def get_photo(self, report: FaultReport) -> str | None:
        if not report.photo:
            return None
        request = self.context.get("request")
        url = report.photo.url
        return request.build_absolute_uri(url) if request is not None else url

    def get_out_of_service_until(self, report: FaultReport) -> str | None:
        if not (report.is_unresolved and report.closure_id):
            return None
        back = expected_back(report)
        return back.isoformat() if back else None


class FaultDetailOutputSerializer(FaultOutputSerializer):
    events = FaultEventOutputSerializer(many=True, help_text="The history, oldest first.")

    class Meta(FaultOutputSerializer.Meta):
        fields = [*FaultOutputSerializer.Meta.fields, "events"]
