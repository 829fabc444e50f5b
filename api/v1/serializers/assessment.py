"""The national open-sharing assessment (开放共享评价考核): the year asked for, and per
instrument the indicators with the asset data; hours are to the hundredth, rates to four
places (null without a denominator)."""

from __future__ import annotations

from rest_framework import serializers

from api.fields import ID_MAX, LocalDateTimeField
from api.v1.serializers.common import InputSerializer
from bookings.assessment import NATIONAL_EFFECTIVE_HOURS, NATIONAL_EXTERNAL_HOURS, NATIONAL_ROUND


class AssessmentQuerySerializer(InputSerializer):
    year = serializers.IntegerField(
        min_value=2000,
        max_value=2099,
        required=False,
        help_text="The calendar year (Asia/Shanghai); default the last full year.",
    )
    unit = serializers.IntegerField(
        min_value=1,
        max_value=ID_MAX,
        required=False,
        help_text="One unit's instruments (the secretariat; a manager may name only their own).",
    )


def _rate(help_text: str) -> serializers.FloatField:
    return serializers.FloatField(allow_null=True, help_text=help_text)


class AssessmentRowOutputSerializer(serializers.Serializer):
    resource = serializers.IntegerField(source="resource.pk")
    name = serializers.CharField(source="resource.name")
    unit = serializers.IntegerField(source="resource.unit_id")
    unit_name = serializers.CharField(source="resource.unit.name")
    asset_number = serializers.CharField(source="resource.asset_number")
    original_value = serializers.DecimalField(
        source="resource.original_value", max_digits=14, decimal_places=2, allow_null=True
    )
    purchase_date = serializers.DateField(source="resource.purchase_date", allow_null=True)
    classification_code = serializers.CharField(source="resource.classification_code")
    classification_name = serializers.CharField(source="resource.classification_name")
    specialised = serializers.BooleanField(source="resource.specialised")
    is_retired = serializers.BooleanField(source="resource.is_retired")
    expected_yearly_hours = serializers.IntegerField(
        source="resource.expected_yearly_hours", help_text="定额机时."
    )
    used_hours = serializers.FloatField(help_text="Every recorded session's hours in the year.")
    effective_hours = serializers.FloatField(help_text="有效工作机时.")
    external_hours = serializers.FloatField(help_text="对外服务机时.")
    units_served = serializers.IntegerField()
    share_rate = _rate("External ÷ effective hours.")
    quota_rate = _rate("Effective hours ÷ 定额机时.")
    national_effective_rate = _rate(
        f"Effective hours ÷ the national average ({NATIONAL_EFFECTIVE_HOURS})."
    )
    national_external_rate = _rate(
        f"External hours ÷ the national average ({NATIONAL_EXTERNAL_HOURS})."
    )
    income = serializers.DecimalField(
        max_digits=16,
        decimal_places=2,
        allow_null=True,
        help_text="Service income (yuan) recorded on sessions that started in the year; "
        "null when none records one.",
    )
    records = serializers.IntegerField(help_text="Usage records behind the figures.")


class AssessmentTotalsOutputSerializer(serializers.Serializer):
    instruments = serializers.IntegerField()
    used_hours = serializers.FloatField()
    effective_hours = serializers.FloatField()
    external_hours = serializers.FloatField()
    units_served = serializers.IntegerField(help_text="Distinct units served by any of them.")
    share_rate = _rate("External ÷ effective hours.")
    quota_rate = _rate("Effective hours ÷ the sum of 定额机时.")
    income = serializers.DecimalField(max_digits=16, decimal_places=2, allow_null=True)
    records = serializers.IntegerField()
    expected_yearly_hours = serializers.IntegerField()


class NationalAveragesOutputSerializer(serializers.Serializer):
    round = serializers.IntegerField(help_text="The assessment round the averages come from.")
    effective_hours = serializers.IntegerField()
    external_hours = serializers.IntegerField()


class AssessmentOutputSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    complete = serializers.BooleanField(help_text="False while the year is still running.")
    as_of = LocalDateTimeField(source="now", help_text="Running sessions count up to here.")
    unit = serializers.IntegerField(source="unit.pk", allow_null=True, default=None)
    national_averages = serializers.SerializerMethodField()
    rows = AssessmentRowOutputSerializer(many=True)
    totals = AssessmentTotalsOutputSerializer()

    def get_national_averages(self, _assessment) -> dict:
        return NationalAveragesOutputSerializer(
            {
                "round": NATIONAL_ROUND,
                "effective_hours": NATIONAL_EFFECTIVE_HOURS,
                "external_hours": NATIONAL_EXTERNAL_HOURS,
            }
        ).data
