"""The OpenAPI schema view, safe to call from several threads at once.

drf-spectacular's generator keeps process-wide state: extensions load their target class
lazily on first use, and generation statistics are global (tfranzel/drf-spectacular#1122,
#1123, #1368). Under a threaded server the first requests for the schema, made at the
same moment, answered 500 (``'NoneType' object has no attribute 'startswith'``). Schema
generation is rare and takes well under a second, so one lock is enough: one thread
builds the schema at a time.
"""

from __future__ import annotations

import threading

from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView
from rest_framework.request import Request
from rest_framework.response import Response

_GENERATION_LOCK = threading.Lock()


class SchemaApi(SpectacularAPIView):
    """SpectacularAPIView with generation serialized (see the module docstring)."""

    @extend_schema(exclude=True)  # like the view it wraps (SERVE_INCLUDE_SCHEMA is off)
    def get(self, request: Request, *args: object, **kwargs: object) -> Response:
        with _GENERATION_LOCK:
            return super().get(request, *args, **kwargs)
