"""Query-string filters of the resource and booking lists (django-filter).

Filters parse and narrow querysets; which rows a caller may see at all is decided before
(bookings.selectors scopes through alliance.access), and whether a resource has a bookable
slot is the scheduler's decision (bookings.search.resource_search), whose answers the list
serializer shows (``first_slots``, ``unfit``) from ``request.resource_search``.
"""

from __future__ import annotations

import datetime as dt

import django_filters
from django import forms
from django.db.models import Case, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from alliance.errors import ValidationFailed
from alliance.models import Unit
from api.authentication import request_member
from api.fields import LocalInstantFormField, StrictBooleanFormField
from bookings.models import Booking, BookingStatus
from bookings.search import resource_search
from resources.models import Resource, ResourceKind
from resources.services import RULE_BOUNDS

#: The longest window ``free_from``..``free_to`` may span (no booking is longer).
FREE_WINDOW_MAX_DAYS = 62
SEARCH_MAX_LENGTH = 100


class LocalInstantFilter(django_filters.CharFilter):
    """``YYYY-MM-DD`` or an ISO 8601 instant; see api.fields.LocalInstantFormField. (A
    CharFilter for the schema: the parameter is a string in either of two formats.)"""

    field_class = LocalInstantFormField


class IntegerFilter(django_filters.NumberFilter):
    """A whole number: 1.5 is 400 ``invalid``, not 1."""

    field_class = forms.IntegerField


class StrictBooleanFilter(django_filters.BooleanFilter):
    """``true`` or ``false``; anything else is 400 ``invalid`` (StrictBooleanFormField)."""

    field_class = StrictBooleanFormField


class _ResourceFilterForm(forms.Form):
    def clean(self) -> dict:
        data = super().clean()
        if self.has_error("free_from") or self.has_error("free_to"):
            return data
        free_from, free_to = data.get("free_from"), data.get("free_to")
        if free_from is None and free_to is None:
            if data.get("duration") is not None or data.get("include_unfit"):
                raise ValidationFailed("invalid", fields={"free_from": ["required"]})
            return data
        if free_from is None or free_to is None:
            missing = "free_from" if free_from is None else "free_to"
            raise ValidationFailed("invalid", fields={missing: ["required"]})
        if free_to <= free_from:
            raise ValidationFailed("invalid_interval", fields={"free_to": ["invalid_interval"]})
        if free_to - free_from > dt.timedelta(days=FREE_WINDOW_MAX_DAYS):
            raise ValidationFailed(
                "range_too_long",
                params={"days": FREE_WINDOW_MAX_DAYS},
                fields={"free_to": ["range_too_long"]},
            )
        return data


