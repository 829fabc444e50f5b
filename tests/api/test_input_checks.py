"""Input checks found wanting by fuzzing the API against its own OpenAPI schema.

Schemathesis, run against a live server with the seeded demo data, found no 500 but found
answers that broke the documented contract: nested validation errors whose shape the schema
did not allow, malformed ``page``/``page_size`` quietly ignored, pages past the end and
unknown feed resources answering undocumented 404s, and numbers accepted where text was
documented. Each test pins one of those down: a clear 4xx with a code, the documented shape,
and nothing written.
"""

from __future__ import annotations

import json

import jsonschema
import pytest
from rest_framework.test import APIClient

from alliance.models import ApiToken, Member
from bookings.models import Booking, BookingEvent, BookingStatus
from resources.models import OpeningHours, Resource
from tests import wechat_fake
from tests.api.helpers import api_client
from tests.api.world import World, client_for, world_build
from tests.conftest import local
from tests.factories import BookingFactory, UnitFactory

wechat_server = wechat_fake.wechat_server

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]

LISTS = [
    "/api/v1/units/",
    "/api/v1/resources/",
    "/api/v1/bookings/",
    "/api/v1/approvals/",
    "/api/v1/notifications/",
]


@pytest.fixture
def world() -> World:
    return world_build()


@pytest.fixture(scope="module")
def schema(django_db_blocker) -> dict:
    with django_db_blocker.unblock():
        response = APIClient().get("/api/schema/", {"format": "json"})
    return json.loads(response.content)


def assert_matches_documented_error(schema: dict, body: dict) -> None:
    """``body`` validates against the schema's Error component, references and all."""
    document = {"$ref": "#/components/schemas/Error", "components": schema["components"]}
    jsonschema.Draft7Validator(document).validate(body)


def a_booking(world: World) -> Booking:
    return BookingFactory(
        member=world.researcher,
        resource=world.resource,
        start=local(2026, 11, 24, 10),
        end=local(2026, 11, 24, 11),
    )


# --- Nested validation errors have the documented shape -----------------------------------


def test_a_bad_item_of_a_list_field_is_reported_in_the_documented_shape(world, schema):
    resources_before = Resource.objects.count()

    response = client_for(world.manager).post(
        "/api/v1/resources/",
        {
            "unit": world.manager.unit_id,
            "kind": "lab",
            "name": "新实验室",
            "allowed_units": [1, "x"],
        },
        format="json",
    )

    assert response.status_code == 400
    body = response.json()
    assert body["fields"]["allowed_units"]["1"][0]["code"] == "invalid"
    assert_matches_documented_error(schema, body)
    assert Resource.objects.count() == resources_before


def test_bad_opening_windows_are_reported_by_index_in_the_documented_shape(world, schema):
    windows = [
        {"weekday": 0, "start": "08:00", "end": "12:00"},
        {"weekday": 1, "start": "24:00", "end": "24:00"},
    ]
    hours_before = list(OpeningHours.objects.filter(resource=world.resource).values())

    response = client_for(world.manager).put(
        f"/api/v1/resources/{world.resource.pk}/opening-hours/", windows, format="json"
    )

    assert response.status_code == 400
    body = response.json()
    assert body["fields"]["1"]["start"][0]["code"] == "end_of_day"
    assert_matches_documented_error(schema, body)
    assert list(OpeningHours.objects.filter(resource=world.resource).values()) == hours_before


def test_flat_field_errors_still_match_the_documented_shape(world, schema):
    response = client_for(world.researcher).post("/api/v1/bookings/", {}, format="json")

    assert response.status_code == 400
    assert_matches_documented_error(schema, response.json())


# --- page and page_size are checked -------------------------------------------------------


@pytest.mark.parametrize("url", LISTS)
@pytest.mark.parametrize("parameter", ["page", "page_size"])
@pytest.mark.parametrize("value", ["null", "abc", "0", "-1", "1.5", "9" * 2000])
def test_a_page_or_page_size_that_is_not_a_positive_whole_number_is_400(
    world, url, parameter, value
):
    response = client_for(world.secretariat).get(url, {parameter: value})

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert list(body["fields"]) == [parameter]


