"""Resources: the catalogue, one resource with its rules and hours, and its availability."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from alliance.errors import ValidationFailed
from alliance.models import Unit
from api.fields import (
    ID_MAX,
    LocalDateField,
    LocalDateTimeField,
    StrictCharField,
    WallClockTimeField,
)
from api.v1.serializers.common import InputSerializer, IntervalSerializer
from resources.models import Resource, ResourceKind, Weekday

#: More units than the alliance will ever have: bounds the allow-list.
ALLOWED_UNITS_MAX = 500
#: More weekly windows than any timetable needs: bounds the opening-hours list.
OPENING_WINDOWS_MAX = 100
#: The longest span one availability request may cover, in days (both ends included).
AVAILABILITY_MAX_DAYS = 62


class OpeningWindowSerializer(InputSerializer):
    """One weekly opening window in local time; ``end`` 24:00 means until midnight."""

    weekday = serializers.ChoiceField(choices=Weekday.choices, help_text="0 = Monday … 6 = Sunday.")
    start = WallClockTimeField(source="start_time")
    end = WallClockTimeField(source="end_time", allow_end_of_day=True)


class ResourceListOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.ChoiceField(choices=ResourceKind.choices)
    unit = serializers.IntegerField(source="unit_id", help_text="Id of the owning unit.")
    unit_name = serializers.CharField(source="unit.name")
    location = serializers.CharField()
    description = serializers.CharField()
    capacity = serializers.IntegerField()
    requires_approval = serializers.BooleanField()
    is_retired = serializers.BooleanField()


class ResourceDetailOutputSerializer(ResourceListOutputSerializer):
    """The resource with its booking rules and weekly opening hours."""

    slot_minutes = serializers.IntegerField(
        help_text="Bookings start and end on multiples of this, counted from local midnight."
    )
    min_duration_minutes = serializers.IntegerField()
    max_duration_minutes = serializers.IntegerField()
    min_notice_minutes = serializers.IntegerField()
    max_days_ahead = serializers.IntegerField()
    buffer_minutes = serializers.IntegerField(
        help_text="Set-up and clean-up time kept free after each booking."
    )
    allowed_units = serializers.SerializerMethodField(
        help_text="Ids of the units that may book it; empty means every member unit."
    )
    opening_hours = OpeningWindowSerializer(many=True)
    requires_qualification = serializers.BooleanField(
        help_text="Only members granted a qualification after training may book it."
    )
    qualification_valid_days = serializers.IntegerField(
        allow_null=True, help_text="A grant lapses this many days after it was given."
    )
    qualification_idle_days = serializers.IntegerField(
        allow_null=True, help_text="A grant lapses after this many days without use."
    )
    asset_number = serializers.CharField()
    original_value = serializers.DecimalField(
        max_digits=14, decimal_places=2, allow_null=True, help_text="Original value in yuan."
    )
    purchase_date = LocalDateField(allow_null=True)
    classification_code = serializers.CharField(
        help_text="National large research instrument classification code, e.g. 0101."
    )
    classification_name = serializers.CharField()
    specialised = serializers.BooleanField()
    yearly_hours_override = serializers.IntegerField(
        allow_null=True, help_text="The resource's own expected yearly hours, if set."
    )
    expected_yearly_hours = serializers.IntegerField(
        help_text="定额机时: the resource's own figure, else 1400 (general) or 800 (specialised)."
    )
    created_at = LocalDateTimeField()
    updated_at = LocalDateTimeField()

    def get_allowed_units(self, resource: Resource) -> list[int]:
        return [unit.pk for unit in resource.allowed_units.all()]


class AvailabilityQueryInputSerializer(InputSerializer):
    """``from`` and ``to``: local dates, both included, at most AVAILABILITY_MAX_DAYS apart."""

    def get_fields(self) -> dict[str, serializers.Field]:
        # ``from`` is a Python keyword, hence fields by name rather than attributes.
        return {
            "from": LocalDateField(help_text="First local date (YYYY-MM-DD)."),
            "to": LocalDateField(help_text="Last local date (YYYY-MM-DD), included."),
        }

    def validate(self, attrs: dict) -> dict:
        if attrs["to"] < attrs["from"]:
            raise ValidationFailed("invalid_range", fields={"to": ["invalid_range"]})
        if (attrs["to"] - attrs["from"]).days + 1 > AVAILABILITY_MAX_DAYS:
            raise ValidationFailed(
                "range_too_long",
                params={"days": AVAILABILITY_MAX_DAYS},
                fields={"to": ["range_too_long"]},
            )
        return attrs


class AvailabilityOutputSerializer(serializers.Serializer):
    """Open hours, booked time (nobody's name or purpose) and where a new booking fits."""

    resource = serializers.IntegerField(source="resource.pk")
    timezone = serializers.SerializerMethodField()
    open = IntervalSerializer(many=True, help_text="Opening hours minus closures.")
    busy = IntervalSerializer(many=True, help_text="Booked time, merged.")
    free = IntervalSerializer(
        many=True,
        help_text="Where a new booking may lie now: open, not booked, within notice and horizon.",
    )

    def get_timezone(self, availability: object) -> str:
        return settings.TIME_ZONE


# --- Managing resources (unit managers of the owning unit, the secretariat) ---------------


def _rule_field(help_text: str = "") -> serializers.IntegerField:
    # Bounds and how the rules fit together are checked by resources.services.rules_validate
    # (400 ``invalid_rules`` naming each broken rule).
    return serializers.IntegerField(required=False, help_text=help_text)


class ResourceUpdateInputSerializer(InputSerializer):
    """Any of a resource's fields; only those sent change."""

    kind = serializers.ChoiceField(choices=ResourceKind.choices, required=False)
    name = StrictCharField(max_length=100, required=False)
    location = StrictCharField(max_length=200, required=False, allow_blank=True)
    description = StrictCharField(max_length=5000, required=False, allow_blank=True)
    capacity = _rule_field("The most people one booking may bring (1–10000).")
    slot_minutes = _rule_field("Grid of starts and ends in minutes; divides the day.")
    min_duration_minutes = _rule_field()
    max_duration_minutes = _rule_field()
    min_notice_minutes = _rule_field()
    max_days_ahead = _rule_field()
    buffer_minutes = _rule_field("Clean-up time kept free after each booking.")
    requires_approval = serializers.BooleanField(required=False)
    # Qualifications and asset data (issue 10); checked again by the model's validators.
    requires_qualification = serializers.BooleanField(required=False)
    qualification_valid_days = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=36500
    )
    qualification_idle_days = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=36500
    )
    asset_number = StrictCharField(max_length=64, required=False, allow_blank=True)
    original_value = serializers.DecimalField(
        max_digits=14, decimal_places=2, min_value=0, required=False, allow_null=True
    )
    purchase_date = LocalDateField(required=False, allow_null=True)
    classification_code = serializers.RegexField(
        r"^(?:\d{2}){1,3}$", max_length=6, required=False, allow_blank=True
    )
    classification_name = StrictCharField(max_length=100, required=False, allow_blank=True)
    specialised = serializers.BooleanField(required=False)
    yearly_hours_override = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=8784
    )
    allowed_units = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=ID_MAX),
        max_length=ALLOWED_UNITS_MAX,
        required=False,
        help_text="Ids of the units that may book it; empty lets every member unit.",
    )

    def validate_allowed_units(self, value: list[int]) -> list[int]:
        ids = set(value)
        if Unit.objects.filter(pk__in=ids).count() != len(ids):
            raise serializers.ValidationError(
                _("Some of these units do not exist."), code="does_not_exist"
            )
        return sorted(ids)


class ResourceCreateInputSerializer(ResourceUpdateInputSerializer):
    """A new resource of ``unit``: it opens once its opening hours are set."""

    unit = serializers.PrimaryKeyRelatedField(
        queryset=Unit.objects.all(),
        pk_field=serializers.IntegerField(),  # strict: 1.5 is not 1
        help_text="Id of the owning unit.",
    )
    kind = serializers.ChoiceField(choices=ResourceKind.choices)
    name = StrictCharField(max_length=100)


class ClosureInputSerializer(InputSerializer):
    start = LocalDateTimeField()
    end = LocalDateTimeField(help_text="Exclusive end.")
    reason = StrictCharField(max_length=200, help_text="Shown to those who try to book.")


class ClosureOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    resource = serializers.IntegerField(source="resource_id")
    start = LocalDateTimeField()
    end = LocalDateTimeField()
    reason = serializers.CharField()
    created_at = LocalDateTimeField()
