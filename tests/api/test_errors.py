"""Error answers: whatever a client sends, the answer is JSON with a stable code, never a 500.

Each case checks the status, the ``code`` (and the field's code for validation errors), and
that nothing was written.
"""

from __future__ import annotations

import json

import pytest
from django.test import RequestFactory
from django.urls import get_resolver

from bookings.models import Booking
from tests.api.world import World, client_for, world_build

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]

BOOKINGS = "/api/v1/bookings/"


@pytest.fixture
def world() -> World:
    return world_build()


def valid_booking(world, **overrides) -> dict:
    return {
        "resource": world.resource.pk,
        "start": "2026-11-24T10:00:00+08:00",
        "end": "2026-11-24T11:00:00+08:00",
        "purpose": "样品测试",
        **overrides,
    }


def post_raw(client, url: str, body: str, content_type: str = "application/json", **extra):
    return client.generic("POST", url, body.encode(), content_type=content_type, **extra)


# --- Malformed requests -------------------------------------------------------------------


@pytest.mark.parametrize("body", ['{"resource": 1,', "not json", "\xff\xfe", ""])
def test_malformed_json_is_400_parse_error(world, body):
    response = post_raw(client_for(world.researcher), BOOKINGS, body)

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] in {"parse_error", "invalid"}
    assert response.json()["message"]
    assert not Booking.objects.exists()


def test_truncated_json_is_parse_error_specifically(world):
    response = post_raw(client_for(world.researcher), BOOKINGS, '{"resource": 1,')

    assert response.json()["code"] == "parse_error"


@pytest.mark.parametrize("body", ["[]", '"a string"', "42", "null"])
def test_a_body_that_is_not_an_object_is_400(world, body):
    response = post_raw(client_for(world.researcher), BOOKINGS, body)

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert not Booking.objects.exists()


def test_a_form_encoded_body_is_415(world):
    response = post_raw(
        client_for(world.researcher),
        BOOKINGS,
        "resource=1",
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_media_type"


def test_a_wrong_method_is_405(world):
    response = client_for(world.researcher).delete(BOOKINGS)

    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"


# --- Wrong types, unknown ids, absurd values ----------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "field", "code"),
    [
        ({"resource": "冷冻电镜"}, "resource", "invalid"),
        ({"resource": 1.5}, "resource", "invalid"),
        ({"resource": True}, "resource", "invalid"),
        ({"resource": [1]}, "resource", "invalid"),
        ({"resource": 999999}, "resource", "does_not_exist"),
        ({"resource": 10**30}, "resource", "does_not_exist"),
        ({"resource": -1}, "resource", "does_not_exist"),
        ({"resource": None}, "resource", "null"),
        ({"start": 1700000000}, "start", "invalid"),
        ({"start": "tomorrow at ten"}, "start", "invalid"),
        ({"start": "2026-11-31T10:00"}, "start", "invalid"),
        ({"start": "2026-11-24T25:00"}, "start", "invalid"),
        ({"start": {"date": "2026-11-24"}}, "start", "invalid"),
        ({"start": "9999-12-31T23:00:00+08:00"}, "start", "out_of_range"),
        ({"start": "0001-01-01T00:00:00+14:00"}, "start", "overflow"),
        ({"end": "1999-12-31T23:00:00+08:00"}, "end", "out_of_range"),
        ({"attendees": 10**30}, "attendees", "max_value"),
        ({"attendees": 0}, "attendees", "min_value"),
        ({"attendees": "three"}, "attendees", "invalid"),
        ({"attendees": 2.5}, "attendees", "invalid"),
        ({"purpose": "长" * 201}, "purpose", "max_length"),
        ({"purpose": "   "}, "purpose", "blank"),
        ({"purpose": ["样品"]}, "purpose", "invalid"),
    ],
)
def test_bad_fields_are_400_with_the_field_s_code(world, overrides, field, code):
    response = client_for(world.researcher).post(
        BOOKINGS, valid_booking(world, **overrides), format="json"
    )

    assert response.status_code == 400, response.json()
    body = response.json()
    assert body["code"] == "invalid"
    assert body["fields"][field][0]["code"] == code
    assert body["fields"][field][0]["message"]
    assert not Booking.objects.exists()


@pytest.mark.parametrize("missing", ["resource", "start", "end", "purpose"])
def test_missing_fields_are_400_required(world, missing):
    body = valid_booking(world)
    del body[missing]

    response = client_for(world.researcher).post(BOOKINGS, body, format="json")

    assert response.status_code == 400
    assert response.json()["fields"][missing][0]["code"] == "required"


