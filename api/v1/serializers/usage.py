"""Recorded use: starting and stopping a session, entering and correcting one by hand."""

from __future__ import annotations

from rest_framework import serializers

from api.fields import ID_MAX, LocalDateTimeField, StrictCharField
from api.v1.serializers.common import InputSerializer
from bookings.models import UsageSession
from bookings.usage import NOTES_MAX_LENGTH, SAMPLES_MAX


def fee_field() -> serializers.DecimalField:
    return serializers.DecimalField(
        max_digits=12,
        decimal_places=2,
        min_value=0,
        required=False,
        help_text="Service income in yuan that this use brought, if charged (the assessment).",
    )


class UsageSessionOutputSerializer(serializers.ModelSerializer):
    started_at = LocalDateTimeField()
    stopped_at = LocalDateTimeField(allow_null=True)
    resource_name = serializers.CharField(source="resource.name")

    class Meta:
        model = UsageSession
        fields = [
            "id",
            "resource",
            "resource_name",
            "member",
            "operator",
            "booking",
            "sample_order",
            "started_at",
            "stopped_at",
            "source",
            "entered_by",
            "manual_reason",
            "samples",
            "notes",
            "fee",
            "flagged",
            "flag_reason",
            "corrected_by",
            "correction_reason",
            "power",
        ]
        read_only_fields = fields


class UsageStartInputSerializer(InputSerializer):
    code = StrictCharField(max_length=32, help_text="The check-in code from the QR code.")
    samples = serializers.IntegerField(min_value=0, max_value=SAMPLES_MAX, required=False)
    notes = StrictCharField(max_length=NOTES_MAX_LENGTH, required=False, allow_blank=True)


class UsageStopInputSerializer(InputSerializer):
    samples = serializers.IntegerField(min_value=0, max_value=SAMPLES_MAX, required=False)
    notes = StrictCharField(max_length=NOTES_MAX_LENGTH, required=False, allow_blank=True)


class UsageManualInputSerializer(InputSerializer):
    resource = serializers.IntegerField(min_value=1, max_value=ID_MAX)
    member = serializers.IntegerField(
        min_value=1, max_value=ID_MAX, help_text="Who used the instrument."
    )
    operator = serializers.IntegerField(min_value=1, max_value=ID_MAX, required=False)
    booking = serializers.IntegerField(min_value=1, max_value=ID_MAX, required=False)
    sample_order = serializers.IntegerField(
        min_value=1, max_value=ID_MAX, required=False, help_text="The sample order it served."
    )
    started_at = LocalDateTimeField()
    stopped_at = LocalDateTimeField()
    reason = StrictCharField(max_length=500, help_text="Why it is entered by hand.")
    samples = serializers.IntegerField(min_value=0, max_value=SAMPLES_MAX, required=False)
    notes = StrictCharField(max_length=NOTES_MAX_LENGTH, required=False, allow_blank=True)
    fee = fee_field()


class UsageCorrectInputSerializer(InputSerializer):
    started_at = LocalDateTimeField(required=False)
    stopped_at = LocalDateTimeField(required=False)
    reason = StrictCharField(max_length=500, help_text="Why the session is corrected.")
    samples = serializers.IntegerField(min_value=0, max_value=SAMPLES_MAX, required=False)
    notes = StrictCharField(max_length=NOTES_MAX_LENGTH, required=False, allow_blank=True)
    fee = fee_field()
