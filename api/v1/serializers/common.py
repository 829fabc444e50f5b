"""Shapes shared by many endpoints: the base of every input, intervals and the error answers
(api.exceptions)."""

from __future__ import annotations

from collections.abc import Container, Iterable, Mapping
from typing import Any

from drf_spectacular.extensions import (
    OpenApiSerializerExtension,
    OpenApiSerializerFieldExtension,
)
from drf_spectacular.plumbing import ResolvedComponent
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers

from alliance.errors import MESSAGES
from api.fields import LocalDateTimeField

#: The code of a key the input does not know; api.exceptions names the whole answer after it.
UNKNOWN_FIELD = "unknown_field"


class InputSerializer(serializers.Serializer):
    """The base of every request body (and of query strings read by a serializer).

    A key that is none of the fields is refused, 400 ``unknown_field`` naming each such key
    in ``fields``, before any field is read: DRF would drop it silently, so a misspelt
    optional field (``attendee`` for ``attendees``) went unnoticed and the default applied.
    The schema says so with ``additionalProperties: false`` (InputSerializerSchema).
    """

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, Mapping):
            unknown_keys_refuse(data, known=self.fields)
        return super().to_internal_value(data)


def unknown_keys_refuse(data: Iterable[Any], *, known: Container[str]) -> None:
    """Raise a 400 ``unknown_field`` naming every key of ``data`` that is not ``known``."""
    unknown = sorted(str(key) for key in data if key not in known)
    if unknown:
        detail = serializers.ErrorDetail(str(MESSAGES[UNKNOWN_FIELD]), code=UNKNOWN_FIELD)
        raise serializers.ValidationError({key: [detail] for key in unknown})


class InputSerializerSchema(OpenApiSerializerExtension):
    """Documents every InputSerializer as a closed object (``additionalProperties: false``)."""

    target_class = InputSerializer
    match_subclasses = True

    def map_serializer(self, auto_schema, direction):
        schema = auto_schema._map_basic_serializer(self.target, direction)
        if type(self.target).__doc__ is None:  # not this base's docstring, inherited
            schema.pop("description", None)
        return {**schema, "additionalProperties": False}


class IntervalSerializer(serializers.Serializer):
    """A half-open span [start, end) of time."""

    start = LocalDateTimeField()
    end = LocalDateTimeField()


class FieldErrorSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Stable machine-readable code, e.g. `required`.")
    message = serializers.CharField(help_text="Translated explanation.")


class FieldErrorsField(serializers.DictField):
    """The ``fields`` of a validation error, as api.exceptions writes them: field name → list
    of ``{code, message}``, or for nested input (a list's items by index, a nested object's
    fields) field name → the same shape again, e.g. ``{"allowed_units": {"1": [...]}}``."""


class FieldErrorsFieldSchema(OpenApiSerializerFieldExtension):
    """Documents FieldErrorsField as the recursive component ``FieldErrors``.

    A DictField of FieldError lists would document only the flat case, and clients
    validating against the schema would then reject the nested answers.
    """

    target_class = FieldErrorsField

    def map_serializer_field(self, auto_schema, direction):
        field_error = auto_schema.resolve_serializer(FieldErrorSerializer, direction)
        component = ResolvedComponent(
            name="FieldErrors",
            type=ResolvedComponent.SCHEMA,
            object="FieldErrors",
            schema={
                "type": "object",
                "description": "Field name → its problems, or the nested input's own FieldErrors.",
                "additionalProperties": {
                    "oneOf": [
                        {"type": "array", "items": field_error.ref},
                        {"$ref": "#/components/schemas/FieldErrors"},
                    ]
                },
            },
        )
        auto_schema.registry.register_on_missing(component)
        return component.ref