def test_a_page_size_above_the_limit_is_served_at_the_limit(world):
    UnitFactory.create_batch(100)

    response = client_for(world.secretariat).get("/api/v1/units/", {"page_size": 10**6})

    assert response.status_code == 200
    assert len(response.json()["results"]) == 100
    assert response.json()["count"] == 103


def test_an_empty_page_or_page_size_means_the_default(world):
    response = client_for(world.secretariat).get("/api/v1/units/", {"page": "", "page_size": ""})

    assert response.status_code == 200
    assert len(response.json()["results"]) == 3


@pytest.mark.parametrize("url", [*LISTS, "/api/v1/resources/{resource_id}/closures/"])
def test_paginated_lists_document_400_for_bad_paging_and_404_past_the_end(schema, url):
    operation = schema["paths"][url]["get"]

    assert {"400", "404"} <= set(operation["responses"])
    paging = {p["name"]: p["schema"] for p in operation["parameters"] if p["in"] == "query"}
    assert paging["page"]["minimum"] == 1
    assert paging["page_size"]["minimum"] == 1


# --- The calendar feed reset documents all its answers ------------------------------------


def test_a_feed_for_an_unknown_resource_is_a_documented_404(world, schema):
    response = client_for(world.manager).post(
        "/api/v1/calendar-feeds/", {"resource": 2**63 - 2}, format="json"
    )

    assert (response.status_code, response.json()["code"]) == (404, "not_found")
    documented = schema["paths"]["/api/v1/calendar-feeds/"]["post"]["responses"]
    assert {"201", "400", "401", "403", "404"} <= set(documented)
    assert_matches_documented_error(schema, response.json())


# --- Text must be sent as text ------------------------------------------------------------