class ResourceFilter(django_filters.FilterSet):
    """Filters of GET /api/v1/resources/. Retired resources are left out unless
    ``include_retired=true``."""

    kind = django_filters.ChoiceFilter(choices=ResourceKind.choices)
    unit = django_filters.ModelChoiceFilter(
        queryset=Unit.objects.all(), help_text=_("Id of the owning unit.")
    )
    q = django_filters.CharFilter(
        method="filter_search",
        max_length=SEARCH_MAX_LENGTH,
        help_text=_("Words to find in the name, description or location."),
    )
    free_from = LocalInstantFilter(
        method="filter_nothing",
        help_text=_(
            "With free_to: only resources with a slot of `duration` you could book inside "
            "the window (opening hours, closures, rules, other bookings and their buffers); "
            "each lists its first_slots. "
            "YYYY-MM-DD or ISO 8601; without an offset, Asia/Shanghai time."
        ),
    )
    free_to = LocalInstantFilter(
        method="filter_nothing",
        help_text=_("End of the free_from window; a date means the end of that day."),
        date_means_end_of_day=True,
    )
    duration = IntegerFilter(
        method="filter_nothing",
        min_value=1,
        max_value=RULE_BOUNDS["max_duration_minutes"][1],
        help_text=_(
            "With free_from/free_to: the slot's length in minutes; by default each "
            "resource's minimum duration."
        ),
    )
    include_unfit = StrictBooleanFilter(
        method="filter_flag",
        help_text=_(
            "With free_from/free_to: also list the resources without a slot, after those "
            "with one, each with `unfit` saying why."
        ),
    )
    include_retired = StrictBooleanFilter(
        method="filter_flag", help_text=_("Also list retired resources.")
    )

    class Meta:
        model = Resource
        fields: list[str] = []
        form = _ResourceFilterForm

    def filter_search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        words = value.split()
        for word in words:
            queryset = queryset.filter(
                Q(name__icontains=word)
                | Q(description__icontains=word)
                | Q(building__icontains=word)
                | Q(room__icontains=word)
                | Q(address__icontains=word)
            )
        return queryset

    def filter_nothing(self, queryset: QuerySet, name: str, value: object) -> QuerySet:
        """These parameters act in filter_queryset, after every other filter."""
        return queryset

    def filter_flag(self, queryset: QuerySet, name: str, value: bool) -> QuerySet:
        """Like filter_nothing, for a flag (the hint documents it as a boolean)."""
        return queryset

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        data = self.form.cleaned_data
        if not data.get("include_retired"):
            queryset = queryset.filter(is_retired=False)
        queryset = super().filter_queryset(queryset)
        if data.get("free_from") is not None:
            duration = data.get("duration")
            results = resource_search(
                resources=queryset,
                member=request_member(self.request),
                start=data["free_from"],
                end=data["free_to"],
                duration=None if duration is None else dt.timedelta(minutes=duration),
                now=timezone.now(),
            )
            self.request.resource_search = results
            fitting = [pk for pk, result in results.items() if result.fits]
            if data.get("include_unfit"):
                order = Case(When(pk__in=fitting, then=Value(0)), default=Value(1))
                queryset = queryset.order_by(order, *queryset.query.order_by)
            else:
                queryset = queryset.filter(pk__in=fitting)
        return queryset


class _BookingFilterForm(forms.Form):
    def clean(self) -> dict:
        data = super().clean()
        since, until = data.get("from"), data.get("to")
        if since is not None and until is not None and since >= until:
            raise ValidationFailed("invalid_range", fields={"to": ["invalid_range"]})
        return data


class BookingFilter(django_filters.FilterSet):
    """Filters of GET /api/v1/bookings/. ``from``/``to`` keep the bookings that overlap the
    window; a date ``to`` includes that whole day; an empty or inverted window is 400
    ``invalid_range``."""

    status = django_filters.ChoiceFilter(choices=BookingStatus.choices)
    resource = django_filters.ModelChoiceFilter(queryset=Resource.objects.all())
    unit = django_filters.ModelChoiceFilter(
        field_name="resource__unit",
        queryset=Unit.objects.all(),
        help_text=_("Id of the unit that owns the booked resource."),
    )
    booking_unit = django_filters.ModelChoiceFilter(
        field_name="unit",
        queryset=Unit.objects.all(),
        help_text=_("Id of the booker's unit."),
    )
    since = LocalInstantFilter(
        field_name="end",
        lookup_expr="gt",
        help_text=_("Bookings ending after this: YYYY-MM-DD (its start) or ISO 8601."),
    )
    until = LocalInstantFilter(
        field_name="start",
        lookup_expr="lt",
        date_means_end_of_day=True,
        help_text=_("Bookings starting before this: YYYY-MM-DD (its end) or ISO 8601."),
    )

    class Meta:
        model = Booking
        fields: list[str] = []
        form = _BookingFilterForm


# ``from`` is a Python keyword: declare the parameters under their public names.
BookingFilter.base_filters["from"] = BookingFilter.base_filters.pop("since")
BookingFilter.base_filters["to"] = BookingFilter.base_filters.pop("until")
