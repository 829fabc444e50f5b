"""Django's error views for paths under /api/: JSON like every other API error.

DRF's exception handler (api.exceptions) answers errors raised inside API views; these
cover what happens outside them: a URL that matches no route (404), a request Django itself
refuses (400, 403), and a crash outside DRF (500). Paths elsewhere keep Django's HTML pages.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views import defaults

from alliance.errors import MESSAGES
from api.exceptions import error_body

API_PREFIX = "/api/"


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith(API_PREFIX)


def _json(code: str, status: int) -> JsonResponse:
    return JsonResponse(
        error_body(code, str(MESSAGES[code])),
        status=status,
        json_dumps_params={"ensure_ascii": False},
    )


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
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
