"""The one place where errors become API answers.

Every error is JSON: ``{"code", "message"}`` plus ``fields`` for validation errors and any
extra a domain error carries (``conflicts`` and ``alternatives`` for a taken slot). Codes
are stable; messages follow the request's language (zh-hans unless Accept-Language says en).
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import exceptions as drf
from rest_framework import status
from rest_framework.response import Response

from alliance.errors import (
    MESSAGES,
    AccessDenied,
    Conflict,
    DomainError,
    NotFound,
    Unavailable,
    ValidationFailed,
)
from alliance.outage import RETRY_AFTER_SECONDS, database_outage, database_unavailable
from resources.intervals import Interval

logger = logging.getLogger(__name__)

DOMAIN_STATUS = {
    ValidationFailed: status.HTTP_400_BAD_REQUEST,
    AccessDenied: status.HTTP_403_FORBIDDEN,
    NotFound: status.HTTP_404_NOT_FOUND,
    Conflict: status.HTTP_409_CONFLICT,
    Unavailable: status.HTTP_503_SERVICE_UNAVAILABLE,
}

DRF_CODES = {
    drf.ParseError: "parse_error",
    drf.NotAuthenticated: "not_authenticated",
    drf.AuthenticationFailed: "authentication_failed",
    drf.PermissionDenied: "permission_denied",
    drf.NotFound: "not_found",
    drf.MethodNotAllowed: "method_not_allowed",
    drf.NotAcceptable: "not_acceptable",
    drf.UnsupportedMediaType: "unsupported_media_type",
    drf.Throttled: "throttled",
}


def to_json(value: Any) -> Any:
    """Make a domain error's extras JSON-ready: intervals and instants in the local zone."""
    if isinstance(value, Interval):
        return {"start": to_json(value.start), "end": to_json(value.end)}
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).isoformat()
    if isinstance(value, dict):
        return {key: to_json(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [to_json(item) for item in value]
    return value


def error_body(code: str, message: str, **extra: Any) -> dict[str, Any]:
    return {"code": code, "message": message, **to_json(extra)}


def _field_errors(detail: Any) -> Any:
    """DRF's nested error detail as ``{field: [{"code", "message"}]}``."""
    if isinstance(detail, dict):
        return {key: _field_errors(value) for key, value in detail.items()}
    if isinstance(detail, list):
        if all(isinstance(item, drf.ErrorDetail) for item in detail):
            return [{"code": item.code, "message": str(item)} for item in detail]
        return [_field_errors(item) for item in detail]
    if isinstance(detail, drf.ErrorDetail):
        return [{"code": detail.code, "message": str(detail)}]
    return detail


def _detail_codes(detail: Any) -> set[str]:
    """Every code in DRF's nested error detail."""
    if isinstance(detail, dict):
        return set().union(*map(_detail_codes, detail.values()))
    if isinstance(detail, list):
        return set().union(*map(_detail_codes, detail))
    return {detail.code} if isinstance(detail, drf.ErrorDetail) else set()


def domain_error_response(exc: DomainError) -> Response:
    http_status = next(
        (code for cls, code in DOMAIN_STATUS.items() if isinstance(exc, cls)),
        status.HTTP_400_BAD_REQUEST,
    )
    extra = dict(exc.extra)
    if "fields" in extra:
        extra["fields"] = {
            field: [{"code": code, "message": exc.message} for code in codes]
            for field, codes in extra["fields"].items()
        }
    # A transient refusal that knows when to come back (the WeChat circuit breaker).
    headers = {"Retry-After": str(extra["retry_after"])} if "retry_after" in extra else None
    return Response(error_body(exc.code, exc.message, **extra), status=http_status, headers=headers)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response:
    if isinstance(exc, DomainError):
        return domain_error_response(exc)
    if isinstance(exc, Http404):
        exc = drf.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = drf.PermissionDenied()
    if isinstance(exc, drf.ValidationError):
        # Only unknown keys: the answer is named after them (see InputSerializer).
        code = "unknown_field" if _detail_codes(exc.detail) == {"unknown_field"} else "invalid"
        body = error_body(code, str(MESSAGES[code]), fields=_field_errors(exc.detail))
        return Response(body, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, drf.APIException):
        code = getattr(exc, "error_code", None)  # a subclass with a code of its own
        code = code or next((c for cls, c in DRF_CODES.items() if isinstance(exc, cls)), None)
        code = code or (exc.get_codes() if isinstance(exc.get_codes(), str) else "error")
        headers = {}
        if getattr(exc, "auth_header", None):
            headers["WWW-Authenticate"] = exc.auth_header
        if getattr(exc, "wait", None):
            headers["Retry-After"] = str(int(exc.wait))
        extra = {"retry_after": int(exc.wait)} if getattr(exc, "wait", None) else {}
        return Response(
            error_body(code, str(exc.detail), **extra), status=exc.status_code, headers=headers
        )
    if isinstance(exc, RequestDataTooBig):  # the body is over DATA_UPLOAD_MAX_MEMORY_SIZE
        return Response(
            error_body("payload_too_large", str(MESSAGES["payload_too_large"])),
            status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
        )
    if database_unavailable(exc):  # an outage, not a bug: no traceback per request
        database_outage(exc)
        return Response(
            error_body(
                "database_unavailable",
                str(MESSAGES["database_unavailable"]),
                retry_after=RETRY_AFTER_SECONDS,
            ),
            status=status.HTTP_503_SERVICE_UNAVAILABLE,
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        )
    logger.exception("Unhandled error in %s", context.get("view").__class__.__name__)
    return Response(
        error_body("server_error", _("Something went wrong on our side. Please try again.")),
        status=status.HTTP_500_INTERNAL_SERVER_ERROR,
    )
