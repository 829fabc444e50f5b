"""Shapes shared by many endpoints: intervals and the error answers (api.exceptions)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers

from api.fields import LocalDateTimeField


class IntervalSerializer(serializers.Serializer):
    """A half-open span [start, end) of time."""

    start = LocalDateTimeField()
    end = LocalDateTimeField()


class FieldErrorSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Stable machine-readable code, e.g. `required`.")
    message = serializers.CharField(help_text="Translated explanation.")


class ErrorSerializer(serializers.Serializer):
    """Every error answer: a stable ``code`` and a translated ``message``; validation errors
    add ``fields`` (field name → list of ``{code, message}``; nested for nested input)."""

    code = serializers.CharField(help_text="Stable machine-readable code, e.g. `not_found`.")
    message = serializers.CharField(
        help_text="zh-hans by default; English with Accept-Language: en."
    )
    fields = serializers.DictField(
        child=FieldErrorSerializer(many=True),
        required=False,
        help_text="Per-field problems of a validation error.",
    )


class ConflictErrorSerializer(ErrorSerializer):
    """409 ``conflict``: what is in the way and the nearest free slots of the same length."""

    conflicts = IntervalSerializer(many=True, required=False)
    alternatives = IntervalSerializer(many=True, required=False)
    status = serializers.CharField(
        required=False, help_text="For `invalid_transition`: the booking's current status."
    )


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
UNAVAILABLE = _error("The resource is busy with another request (`resource_busy`); retry.")


def errors(*statuses: int) -> dict[int, OpenApiResponse]:
    """The documented error answers of an endpoint, by HTTP status."""
    known = {
        400: BAD_REQUEST,
        401: UNAUTHENTICATED,
        403: FORBIDDEN,
        404: NOT_FOUND,
        409: CONFLICT,
        503: UNAVAILABLE,
    }
    return {status: known[status] for status in statuses}
