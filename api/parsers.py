"""The API's JSON parser: DRF's, with nesting too deep for Python answered as bad input.

``json`` decodes recursively, so a body of a hundred thousand ``[`` raises RecursionError,
which DRF does not expect and which became a 500. It is a malformed request like any other:
400 ``parse_error``. The body's size is bounded before parsing by DATA_UPLOAD_MAX_MEMORY_SIZE.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError


class JSONParser(parsers.JSONParser):
    def parse(self, stream: Any, media_type: Any = None, parser_context: Any = None) -> Any:
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError as exc:
            raise ParseError(_("The request body is nested too deeply.")) from exc
