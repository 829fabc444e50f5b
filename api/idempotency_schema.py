"""The ``Idempotency-Key`` header (api.idempotency) in the OpenAPI schema.

A drf-spectacular postprocessing hook (SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"]), so
that every write the middleware covers is documented without an edit per view: the header
parameter, and the answers it adds (400 for a malformed key, 409 while the first request
runs, 422 for a key reused with another request).
"""

from __future__ import annotations

from typing import Any

from api.idempotency import HEADER, REPLAYED_HEADER, RETRY_AFTER_SECONDS, idempotency_applies

ERROR_REF = {"$ref": "#/components/schemas/Error"}

PARAMETER = {
    "in": "header",
    "name": HEADER,
    "required": False,
    "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[ -~]+$"},
    "description": (
        "A client-chosen key (e.g. a UUID) that makes retrying this write safe: the same "
        "key with the same request within 24 hours returns the first successful answer "
        f"again, with `{REPLAYED_HEADER}: true`, instead of acting twice. Scoped to the "
        "caller. Only 2xx answers are kept; after any other answer the key may be sent again."
    ),
}

ADDED = {
    "400": "`idempotency_key_invalid`: the Idempotency-Key is not 1–255 printable ASCII "
    "characters.",
    "409": "`idempotency_in_progress`: a request with this Idempotency-Key is still running; "
    f"retry after `Retry-After` seconds ({RETRY_AFTER_SECONDS}). `idempotency_answer_lost`: "
    "its answer can no longer be read.",
    "422": "`idempotency_key_reused`: this Idempotency-Key was used with another method, "
    "path or body.",
}


def _error_response(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": ERROR_REF}}}


def idempotency_postprocess(
    result: dict[str, Any], generator: object, request: object, public: bool, **kwargs: object
) -> dict[str, Any]:
    """Document the header and its answers on every operation the middleware covers.

    An answer the view documents already (400, 409) keeps its schema, which admits
    ``{code, message}``; its description gains the new codes.
    """
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            if not idempotency_applies(method.upper(), path):
                continue
            operation.setdefault("parameters", []).append(dict(PARAMETER))
            responses = operation.setdefault("responses", {})
            for status, description in ADDED.items():
                if status in responses:
                    existing = responses[status].get("description", "")
                    responses[status]["description"] = f"{existing} {description}".strip()
                else:
                    responses[status] = _error_response(description)
    return result
