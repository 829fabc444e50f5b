"""config.log_filters: expected refusals are not logged one WARNING each (a rush of 1,500
attempts wrote 1,400 lines); real errors keep their ERROR and their traceback."""

from __future__ import annotations

import logging

import pytest
from django.test import Client

from bookings.models import Booking
from tests.api.world import World, client_for, world_build

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]

BOOKING = {
    "start": "2026-11-24T10:00:00+08:00",
    "end": "2026-11-24T11:00:00+08:00",
    "purpose": "报告会",
}


@pytest.fixture
def world() -> World:
    return world_build()


def warnings_and_errors(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.levelno >= logging.WARNING]


def test_a_conflict_in_a_rush_logs_no_warning(world, caplog):
    body = {"resource": world.other_resource.pk, **BOOKING}
    assert (
        client_for(world.researcher).post("/api/v1/bookings/", body, format="json").status_code
        == 201
    )

    responses = [
        client_for(world.other_researcher).post("/api/v1/bookings/", body, format="json")
        for _ in range(5)
    ]

    assert [r.status_code for r in responses] == [409] * 5
    assert Booking.objects.count() == 1
    assert warnings_and_errors(caplog) == []


def test_a_broken_rule_and_other_refusals_log_no_warning(world, caplog):
    client = client_for(world.researcher)
    in_the_past = {**BOOKING, "start": "2026-11-20T10:00:00+08:00", "end": "2026-11-20T11:00"}

    statuses = [
        client.post(
            "/api/v1/bookings/", {"resource": world.other_resource.pk, **in_the_past}, format="json"
        ).status_code,
        client_for(None).get("/api/v1/me/").status_code,
        client.get("/api/v1/bookings/999999/").status_code,
        client.post(
            "/api/v1/members/",
            {"unit": world.researcher.unit_id, "name": "某人", "role": "researcher"},
            format="json",
        ).status_code,
    ]

    assert statuses == [400, 401, 404, 403]
    assert warnings_and_errors(caplog) == []


def test_refusals_are_still_there_at_debug_level(world, caplog):
    with caplog.at_level(logging.DEBUG, logger="django.request"):
        client_for(None).get("/api/v1/me/")

    (record,) = [r for r in caplog.records if r.name == "django.request"]
    assert (record.levelname, record.status_code) == ("DEBUG", 401)


@pytest.mark.urls("tests.config.crash_urls")
def test_a_real_error_still_logs_an_error_with_its_traceback(caplog):
    response = Client(raise_request_exception=False).get("/test-crash/")

    assert response.status_code == 500
    (record,) = [r for r in caplog.records if r.name == "django.request"]
    assert record.levelno == logging.ERROR
    assert record.exc_info is not None
