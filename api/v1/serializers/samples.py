"""Sample orders (issue 10): what the API reads and answers."""

from rest_framework import serializers

from api.fields import LocalDateField, LocalDateTimeField, StrictCharField
from api.v1.serializers.common import InputSerializer
from bookings.models import SampleHazard, SampleOrder, SampleOrderEvent, SampleReportFile
from bookings.samples import (
    DESCRIPTION_MAX_LENGTH,
    HAZARD_DETAILS_MAX_LENGTH,
    REASON_MAX_LENGTH,
    SAMPLE_COUNT_MAX,
)


class SampleOrderCreateInputSerializer(InputSerializer):
    sample_count = serializers.IntegerField(min_value=1, max_value=SAMPLE_COUNT_MAX)
    description = StrictCharField(
        max_length=DESCRIPTION_MAX_LENGTH, help_text="The samples and the tests wanted."
    )
    hazard = serializers.ChoiceField(
        choices=SampleHazard.choices, required=False, help_text="Hazards declared; `none` if none."
    )
    hazard_details = StrictCharField(
        max_length=HAZARD_DETAILS_MAX_LENGTH,
        required=False,
        allow_blank=True,
        help_text="Required unless `hazard` is `none`.",
    )


class SampleNoteInputSerializer(InputSerializer):
    note = StrictCharField(max_length=REASON_MAX_LENGTH, required=False, allow_blank=True)


class SampleAcceptInputSerializer(SampleNoteInputSerializer):
    expected_completion = LocalDateField(
        required=False,
        help_text="Not before today; by default today plus the resource's turnaround days.",
    )


class SampleRefuseInputSerializer(InputSerializer):
    reason = StrictCharField(max_length=REASON_MAX_LENGTH, help_text="Why (required).")


class SampleCancelInputSerializer(InputSerializer):
    reason = StrictCharField(max_length=REASON_MAX_LENGTH, required=False, allow_blank=True)


class SampleReportInputSerializer(InputSerializer):
    files = serializers.ListField(
        child=serializers.FileField(),
        help_text="One or more files (repeat the field): PDF, JPEG/PNG/WebP, Excel or Word, "
        "each at most SAMPLE_REPORT_MAX_BYTES, at most SAMPLE_REPORT_MAX_FILES.",
    )
    note = StrictCharField(max_length=REASON_MAX_LENGTH, required=False, allow_blank=True)


class SampleOrderEventOutputSerializer(serializers.ModelSerializer):
    at = LocalDateTimeField()
    actor_name = serializers.CharField(source="actor.name", default="", read_only=True)

    class Meta:
        model = SampleOrderEvent
        fields = ["from_status", "to_status", "note", "at", "actor", "actor_name"]


class SampleReportFileOutputSerializer(serializers.ModelSerializer):
    uploaded_at = LocalDateTimeField()
    download = serializers.SerializerMethodField(help_text="Where to fetch it (signed in).")

    class Meta:
        model = SampleReportFile
        fields = ["id", "original_name", "content_type", "size", "uploaded_at", "download"]

    def get_download(self, report_file: SampleReportFile) -> str:
        path = f"/api/v1/sample-orders/{report_file.order_id}/files/{report_file.pk}/"
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path


class SampleOrderOutputSerializer(serializers.ModelSerializer):
    resource_name = serializers.CharField(source="resource.name")
    requester_name = serializers.CharField(source="requester.name")
    unit_name = serializers.CharField(source="unit.name")
    submitted_at = LocalDateTimeField()
    accepted_at = LocalDateTimeField(allow_null=True)
    refused_at = LocalDateTimeField(allow_null=True)
    received_at = LocalDateTimeField(allow_null=True)
    testing_at = LocalDateTimeField(allow_null=True)
    reported_at = LocalDateTimeField(allow_null=True)
    confirmed_at = LocalDateTimeField(allow_null=True)
    cancelled_at = LocalDateTimeField(allow_null=True)

    class Meta:
        model = SampleOrder
        fields = [
            "id",
            "resource",
            "resource_name",
            "requester",
            "requester_name",
            "unit",
            "unit_name",
            "sample_count",
            "description",
            "hazard",
            "hazard_details",
            "status",
            "expected_completion",
            "refusal_reason",
            "cancel_reason",
            "submitted_at",
            "accepted_at",
            "refused_at",
            "received_at",
            "testing_at",
            "reported_at",
            "confirmed_at",
            "cancelled_at",
        ]
        read_only_fields = fields


class SampleOrderDetailOutputSerializer(SampleOrderOutputSerializer):
    events = SampleOrderEventOutputSerializer(many=True, help_text="The history, oldest first.")
    report_files = SampleReportFileOutputSerializer(many=True)

    class Meta(SampleOrderOutputSerializer.Meta):
        fields = [*SampleOrderOutputSerializer.Meta.fields, "events", "report_files"]
        read_only_fields = fields