def test_a_booking_spanning_decades_is_refused_before_the_scheduler_runs(world):
    response = client_for(world.researcher).post(
        BOOKINGS,
        valid_booking(world, end="2099-12-31T00:00:00+08:00"),
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 400
    assert response.json()["code"] == "range_too_long"
    assert response.json()["message"] == "The date range may span at most 31 days."
    assert response.json()["fields"]["end"][0]["code"] == "range_too_long"
    assert not Booking.objects.exists()


def test_a_long_booking_within_the_bound_meets_the_resource_s_own_rule(world):
    response = client_for(world.researcher).post(
        BOOKINGS, valid_booking(world, end="2026-12-20T10:00:00+08:00"), format="json"
    )

    assert response.status_code == 400
    assert response.json()["code"] == "too_long"


def test_a_time_without_offset_is_accepted_as_shanghai_time(world):
    response = client_for(world.researcher).post(
        BOOKINGS,
        valid_booking(world, start="2026-11-24T10:00", end="2026-11-24T11:00"),
        format="json",
    )

    assert response.status_code == 201
    assert response.json()["start"] == "2026-11-24T10:00:00+08:00"


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/bookings/999999/",
        f"/api/v1/bookings/{10**30}/",
        "/api/v1/bookings/999999/cancel/",
        "/api/v1/bookings/999999/approve/",
        "/api/v1/resources/999999/",
        "/api/v1/resources/999999/availability/?from=2026-11-24&to=2026-11-24",
        "/api/v1/units/999999/",
        "/api/v1/bookings/abc/",
        "/api/v1/no-such-endpoint/",
    ],
)
def test_unknown_ids_and_paths_under_api_are_json_404(world, url):
    client = client_for(world.secretariat)
    response = client.post(url) if url.endswith(("cancel/", "approve/")) else client.get(url)

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == "not_found"


def test_a_page_past_the_end_is_404(world):
    response = client_for(world.secretariat).get(BOOKINGS, {"page": 99})

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


@pytest.mark.parametrize(
    ("params", "field", "code"),
    [
        ({"status": "lost"}, "status", "invalid_choice"),
        ({"resource": "abc"}, "resource", "invalid_choice"),
        ({"resource": str(10**30)}, "resource", "invalid_choice"),
        ({"from": "last tuesday"}, "from", "invalid"),
        ({"from": "0001-01-01"}, "from", "out_of_range"),
        ({"to": "9999-12-31T00:00"}, "to", "out_of_range"),
    ],
)
def test_bad_booking_filters_are_400(world, params, field, code):
    response = client_for(world.secretariat).get(BOOKINGS, params)

    assert response.status_code == 400
    assert response.json()["fields"][field][0]["code"] == code


@pytest.mark.parametrize(
    "params",
    [
        {"from": "2026-11-25", "to": "2026-11-24"},
        {"from": "2026-11-24T10:00", "to": "2026-11-24T10:00"},
        {"from": "2026-11-24T10:00", "to": "2026-11-24T09:00"},
    ],
)
def test_an_empty_or_inverted_window_is_400_invalid_range(world, params):
    response = client_for(world.secretariat).get(BOOKINGS, params)

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_range"
    assert response.json()["fields"]["to"][0]["code"] == "invalid_range"


def test_from_and_to_on_the_same_date_cover_that_day(world):
    response = client_for(world.secretariat).get(
        BOOKINGS, {"from": "2026-11-24", "to": "2026-11-24"}
    )

    assert response.status_code == 200


# --- Language -----------------------------------------------------------------------------


def test_messages_are_english_with_accept_language_en(world):
    response = client_for(world.researcher).post(
        BOOKINGS,
        valid_booking(world, purpose="长" * 201),
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )

    body = response.json()
    assert body["message"] == "The request is not valid."
    assert body["fields"]["purpose"][0]["message"] == (
        "Ensure this field has no more than 200 characters."
    )


def test_messages_are_chinese_by_default(world):
    response = client_for(world.researcher).post(
        BOOKINGS, valid_booking(world, purpose="长" * 201), format="json"
    )

    assert (
        response.json()["fields"]["purpose"][0]["message"] == "请确保这个字段不能超过 200 个字符。"
    )


def test_an_unknown_path_answers_in_english_on_request(world):
    response = client_for(world.researcher).get("/api/nothing/", HTTP_ACCEPT_LANGUAGE="en")

    assert response.json() == {"code": "not_found", "message": "Not found."}


# --- Django's own error pages under /api/ -------------------------------------------------


@pytest.mark.parametrize(
    ("status", "code"),
    [(400, "invalid"), (403, "permission_denied"), (404, "not_found"), (500, "server_error")],
)
def test_django_error_pages_under_api_are_json(status, code):
    handler = get_resolver().resolve_error_handler(status)
    request = RequestFactory().get("/api/v1/bookings/")

    response = handler(request) if status == 500 else handler(request, Exception("boom"))

    assert response.status_code == status
    body = json.loads(response.content)
    assert body["code"] == code
    assert body["message"]
    assert "boom" not in response.content.decode()


def test_django_error_pages_elsewhere_stay_html():
    handler = get_resolver().resolve_error_handler(404)
    request = RequestFactory().get("/admin/nothing/")

    response = handler(request, Exception("boom"))

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
