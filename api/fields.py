"""Serializer and filter fields for the API's conventions on time, and strict text input.

The contract: instants are ISO 8601; one without an offset means Asia/Shanghai (the
alliance's zone, settings.TIME_ZONE); every instant goes out with the alliance's offset
(``+08:00``). Dates are ``YYYY-MM-DD`` in that zone. Opening hours are ``HH:MM`` wall-clock
times where an end of ``24:00`` means midnight at the end of the day.

Values are bounded to the years 2000–2099: nothing the alliance books lies outside, and the
bound keeps date arithmetic (a day before, a day after, UTC conversion) from overflowing.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from resources.models import MIDNIGHT
from resources.selectors import alliance_zone, local_midnight

#: Largest id a bigint primary key can hold: bounds id fields so that no lookup overflows.
ID_MAX = 2**63 - 1
EARLIEST_DATE = dt.date(2000, 1, 1)
LATEST_DATE = dt.date(2099, 12, 31)
OUT_OF_RANGE = _("Dates must lie between 2000-01-01 and 2099-12-31.")


def in_supported_range(value: dt.date | dt.datetime) -> bool:
    if isinstance(value, dt.datetime):
        try:
            value = value.astimezone(alliance_zone()).date()
        except OverflowError:
            return False
    return EARLIEST_DATE <= value <= LATEST_DATE


def to_local_iso(value: dt.datetime) -> str:
    """An aware instant as ISO 8601 in the alliance's zone, e.g. ``2026-11-23T09:00:00+08:00``."""
    return value.astimezone(alliance_zone()).isoformat()


class LocalDateTimeField(serializers.DateTimeField):
    """An ISO 8601 instant. Without an offset it is read as Asia/Shanghai time; it is always
    written with the alliance's offset."""

    default_error_messages = {"out_of_range": OUT_OF_RANGE}

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("default_timezone", alliance_zone())
        super().__init__(**kwargs)

    def to_internal_value(self, value: Any) -> dt.datetime:
        result = super().to_internal_value(value)
        if not in_supported_range(result):
            self.fail("out_of_range")
        return result

    def to_representation(self, value: dt.datetime | None) -> str | None:
        return None if value is None else to_local_iso(value)


class LocalDateField(serializers.DateField):
    """A ``YYYY-MM-DD`` date in the alliance's zone, within the supported years."""

    default_error_messages = {"out_of_range": OUT_OF_RANGE}

    def to_internal_value(self, value: Any) -> dt.date:
        result = super().to_internal_value(value)
        if not in_supported_range(result):
            self.fail("out_of_range")
        return result


TIME_PATTERN = re.compile(r"^(?:[01]\d|2[0-3]):[0-5]\d$|^24:00$")


@extend_schema_field(
    {"type": "string", "pattern": r"^(?:[01]\d|2[0-3]):[0-5]\d$|^24:00$", "example": "08:00"}
)
class WallClockTimeField(serializers.Field):
    """``HH:MM`` local wall-clock time. ``24:00`` (end of day) is accepted only where
    ``allow_end_of_day`` is set and is stored as 00:00, the models' "until midnight"."""

    default_error_messages = {
        "invalid": _("Enter a time as HH:MM, e.g. 08:00."),
        "end_of_day": _("24:00 may only end a window."),
    }

    def __init__(self, *, allow_end_of_day: bool = False, **kwargs: Any) -> None:
        self.allow_end_of_day = allow_end_of_day
        super().__init__(**kwargs)

    def to_internal_value(self, value: Any) -> dt.time:
        if not isinstance(value, str) or not TIME_PATTERN.match(value):
            self.fail("invalid")
        if value == "24:00":
            if not self.allow_end_of_day:
                self.fail("end_of_day")
            return MIDNIGHT
        return dt.time.fromisoformat(value)

    def to_representation(self, value: dt.time) -> str:
        if self.allow_end_of_day and value == MIDNIGHT:
            return "24:00"
        return value.strftime("%H:%M")


class LocalInstantFormField(forms.Field):
    """A query parameter that is a date (``YYYY-MM-DD``) or an instant (ISO 8601).

    A date stands for local midnight at its start, or with ``date_means_end_of_day`` at its
    end (so that ``to=2026-11-30`` includes all of that day). An instant without an offset is
    Asia/Shanghai time.
    """

    default_error_messages = {
        "invalid": _("Enter a date (YYYY-MM-DD) or a date and time (ISO 8601)."),
        "out_of_range": OUT_OF_RANGE,
    }

    def __init__(self, *, date_means_end_of_day: bool = False, **kwargs: Any) -> None:
        self.date_means_end_of_day = date_means_end_of_day
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> dt.datetime | None:
        if value in self.empty_values:
            return None
        value = str(value).strip()
        try:
            day = parse_date(value)
            moment = None if day else parse_datetime(value)
        except ValueError:
            day = moment = None
        if day is not None:
            if not in_supported_range(day):
                raise ValidationError(self.error_messages["out_of_range"], code="out_of_range")
            return local_midnight(day + dt.timedelta(days=1 if self.date_means_end_of_day else 0))
        if moment is None:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=alliance_zone())
        if not in_supported_range(moment):
            raise ValidationError(self.error_messages["out_of_range"], code="out_of_range")
        return moment


class StrictBooleanFormField(forms.Field):
    """A query parameter that is ``true`` or ``false``, as the schema's boolean says.

    django-filter's BooleanFilter reads anything else (``yes``, ``abc``) as absent, so a
    mistyped ``include_retired=ture`` quietly listed nothing retired.
    """

    default_error_messages = {"invalid": _("Enter true or false.")}
    VALUES = {"true": True, "false": False}

    def to_python(self, value: Any) -> bool | None:
        if value in self.empty_values:
            return None
        if value not in self.VALUES:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return self.VALUES[value]


class StrictCharField(serializers.CharField):
    """Text input that must arrive as a JSON string.

    DRF's CharField turns a number into its digits (``{"name": 0}`` became the name "0"), so
    a client sending the wrong type went unnoticed and, for the WeChat code, was even sent
    on to WeChat. Here anything but a string is a 400 ``invalid`` on the field.
    """

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


#: Text with at least one character that is not white space (JSON Schema patterns search).
NOT_BLANK_PATTERN = r"\S"


class StrictCharFieldSchema(OpenApiSerializerFieldExtension):
    """Documents what a StrictCharField refuses as blank, so that the schema allows exactly
    what the API accepts: unless ``allow_blank``, at least one character (``minLength``),
    and, where white space is trimmed (the default), one that is not white space."""

    target_class = StrictCharField
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        schema = auto_schema._map_serializer_field(self.target, direction, bypass_extensions=True)
        if not self.target.allow_blank:
            schema.setdefault("minLength", 1)
            if self.target.trim_whitespace:
                schema.setdefault("pattern", NOT_BLANK_PATTERN)
        return schema
