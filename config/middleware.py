"""Answer 503 ``database_unavailable`` when the database is down, wherever it is noticed.

API views answer it from their exception handler (api.exceptions). This middleware covers
everything else: Django views (the admin, calendar feeds) through ``process_exception``,
and other middleware that reads the database (sessions, the cache) by marking the request
when Django turns the exception into a 500 (``got_request_exception``) and replacing that
500 on the way out. It must come before every middleware that reads the database.
Errors that are not an outage (alliance.outage.database_unavailable) stay 500s with their
traceback.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

from django.core.signals import got_request_exception
from django.http import HttpRequest, HttpResponse

from alliance.outage import database_outage, database_unavailable
from api.http_errors import database_unavailable_response

#: Set on a request whose uncaught exception was a database outage.
OUTAGE_MARK = "_alliance_database_unavailable"


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if getattr(request, OUTAGE_MARK, False) and response.status_code >= 500:
            return database_unavailable_response(request)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not database_unavailable(exception):
            return None
        database_outage(exception)
        return database_unavailable_response(request)


def _mark_outage(sender: Any, request: HttpRequest | None = None, **kwargs: Any) -> None:
    """Django sends this from inside its ``except`` block, so sys.exc_info() is the error."""
    exc = sys.exc_info()[1]
    if request is not None and database_unavailable(exc):
        database_outage(exc)
        setattr(request, OUTAGE_MARK, True)


got_request_exception.connect(_mark_outage, dispatch_uid="alliance-database-outage")
