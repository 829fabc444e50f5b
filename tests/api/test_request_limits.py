"""Bodies the API cannot take: too large (413 ``payload_too_large``) and nested too deeply
for the JSON decoder (400 ``parse_error``). Both were 500s, with DEBUG on and off; both are
refusals that write nothing and log no error."""

from __future__ import annotations

import logging

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from bookings.models import Booking
from tests.api.world import World, client_for, world_build

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]

LIMIT = 4096


@pytest.fixture
def world(settings) -> World:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = LIMIT
    return world_build()


@pytest.fixture(params=[False, True], ids=["DEBUG off", "DEBUG on"])
def debug(request, settings) -> bool:
    settings.DEBUG = request.param
    return request.param


def a_booking_body(world: World, purpose: str) -> bytes:
    return (
        f'{{"resource": {world.other_resource.pk}, "start": "2026-11-24T10:00:00+08:00", '
        f'"end": "2026-11-24T11:00:00+08:00", "purpose": "{purpose}"}}'
    ).encode()


def assert_nothing_went_wrong(caplog) -> None:
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_a_body_over_the_upload_limit_is_refused_as_too_large(world, debug, caplog):
    body = a_booking_body(world, "x" * LIMIT)

    response = client_for(world.researcher).post(
        "/api/v1/bookings/", body, content_type="application/json"
    )

    assert response.status_code == 413, response.content
    assert response.json()["code"] == "payload_too_large"
    assert not Booking.objects.exists()
    assert_nothing_went_wrong(caplog)


def test_a_body_just_under_the_limit_is_read(world, debug):
    body = a_booking_body(world, "x" * 100)
    assert len(body) < LIMIT

    response = client_for(world.researcher).post(
        "/api/v1/bookings/", body, content_type="application/json"
    )

    assert response.status_code == 201, response.content


DEEP_BODIES = {
    "unclosed arrays": b"[" * 100_000,
    "closed arrays": b"[" * 50_000 + b"]" * 50_000,
    "objects": b'{"a":' * 50_000 + b"1" + b"}" * 50_000,
}


@pytest.mark.parametrize("body", DEEP_BODIES.values(), ids=DEEP_BODIES)
def test_json_nested_too_deeply_is_a_parse_error(world, debug, body, caplog, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = None  # the depth, not the size, is under test

    response = client_for(world.researcher).post(
        "/api/v1/bookings/", body, content_type="application/json"
    )

    assert response.status_code == 400, response.content
    assert response.json()["code"] == "parse_error"
    assert not Booking.objects.exists()
    assert_nothing_went_wrong(caplog)


def test_a_back_office_form_over_the_limit_is_refused_as_too_large(world, settings):
    settings.DEBUG = False  # with DEBUG on Django shows its technical page instead
    user = get_user_model().objects.create_user("staff", password="pw", is_staff=True)
    client = Client()
    client.force_login(user)

    response = client.post("/admin/login/", {"username": "staff", "password": "x" * LIMIT})

    assert response.status_code == 413
    assert response["Content-Type"].startswith("text/plain")
