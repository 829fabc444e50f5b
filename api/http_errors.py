"""Django's error views for paths under /api/: JSON like every other API error.

DRF's exception handler (api.exceptions) answers errors raised inside API views; these
cover what happens outside them: a URL that matches no route (404), a request Django itself
refuses (400, 403, 413), a crash outside DRF (500), and the database being unreachable
(503, from config.middleware). Paths elsewhere keep Django's HTML pages, or a short text.
"""

from __future__ import annotations

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views import defaults

from alliance.errors import MESSAGES
from alliance.outage import RETRY_AFTER_SECONDS
from api.exceptions import error_body

API_PREFIX = "/api/"


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith(API_PREFIX)


def _json(code: str, status: int, **extra: object) -> JsonResponse:
    return JsonResponse(
        error_body(code, str(MESSAGES[code]), **extra),
        status=status,
        json_dumps_params={"ensure_ascii": False},
    )


def _text(code: str, status: int) -> HttpResponse:
    return HttpResponse(
        f"{MESSAGES[code]}\n", status=status, content_type="text/plain; charset=utf-8"
    )


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    if isinstance(exception, RequestDataTooBig):
        # Over DATA_UPLOAD_MAX_MEMORY_SIZE: not malformed, too large (also the admin's forms).
        return (
            _json("payload_too_large", 413) if _is_api(request) else _text("payload_too_large", 413)
        )
    if _is_api(request):
        return _json("invalid", 400)
    return defaults.bad_request(request, exception)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _is_api(request):
        return _json("permission_denied", 403)
    return defaults.permission_denied(request, exception)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _is_api(request):
        return _json("not_found", 404)
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    if _is_api(request):
        return _json("server_error", 500)
    return defaults.server_error(request)


def database_unavailable_response(request: HttpRequest) -> HttpResponse:
    """503 ``database_unavailable`` with ``Retry-After``: JSON under /api/, text elsewhere."""
    if _is_api(request):
        response = _json("database_unavailable", 503, retry_after=RETRY_AFTER_SECONDS)
    else:
        response = _text("database_unavailable", 503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