class ErrorSerializer(serializers.Serializer):
    """Every error answer: a stable ``code`` and a translated ``message``; validation errors
    add ``fields`` (field name → list of ``{code, message}``; nested for nested input)."""

    code = serializers.CharField(help_text="Stable machine-readable code, e.g. `not_found`.")
    message = serializers.CharField(
        help_text="zh-hans by default; English with Accept-Language: en."
    )
    fields = FieldErrorsField(
        required=False,
        help_text="Per-field problems of a validation error.",
    )


class SimilarSlotSerializer(serializers.Serializer):
    """A free slot of the same length on a similar resource (bookings.similar, issue 12)."""

    resource = serializers.IntegerField()
    resource_name = serializers.CharField()
    start = LocalDateTimeField()
    end = LocalDateTimeField()


class SeriesClashSerializer(serializers.Serializer):
    """An occurrence of a series that is not free, and why (issue 12)."""

    start = LocalDateTimeField()
    end = LocalDateTimeField()
    code = serializers.CharField()
    message = serializers.CharField()


class WaitlistHintSerializer(serializers.Serializer):
    """Whether the member may join the taken slot's waitlist (issue 12): POST
    /api/v1/waitlist/ with the same resource, start, end and purpose."""

    can_join = serializers.BooleanField()


class ConflictErrorSerializer(ErrorSerializer):
    """409 ``conflict``: what is in the way and the nearest free slots of the same length,
    then free slots as long on similar resources (``similar``), and whether the member may
    join the slot's waitlist (``waitlist``). 409 ``series_clash``: the series' occurrences
    that are not free (``occurrences``)."""

    conflicts = IntervalSerializer(many=True, required=False)
    alternatives = IntervalSerializer(many=True, required=False)
    similar = SimilarSlotSerializer(many=True, required=False)
    occurrences = SeriesClashSerializer(many=True, required=False)
    waitlist = WaitlistHintSerializer(required=False)
    status = serializers.CharField(
        required=False, help_text="For `invalid_transition`: the booking's current status."
    )


class RateLimitedErrorSerializer(ErrorSerializer):
    """429: a limit was reached; try again after ``retry_after`` seconds (also Retry-After)."""

    retry_after = serializers.IntegerField(help_text="Seconds to wait, as in Retry-After.")


def _error(description: str, serializer: type[serializers.Serializer] = ErrorSerializer):
    return OpenApiResponse(response=serializer, description=description)


BAD_REQUEST = _error("Bad input or a broken rule; `code` says which (e.g. `too_short`).")
UNAUTHENTICATED = _error("No or an expired token (`not_authenticated`).")
FORBIDDEN = _error("Not allowed (`permission_denied`, or `not_bound` for an unbound token).")
NOT_FOUND = _error("Unknown, or not visible to the caller (`not_found`).")
CONFLICT = _error(
    "The state forbids it: `conflict` (with conflicts and alternatives), "
    "`invalid_transition` or `already_started`.",
    ConflictErrorSerializer,
)
PAGE_NOT_FOUND = _error("`page` lies past the last page (`not_found`).")
UNAVAILABLE = _error("The resource is busy with another request (`resource_busy`); retry.")
RATE_LIMITED = _error(
    "Too many requests (`booking_rate_limited`: the member's ceiling of booking requests per "
    "minute); try again after Retry-After seconds.",
    RateLimitedErrorSerializer,
)


def errors(*statuses: int) -> dict[int, OpenApiResponse]:
    """The documented error answers of an endpoint, by HTTP status."""
    known = {
        400: BAD_REQUEST,
        401: UNAUTHENTICATED,
        403: FORBIDDEN,
        404: NOT_FOUND,
        409: CONFLICT,
        429: RATE_LIMITED,
        503: UNAVAILABLE,
    }
    return {status: known[status] for status in statuses}


def list_errors(*statuses: int) -> dict[int, OpenApiResponse]:
    """errors() of a paginated list, which may also answer 400 for a ``page`` or
    ``page_size`` that is not a positive whole number and 404 for a page past the last."""
    return {400: BAD_REQUEST, 404: PAGE_NOT_FOUND, **errors(*statuses)}
