"""The OpenAPI schema documents Idempotency-Key on every write the middleware covers."""

from __future__ import annotations

import json

import pytest
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

WRITES = {"post", "put", "patch", "delete"}


@pytest.fixture(scope="module")
def schema(django_db_blocker) -> dict:
    with django_db_blocker.unblock():
        response = APIClient().get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    return json.loads(response.content)


def _writes(schema: dict):
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if method in WRITES:
                yield path, method, operation


def _header(operation: dict) -> dict | None:
    return next(
        (p for p in operation.get("parameters", []) if p["name"] == "Idempotency-Key"), None
    )


def test_every_write_but_sign_in_takes_the_header_and_documents_its_answers(schema):
    covered = [
        (path, method, operation)
        for path, method, operation in _writes(schema)
        if not path.startswith("/api/v1/auth/")
    ]

    assert len(covered) >= 18
    for path, method, operation in covered:
        header = _header(operation)
        assert header is not None, (method, path)
        assert (header["in"], header["required"]) == ("header", False)
        assert header["schema"]["maxLength"] == 255
        responses = operation["responses"]
        assert {"400", "409", "422"} <= set(responses), (method, path)
        assert "idempotency_key_reused" in responses["422"]["description"]
        assert "idempotency_in_progress" in responses["409"]["description"]
        assert "idempotency_key_invalid" in responses["400"]["description"]


def test_the_documented_conflict_of_a_booking_keeps_its_own_shape(schema):
    conflict = schema["paths"]["/api/v1/bookings/"]["post"]["responses"]["409"]

    ref = conflict["content"]["application/json"]["schema"]["$ref"]
    assert ref.endswith("/ConflictError")
    assert "`conflict`" in conflict["description"]


def test_sign_in_endpoints_do_not_take_the_header(schema):
    for path, method, operation in _writes(schema):
        if path.startswith("/api/v1/auth/"):
            assert _header(operation) is None, (method, path)
            assert "422" not in operation["responses"], (method, path)