@pytest.mark.parametrize("name", [0, 1.5, ["某人"], {"x": 1}, True])
def test_a_member_name_that_is_not_text_is_400_and_creates_no_member(world, name):
    members_before = Member.objects.count()

    response = client_for(world.secretariat).post(
        "/api/v1/members/",
        {"unit": world.manager.unit_id, "name": name, "role": "researcher"},
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["fields"]["name"][0]["code"] == "invalid"
    assert Member.objects.count() == members_before


def test_a_cancel_reason_that_is_not_text_is_400_and_the_booking_stays(world):
    booking = a_booking(world)
    status_before = booking.status

    response = client_for(world.researcher).post(
        f"/api/v1/bookings/{booking.pk}/cancel/", {"reason": 3022844410343}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["fields"]["reason"][0]["code"] == "invalid"
    booking.refresh_from_db()
    assert booking.status == status_before != BookingStatus.CANCELLED
    assert not BookingEvent.objects.filter(booking=booking).exists()


def test_a_wechat_code_that_is_not_text_is_400_without_asking_wechat(wechat_server):
    response = api_client().post("/api/v1/auth/wechat-login/", {"code": 0}, format="json")

    assert response.status_code == 400
    assert response.json()["fields"]["code"][0]["code"] == "invalid"
    assert wechat_server.requests == []
    assert not ApiToken.objects.exists()


def test_subscription_template_ids_that_are_not_text_are_400_in_the_documented_shape(world, schema):
    response = client_for(world.researcher).post(
        "/api/v1/notifications/subscriptions/", {"accepted": ["tpl-1", 0]}, format="json"
    )

    assert response.status_code == 400
    body = response.json()
    assert body["fields"]["accepted"]["1"][0]["code"] == "invalid"
    assert_matches_documented_error(schema, body)


# --- Unknown keys are refused, not ignored ------------------------------------------------


def test_a_booking_with_an_unknown_field_is_refused_naming_it_and_nothing_is_booked(world, schema):
    body = {
        "resource": world.other_resource.pk,
        "start": "2026-11-24T10:00",
        "end": "2026-11-24T11:00",
        "purpose": "组会",
        "attendee": 3,  # misspelt: attendees
        "note": "x",
    }

    response = client_for(world.researcher).post("/api/v1/bookings/", body, format="json")

    assert response.status_code == 400
    answer = response.json()
    assert answer["code"] == "unknown_field"
    assert answer["message"] == "请求中含有此接口不接受的字段。"
    assert answer["fields"] == {
        "attendee": [{"code": "unknown_field", "message": "请求中含有此接口不接受的字段。"}],
        "note": [{"code": "unknown_field", "message": "请求中含有此接口不接受的字段。"}],
    }
    assert_matches_documented_error(schema, answer)
    assert not Booking.objects.exists()


def test_an_unknown_field_of_one_opening_window_is_reported_by_index(world, schema):
    windows = [
        {"weekday": 0, "start": "08:00", "end": "12:00"},
        {"weekday": 1, "start": "08:00", "end": "12:00", "open": True},
    ]
    hours_before = list(OpeningHours.objects.filter(resource=world.resource).values())

    response = client_for(world.manager).put(
        f"/api/v1/resources/{world.resource.pk}/opening-hours/", windows, format="json"
    )

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "unknown_field"
    assert body["fields"]["1"]["open"][0]["code"] == "unknown_field"
    assert_matches_documented_error(schema, body)
    assert list(OpeningHours.objects.filter(resource=world.resource).values()) == hours_before


def test_unknown_fields_come_before_bad_values_and_the_answer_names_them(world):
    response = client_for(world.secretariat).post(
        "/api/v1/members/", {"unit": "x", "name": "", "role": "boss", "email": "a@b"}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["code"] == "unknown_field"
    assert list(response.json()["fields"]) == ["email"]


def test_nested_unknown_fields_beside_bad_values_are_invalid_with_both_reported(world):
    windows = [{"weekday": 9, "start": "08:00", "end": "12:00"}, {"weekday": 1, "x": 1}]

    response = client_for(world.manager).put(
        f"/api/v1/resources/{world.resource.pk}/opening-hours/", windows, format="json"
    )

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert body["fields"]["0"]["weekday"][0]["code"] == "invalid_choice"
    assert body["fields"]["1"]["x"][0]["code"] == "unknown_field"


def test_every_request_body_of_the_schema_is_closed_to_unknown_fields(schema):
    bodies = [
        content["schema"]  # JSON, and multipart for the photo upload and the import
        for path in schema["paths"].values()
        for operation in path.values()
        if "requestBody" in operation
        for media_type, content in operation["requestBody"]["content"].items()
        if media_type in ("application/json", "multipart/form-data")
    ]
    components = schema["components"]["schemas"]

    assert bodies
    for body in bodies:
        body = body.get("items", body)  # a list of opening windows
        name = body["$ref"].rsplit("/", 1)[1]
        assert components[name]["additionalProperties"] is False, name


@pytest.mark.parametrize("url", LISTS)
def test_a_list_refuses_a_query_parameter_it_does_not_know(world, url):
    response = client_for(world.secretariat).get(url, {"pagee": "2", "page": "1"})

    assert response.status_code == 400
    assert response.json()["code"] == "unknown_field"
    assert list(response.json()["fields"]) == ["pagee"]


def test_a_list_still_takes_its_own_filters_and_paging(world):
    response = client_for(world.secretariat).get(
        "/api/v1/bookings/", {"status": "approved", "from": "2026-11-23", "page_size": "5"}
    )

    assert response.status_code == 200


def test_availability_refuses_a_query_parameter_it_does_not_know(world):
    response = client_for(world.researcher).get(
        f"/api/v1/resources/{world.resource.pk}/availability/",
        {"from": "2026-11-23", "to": "2026-11-24", "days": "7"},
    )

    assert response.status_code == 400
    assert response.json()["code"] == "unknown_field"
    assert list(response.json()["fields"]) == ["days"]


# --- Blank text: the schema says what the API refuses -------------------------------------


@pytest.mark.parametrize("purpose", ["", "   ", "\n\t"])
def test_a_blank_purpose_is_refused_and_the_schema_says_it_must_not_be_blank(
    world, schema, purpose
):
    response = client_for(world.researcher).post(
        "/api/v1/bookings/",
        {
            "resource": world.other_resource.pk,
            "start": "2026-11-24T10:00",
            "end": "2026-11-24T11:00",
            "purpose": purpose,
        },
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["fields"]["purpose"][0]["code"] == "blank"
    assert not Booking.objects.exists()
    documented = schema["components"]["schemas"]["BookingCreateInput"]["properties"]["purpose"]
    assert documented["minLength"] == 1
    assert not jsonschema.Draft7Validator(documented).is_valid(purpose)


def test_every_required_text_of_a_request_body_is_documented_as_not_blank(schema):
    components = schema["components"]["schemas"]
    inputs = [
        name for name, body in components.items() if body.get("additionalProperties") is False
    ]
    required_texts = [
        (name, field, components[name]["properties"][field])
        for name in inputs
        for field in components[name].get("required", [])
        if components[name]["properties"][field].get("type") == "string"
        and "format" not in components[name]["properties"][field]  # a date-time is never blank
    ]

    assert ("BookingCreateInput", "purpose") in [(name, field) for name, field, _ in required_texts]
    for name, field, documented in required_texts:
        not_blank = documented.get("minLength", 0) >= 1 or "pattern" in documented
        assert not_blank, f"{name}.{field} may be blank"


def test_a_password_may_be_spaces_but_not_empty_as_documented(schema):
    documented = schema["components"]["schemas"]["PasswordLoginInput"]["properties"]

    assert documented["password"]["minLength"] == 1
    assert "pattern" not in documented["password"]  # passwords are not trimmed
    assert documented["username"]["pattern"] == r"\S"


# --- Query flags are booleans -------------------------------------------------------------


@pytest.mark.parametrize("value", ["abc", "True", "1", "yes", "ture"])
def test_include_retired_that_is_not_true_or_false_is_400(world, value):
    response = client_for(world.researcher).get("/api/v1/resources/", {"include_retired": value})

    assert response.status_code == 400
    assert response.json()["fields"]["include_retired"][0]["code"] == "invalid"


def test_include_retired_is_documented_as_a_boolean(schema):
    parameters = schema["paths"]["/api/v1/resources/"]["get"]["parameters"]

    documented = next(p for p in parameters if p["name"] == "include_retired")
    assert documented["schema"] == {"type": "boolean"}


# --- Query parameters of the wrong type are refused, naming the parameter -----------------


@pytest.mark.parametrize(
    ("url", "parameter", "value"),
    [
        ("/api/v1/bookings/", "resource", "abc"),
        ("/api/v1/bookings/", "unit", "1.5"),
        ("/api/v1/bookings/", "booking_unit", "9" * 30),
        ("/api/v1/bookings/", "from", "tomorrow"),
        ("/api/v1/bookings/", "status", "done"),
        ("/api/v1/resources/", "unit", "-1"),
        ("/api/v1/resources/", "free_from", "2026-13-01"),
        ("/api/v1/resources/", "kind", "car"),
    ],
)
def test_a_filter_of_the_wrong_type_or_out_of_range_is_400_naming_it(world, url, parameter, value):
    response = client_for(world.secretariat).get(url, {parameter: value})

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert parameter in response.json()["fields"]


def test_a_search_longer_than_documented_is_400_and_the_schema_gives_the_limit(world, schema):
    parameters = schema["paths"]["/api/v1/resources/"]["get"]["parameters"]
    limit = next(p for p in parameters if p["name"] == "q")["schema"]["maxLength"]

    at_limit = client_for(world.researcher).get("/api/v1/resources/", {"q": "电" * limit})
    over = client_for(world.researcher).get("/api/v1/resources/", {"q": "电" * (limit + 1)})

    assert at_limit.status_code == 200
    assert over.status_code == 400
    assert over.json()["fields"]["q"][0]["code"] == "max_length"
