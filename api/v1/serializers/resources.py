"""Resources: the catalogue, one resource with its rules and hours, and its availability."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from alliance.access import member_can_view_resource_operators
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
from resources.eligibility import REFUSAL_CODES
from resources.models import Resource, ResourceKind, ServiceMode, Weekday
from resources.qr import check_in_url_for
from resources.rules_display import rules_display
from resources.selectors import resource_booking_refusal
from resources.service_modes import MODE_REFUSAL_CODES
from resources.services import RULE_BOUNDS

#: More units than the alliance will ever have: bounds the allow-list.
ALLOWED_UNITS_MAX = 500
#: More operators than any instrument has: bounds the operator list.
OPERATORS_MAX = 200
#: More weekly windows than any timetable needs: bounds the opening-hours list.
OPENING_WINDOWS_MAX = 100
#: The longest span one availability request may cover, in days (both ends included).
AVAILABILITY_MAX_DAYS = 62


class OpeningWindowSerializer(InputSerializer):
    """One weekly opening window in local time; ``end`` 24:00 means until midnight."""

    weekday = serializers.ChoiceField(choices=Weekday.choices, help_text="0 = Monday … 6 = Sunday.")
    start = WallClockTimeField(source="start_time")
    end = WallClockTimeField(source="end_time", allow_end_of_day=True)


class LocationSerializer(serializers.Serializer):
    """Where the resource is; any part may be empty."""

    building = serializers.CharField(help_text="Site and building, e.g. 科研楼A栋.")
    room = serializers.CharField(help_text="Floor and room.")
    address = serializers.CharField(help_text="Street address.")
    text = serializers.CharField(
        source="location", help_text="Building, room and address on one line, for display."
    )


class ContactSerializer(serializers.Serializer):
    """Whom to ask about the resource; either part may be empty."""

    name = serializers.CharField(source="contact_name")
    phone = serializers.CharField(source="contact_phone")


class RuleLineSerializer(serializers.Serializer):
    rule = serializers.CharField(
        help_text="Which rule: max_days_ahead, min_notice_minutes, duration, slot_minutes, "
        "buffer_minutes, capacity, requires_approval or requires_checkin."
    )
    text = serializers.CharField(help_text="The rule in plain words, in the caller's language.")


@extend_schema_field(OpenApiTypes.URI)
class FileUrlField(serializers.Field):
    """The absolute URL of a stored file (the storage's own URL, made absolute)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(read_only=True, **kwargs)

    def to_representation(self, value: Any) -> str:
        url = value.url
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request is not None else url


class PhotoOutputSerializer(serializers.Serializer):
    """A photo of a resource in three sizes."""

    id = serializers.IntegerField()
    caption = serializers.CharField()
    position = serializers.IntegerField(help_text="Photos come lowest position first.")
    width = serializers.IntegerField(help_text="Of the original, in pixels.")
    height = serializers.IntegerField(help_text="Of the original, in pixels.")
    original = FileUrlField(source="image", help_text="Upright, without metadata.")
    medium = FileUrlField(help_text="At most 1280 pixels on its longest side.")
    thumbnail = FileUrlField(help_text="At most 320 pixels on its longest side.")
    created_at = LocalDateTimeField()


class OperatorOutputSerializer(serializers.Serializer):
    """An operator of assisted use (委托上机): a member of the owning unit."""

    id = serializers.IntegerField()
    name = serializers.CharField()
    is_active = serializers.BooleanField(help_text="Only active operators are booked.")


class ResourceListOutputSerializer(serializers.Serializer):
    """A resource as the catalogue shows it to the caller.

    Needs ``member`` (the caller, or None) in its context and resources read by
    resources.selectors.resources_for_caller; then it adds no query per resource.
    """

    id = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.ChoiceField(choices=ResourceKind.choices)
    unit = serializers.IntegerField(source="unit_id", help_text="Id of the owning unit.")
    unit_name = serializers.CharField(source="unit.name")
    location = LocationSerializer(source="*")
    description = serializers.CharField(help_text="What the resource is for.")
    capacity = serializers.IntegerField()
    requires_approval = serializers.BooleanField()
    requires_check_in = serializers.BooleanField(
        source="requires_checkin",
        help_text="Bookers check in by scanning the resource's QR code, else it is a no-show.",
    )
    is_retired = serializers.BooleanField()
    service_modes = serializers.ListField(
        child=serializers.ChoiceField(choices=ServiceMode.choices),
        help_text="The service modes it offers (issue 10): `self_use` (自主上机), `assisted` "
        "(委托上机: its operators run it for you), `sample` (送样检测).",
    )
    photos = PhotoOutputSerializer(many=True)
    rules_display = serializers.SerializerMethodField(
        help_text="The booking rules in plain words (the machine form is in the detail)."
    )
    can_book = serializers.SerializerMethodField(
        help_text="Whether the caller may book some time of it (times are checked on booking)."
    )
    cannot_book_reason = serializers.SerializerMethodField(
        help_text="When `can_book` is false, the code a booking request would be refused with: "
        + ", ".join(f"`{code}`" for code in (*REFUSAL_CODES, *MODE_REFUSAL_CODES))
        + "; else null."
    )
    check_in_url = serializers.SerializerMethodField(
        help_text="The web URL the resource's printed QR code opens, with its check-in code, "
        "for the managers of the resource's unit and the secretariat; for everyone else the "
        "resource's web page."
    )

    @extend_schema_field(RuleLineSerializer(many=True))
    def get_rules_display(self, resource: Resource) -> list[dict[str, str]]:
        return [{"rule": line.rule, "text": line.text} for line in rules_display(resource)]

    def _refusal(self, resource: Resource) -> str | None:
        return resource_booking_refusal(resource=resource, member=self.context["member"])

    def get_can_book(self, resource: Resource) -> bool:
        return self._refusal(resource) is None

    @extend_schema_field(serializers.ChoiceField(choices=REFUSAL_CODES, allow_null=True))
    def get_cannot_book_reason(self, resource: Resource) -> str | None:
        return self._refusal(resource)

    @extend_schema_field(OpenApiTypes.URI)
    def get_check_in_url(self, resource: Resource) -> str:
        request = self.context.get("request")
        base_url = request.build_absolute_uri("/") if request is not None else "/"
        return check_in_url_for(resource, member=self.context["member"], base_url=base_url)


class ResourceDetailOutputSerializer(ResourceListOutputSerializer):
    """The resource with its booking rules, weekly opening hours, directions and contact."""

    directions = serializers.CharField(help_text="How to get there.")
    contact = ContactSerializer(source="*")
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
    assisted_min_notice_minutes = serializers.IntegerField(
        help_text="Assisted use is booked at least this many minutes ahead."
    )
    sample_turnaround_days = serializers.IntegerField(
        help_text="Sample submission: the usual turnaround in days."
    )
    sample_instructions = serializers.CharField(
        help_text="Sample submission: which samples, how to send them, hazards refused."
    )
    operators = serializers.SerializerMethodField(
        help_text="The operators of assisted use, for the managers of the resource's unit and "
        "the secretariat; null for everyone else."
    )
    created_at = LocalDateTimeField()
    updated_at = LocalDateTimeField()

    def get_allowed_units(self, resource: Resource) -> list[int]:
        return [unit.pk for unit in resource.allowed_units.all()]

    @extend_schema_field(OperatorOutputSerializer(many=True, allow_null=True))
    def get_operators(self, resource: Resource) -> list[dict] | None:
        if not member_can_view_resource_operators(self.context.get("member"), resource):
            return None
        operators = resource.operators.order_by("name", "pk")
        return OperatorOutputSerializer(operators, many=True).data


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
    """Any of a resource's fields; only those sent change. The parts of ``location`` and
    ``contact`` are sent as flat fields (``building``, ``contact_phone``, …), so that a
    change of one part leaves the others alone."""

    kind = serializers.ChoiceField(choices=ResourceKind.choices, required=False)
    name = StrictCharField(max_length=100, required=False)
    building = StrictCharField(
        max_length=100, required=False, allow_blank=True, help_text="`location.building`."
    )
    room = StrictCharField(
        max_length=50, required=False, allow_blank=True, help_text="`location.room`."
    )
    address = StrictCharField(
        max_length=200, required=False, allow_blank=True, help_text="`location.address`."
    )
    directions = StrictCharField(max_length=2000, required=False, allow_blank=True)
    contact_name = StrictCharField(
        max_length=50, required=False, allow_blank=True, help_text="`contact.name`."
    )
    contact_phone = StrictCharField(
        max_length=30, required=False, allow_blank=True, help_text="`contact.phone`."
    )
    description = StrictCharField(max_length=5000, required=False, allow_blank=True)
    capacity = _rule_field("The most people one booking may bring (1–10000).")
    slot_minutes = _rule_field("Grid of starts and ends in minutes; divides the day.")
    min_duration_minutes = _rule_field()
    max_duration_minutes = _rule_field()
    min_notice_minutes = _rule_field()
    max_days_ahead = _rule_field()
    buffer_minutes = _rule_field("Clean-up time kept free after each booking.")
    requires_approval = serializers.BooleanField(required=False)
    requires_check_in = serializers.BooleanField(required=False, source="requires_checkin")
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
    # Service modes (issue 10): at least one stays on (400 `no_service_mode`).
    offers_self_use = serializers.BooleanField(required=False)
    offers_assisted = serializers.BooleanField(required=False)
    assisted_min_notice_minutes = serializers.IntegerField(
        required=False, min_value=0, max_value=RULE_BOUNDS["min_notice_minutes"][1]
    )
    offers_samples = serializers.BooleanField(required=False)
    sample_turnaround_days = serializers.IntegerField(required=False, min_value=1, max_value=365)
    sample_instructions = StrictCharField(max_length=2000, required=False, allow_blank=True)
    operator_ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=ID_MAX),
        max_length=OPERATORS_MAX,
        required=False,
        help_text="Ids of the operators of assisted use: active members of the owning unit "
        "(400 `operators_invalid`); replaces the list.",
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


# --- Photos (unit managers of the owning unit, the secretariat) -----------------------------


class PhotoUploadInputSerializer(InputSerializer):
    """``multipart/form-data``: the image file and an optional caption."""

    image = serializers.FileField(
        help_text="A JPEG, PNG or WebP image; at most PHOTO_MAX_BYTES (8 MB) and "
        "PHOTO_MAX_PIXELS (40 million pixels)."
    )
    caption = StrictCharField(max_length=200, required=False, allow_blank=True)
