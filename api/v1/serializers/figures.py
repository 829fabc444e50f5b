"""Shapes of the figures endpoints (issue 11): the query (period, unit, kind) and the
figures of bookings.figures, field for field (docs/figures.md defines each)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from alliance.errors import ValidationFailed
from api.v1.serializers.common import InputSerializer
from bookings.figures import period_parse
from resources.models import ResourceKind


class FiguresQueryInputSerializer(InputSerializer):
    """``from``/``to`` (local dates, both included) or ``year`` (and ``month``); nothing:
    this year to date. ``unit`` narrows to one unit's resources, ``kind`` to one kind."""

    def get_fields(self) -> dict[str, serializers.Field]:
        return {
            "from": serializers.CharField(required=False, help_text="First local date."),
            "to": serializers.CharField(required=False, help_text="Last local date, included."),
            "year": serializers.CharField(required=False, help_text="A calendar year."),
            "month": serializers.CharField(required=False, help_text="1–12, with `year`."),
            "unit": serializers.IntegerField(required=False, min_value=1, max_value=2**31 - 1),
            "kind": serializers.ChoiceField(choices=ResourceKind.choices, required=False),
        }

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        for name in ("unit", "kind"):  # DRF skips a blank optional query parameter
            if name in self.initial_data and name not in attrs:
                raise ValidationFailed("invalid", fields={name: ["blank"]})
        dates = {k: attrs[k] for k in ("from", "to", "year", "month") if k in attrs}
        attrs["period"] = period_parse(dates)
        return attrs


def figures_query(params: Any) -> dict[str, Any]:
    """The parsed query: ``period``, and ``unit_id``, ``kind`` (None when not given)."""
    query = FiguresQueryInputSerializer(data=params)
    query.is_valid(raise_exception=True)
    data = query.validated_data
    return {"period": data["period"], "unit_id": data.get("unit"), "kind": data.get("kind")}


class PeriodOutputSerializer(serializers.Serializer):
    first = serializers.DateField()
    last = serializers.DateField()


class UnitHoursOutputSerializer(serializers.Serializer):
    unit_id = serializers.IntegerField()
    unit_name = serializers.CharField()
    hours = serializers.FloatField()


class ResourceFiguresOutputSerializer(serializers.Serializer):
    resource_id = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.CharField()
    unit_id = serializers.IntegerField()
    unit_name = serializers.CharField()
    open_hours = serializers.FloatField()
    booked_hours = serializers.FloatField()
    used_hours = serializers.FloatField()
    effective_hours = serializers.FloatField()
    external_hours = serializers.FloatField()
    units_served = serializers.IntegerField()
    no_shows = serializers.IntegerField()
    late_cancellations = serializers.IntegerField()
    booked_utilisation = serializers.FloatField(allow_null=True)
    used_utilisation = serializers.FloatField(allow_null=True)
    hours_by_unit = UnitHoursOutputSerializer(many=True)


class ResourceFiguresListOutputSerializer(serializers.Serializer):
    period = PeriodOutputSerializer()
    results = ResourceFiguresOutputSerializer(many=True)


class UnitBalanceOutputSerializer(serializers.Serializer):
    unit_id = serializers.IntegerField()
    unit_name = serializers.CharField()
    shared_out_hours = serializers.FloatField()
    used_of_others_hours = serializers.FloatField()
    balance_hours = serializers.FloatField()
    units_served = serializers.IntegerField()
    bookings_settled = serializers.IntegerField()
    no_shows = serializers.IntegerField()
    no_show_rate = serializers.FloatField(allow_null=True)


class UnitBalanceListOutputSerializer(serializers.Serializer):
    period = PeriodOutputSerializer()
    results = UnitBalanceOutputSerializer(many=True)


class ResourceUseOutputSerializer(serializers.Serializer):
    resource_id = serializers.IntegerField()
    name = serializers.CharField()
    unit_name = serializers.CharField()
    used_hours = serializers.FloatField()
    open_hours = serializers.FloatField()
    used_utilisation = serializers.FloatField(allow_null=True)


class MonthTrendOutputSerializer(serializers.Serializer):
    month = serializers.DateField(help_text="The month's first day.")
    booked_hours = serializers.FloatField()
    used_hours = serializers.FloatField()


class TurnaroundOutputSerializer(serializers.Serializer):
    decisions = serializers.IntegerField()
    median_hours = serializers.FloatField(allow_null=True)
    p90_hours = serializers.FloatField(allow_null=True)


class AllianceTotalsOutputSerializer(serializers.Serializer):
    resources = serializers.IntegerField()
    booked_hours = serializers.FloatField()
    used_hours = serializers.FloatField()
    effective_hours = serializers.FloatField()
    external_hours = serializers.FloatField()
    no_shows = serializers.IntegerField()


class AllianceOverviewOutputSerializer(serializers.Serializer):
    period = PeriodOutputSerializer()
    totals = AllianceTotalsOutputSerializer(help_text="Alliance-wide, whoever asks.")
    most_used = ResourceUseOutputSerializer(many=True)
    least_used = ResourceUseOutputSerializer(many=True)
    idle = ResourceUseOutputSerializer(many=True)
    trend = MonthTrendOutputSerializer(many=True)
    turnaround = TurnaroundOutputSerializer()


class HeatmapOutputSerializer(serializers.Serializer):
    period = PeriodOutputSerializer()
    booked = serializers.ListField(
        child=serializers.ListField(child=serializers.FloatField()),
        help_text="7 rows (Monday first) of 24 local hours: booked hours.",
    )
    used = serializers.ListField(
        child=serializers.ListField(child=serializers.FloatField()),
        help_text="7 rows (Monday first) of 24 local hours: recorded-use hours.",
    )


class PublicSummaryOutputSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    shared_resources = serializers.IntegerField()
    hours_shared = serializers.FloatField(help_text="Hours served to other units this year.")
    units_served = serializers.IntegerField()
