"""The resource list as a search by time answers it: each resource with its first bookable
slots, or, with ``include_unfit``, why it has none (bookings.search.resource_search); and
availability with the bookable start times for a duration."""

from __future__ import annotations

import datetime as dt

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from alliance.errors import ValidationFailed
from api.fields import LocalDateTimeField, to_local_iso
from api.v1.serializers.common import IntervalSerializer
from api.v1.serializers.resources import (
    AvailabilityOutputSerializer,
    AvailabilityQueryInputSerializer,
    ResourceListOutputSerializer,
)
from bookings.search import SearchResult
from resources.models import Resource
from resources.services import RULE_BOUNDS


class UnfitSerializer(serializers.Serializer):
    """Why a resource has no bookable slot of the length asked for in the window."""

    code = serializers.CharField(
        help_text="`not_allowed_for_unit`, `resource_retired`, `too_many_attendees`, "
        "`member_inactive`, `booking_unit_inactive`, `resource_unit_inactive`, `too_short`, "
        "`too_long`, `not_on_slot_boundary`, `too_little_notice`, `too_far_ahead`, "
        "`not_open_in_window`, `closed_in_window` or `fully_booked`."
    )
    message = serializers.CharField(help_text="In the caller's language.")


class ResourceSearchOutputSerializer(ResourceListOutputSerializer):
    """A catalogue row; with ``free_from``/``free_to`` also the search's answer for it,
    read from the request's ``resource_search`` (set by api.v1.filters.ResourceFilter)."""

    duration_minutes = serializers.SerializerMethodField(
        help_text="The slot length searched for (the resource's minimum duration when "
        "`duration` was not given); null without free_from/free_to."
    )
    first_slots = serializers.SerializerMethodField(
        help_text="With free_from/free_to: the first bookable slots in the window, soonest "
        "first (at most 3); null otherwise."
    )
    unfit = serializers.SerializerMethodField(
        help_text="With include_unfit=true: why this resource has no slot; null when it has."
    )

    def _result(self, resource: Resource) -> SearchResult | None:
        results = getattr(self.context.get("request"), "resource_search", None) or {}
        return results.get(resource.pk)

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_duration_minutes(self, resource: Resource) -> int | None:
        result = self._result(resource)
        return None if result is None else result.duration // dt.timedelta(minutes=1)

    @extend_schema_field(IntervalSerializer(many=True, allow_null=True))
    def get_first_slots(self, resource: Resource) -> list[dict] | None:
        result = self._result(resource)
        if result is None:
            return None
        # As IntervalSerializer writes them, without a serializer per row (most of the
        # search's answer time went to building them).
        return [{"start": to_local_iso(s), "end": to_local_iso(e)} for s, e in result.first_slots]

    @extend_schema_field(UnfitSerializer(allow_null=True))
    def get_unfit(self, resource: Resource) -> dict | None:
        result = self._result(resource)
        if result is None or result.fits:
            return None
        why = ValidationFailed(result.reason, params=result.params)
        return {"code": why.code, "message": why.message}


class AvailabilityQueryWithDurationSerializer(AvailabilityQueryInputSerializer):
    """``from``/``to`` as before, and an optional ``duration`` in minutes."""

    def get_fields(self) -> dict[str, serializers.Field]:
        return {
            **super().get_fields(),
            "duration": serializers.IntegerField(
                min_value=1,
                max_value=RULE_BOUNDS["max_duration_minutes"][1],
                required=False,
                help_text="Minutes: also answer the bookable start_times of a slot this long.",
            ),
        }


class AvailabilityWithStartsOutputSerializer(AvailabilityOutputSerializer):
    start_times = serializers.ListField(
        child=LocalDateTimeField(),
        allow_null=True,
        help_text="With `duration`: every start of a bookable slot that long (on the "
        "resource's grid, open, clear of bookings and their buffers, within notice and "
        "horizon), so clients need not work it out; null without `duration`.",
    )
