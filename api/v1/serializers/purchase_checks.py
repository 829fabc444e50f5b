"""The duplicate-purchase check (查重评议): what a unit enters, the kept report, the outcome."""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api.fields import ID_MAX, LocalDateTimeField, StrictCharField
from api.v1.serializers.common import InputSerializer
from bookings.purchase_checks import (
    NAME_MAX_LENGTH,
    REASON_MAX_LENGTH,
    SPECIFICATIONS_MAX_LENGTH,
)
from bookings.purchase_models import PurchaseOutcome
from resources.models import ServiceMode


class PurchaseCheckCreateInputSerializer(InputSerializer):
    unit = serializers.IntegerField(
        min_value=1,
        max_value=ID_MAX,
        required=False,
        help_text="The unit planning the purchase; default the caller's own.",
    )
    instrument_name = StrictCharField(max_length=NAME_MAX_LENGTH)
    classification_code = StrictCharField(
        max_length=6,
        help_text="National large research instrument classification code of four or six "
        "digits (e.g. 0101 or 010101); instruments sharing its first four are matched.",
    )
    specifications = StrictCharField(
        max_length=SPECIFICATIONS_MAX_LENGTH, help_text="Key specifications (主要技术指标)."
    )
    price = serializers.DecimalField(
        max_digits=14, decimal_places=2, min_value=0, help_text="Planned price in yuan."
    )


class PurchaseOutcomeInputSerializer(InputSerializer):
    outcome = serializers.ChoiceField(choices=PurchaseOutcome.choices)
    reason = StrictCharField(
        max_length=REASON_MAX_LENGTH,
        required=False,
        allow_blank=True,
        default="",
        help_text="Why; required unless the outcome is `undecided`.",
    )


class PurchaseInstrumentOutputSerializer(serializers.Serializer):
    """One matched instrument, as the report kept it."""

    resource = serializers.IntegerField(source="resource_id")
    name = serializers.CharField()
    unit = serializers.IntegerField(source="unit_id")
    unit_name = serializers.CharField()
    own_unit = serializers.BooleanField(help_text="Owned by the unit planning the purchase.")
    classification_code = serializers.CharField()
    classification_name = serializers.CharField()
    same_code = serializers.BooleanField(
        help_text="Same full code as the planned instrument (else: same class, other subclass)."
    )
    effective_hours = serializers.DecimalField(
        max_digits=10, decimal_places=2, help_text="Effective working hours in the report's year."
    )
    fully_used = serializers.BooleanField(help_text="Reached the rules' 1,200 hours that year.")
    expected_yearly_hours = serializers.IntegerField(help_text="定额机时.")
    service_modes = serializers.ListField(
        child=serializers.ChoiceField(choices=ServiceMode.choices)
    )
    requires_approval = serializers.BooleanField()
    requires_qualification = serializers.BooleanField()
    location = serializers.CharField()
    contact_name = serializers.CharField()
    contact_phone = serializers.CharField()
    book_url = serializers.SerializerMethodField(help_text="The instrument's page, to book it.")

    @extend_schema_field(serializers.CharField())
    def get_book_url(self, row: dict) -> str:
        request = self.context.get("request")
        path = reverse("web:resource", args=[row["resource_id"]])
        return request.build_absolute_uri(path) if request is not None else path


class PurchaseReportOutputSerializer(serializers.Serializer):
    year = serializers.IntegerField(help_text="The calendar year whose hours are reported.")
    class_code = serializers.CharField(help_text="The four digits instruments were matched on.")
    category_name = serializers.CharField()
    fully_used_hours = serializers.IntegerField()
    matched = serializers.IntegerField()
    with_room = serializers.IntegerField(help_text="Matched instruments below fully used.")
    instruments = PurchaseInstrumentOutputSerializer(many=True)


class PurchaseCheckOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    unit = serializers.IntegerField(source="unit_id")
    unit_name = serializers.CharField(source="unit.name")
    entered_by = serializers.IntegerField(source="entered_by_id")
    entered_by_name = serializers.CharField(source="entered_by.name")
    instrument_name = serializers.CharField()
    classification_code = serializers.CharField()
    specifications = serializers.CharField()
    price = serializers.DecimalField(max_digits=14, decimal_places=2)
    outcome = serializers.ChoiceField(choices=PurchaseOutcome.choices)
    outcome_reason = serializers.CharField()
    outcome_at = LocalDateTimeField(allow_null=True)
    created_at = LocalDateTimeField()
    matched = serializers.IntegerField(source="report.matched")
    with_room = serializers.IntegerField(source="report.with_room")


class PurchaseCheckDetailOutputSerializer(PurchaseCheckOutputSerializer):
    report = PurchaseReportOutputSerializer(help_text="The report as it was when entered.")


class PurchaseSummaryOutputSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    undecided = serializers.IntegerField()
    bought = serializers.IntegerField()
    shared = serializers.IntegerField(help_text="Purchases sharing made unnecessary.")
    shared_price = serializers.DecimalField(
        max_digits=16, decimal_places=2, help_text="Their planned price, in yuan."
    )
