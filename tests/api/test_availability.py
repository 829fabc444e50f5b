"""GET /api/v1/resources/{id}/availability/?from=&to=."""

from __future__ import annotations

import pytest

from tests.api.world import World, client_for, world_build
from tests.conftest import local
from tests.factories import BookingFactory, ClosureFactory, ResourceFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]


@pytest.fixture
def world() -> World:
    return world_build()


def url(resource) -> str:
    return f"/api/v1/resources/{resource.pk}/availability/"


def span(start: str, end: str) -> dict[str, str]:
    return {"start": f"2026-11-{start}:00+08:00", "end": f"2026-11-{end}:00+08:00"}


def test_availability_shows_open_busy_and_free_time_in_local_time(world):
    BookingFactory(
        resource=world.resource,
        member=world.other_researcher,
        start=local(2026, 11, 24, 10),
        end=local(2026, 11, 24, 11),
        purpose="秘密课题",
    )
    ClosureFactory(
        resource=world.resource,
        start=local(2026, 11, 24, 18),
        end=local(2026, 11, 24, 20),
        reason="设备维护",
    )

    response = client_for(world.researcher).get(
        url(world.resource), {"from": "2026-11-24", "to": "2026-11-24"}
    )

    assert response.status_code == 200
    assert response.json() == {
        "resource": world.resource.pk,
        "timezone": "Asia/Shanghai",
        "open": [span("24T08:00", "24T18:00")],
        "busy": [span("24T10:00", "24T11:00")],
        "free": [span("24T08:00", "24T10:00"), span("24T11:00", "24T18:00")],
        "start_times": None,  # with a duration only (tests/api/test_start_times.py)
    }
    assert "秘密课题" not in response.content.decode()
    assert "王研究员" not in response.content.decode()


def test_both_dates_are_included_and_free_time_starts_after_the_notice(world):
    response = client_for(world.researcher).get(
        url(world.resource), {"from": "2026-11-23", "to": "2026-11-24"}
    )

    body = response.json()
    assert body["open"] == [span("23T08:00", "23T20:00"), span("24T08:00", "24T20:00")]
    assert body["busy"] == []
    # Now is 08:00 on the 23rd and the resource needs an hour's notice.
    assert body["free"] == [span("23T09:00", "23T20:00"), span("24T08:00", "24T20:00")]


def test_round_the_clock_hours_run_across_midnight(world):
    resource = ResourceFactory(hours=[(d, "00:00", "00:00") for d in range(7)])

    body = (
        client_for(world.researcher)
        .get(url(resource), {"from": "2026-11-28", "to": "2026-11-29"})
        .json()
    )

    assert body["open"] == [
        {"start": "2026-11-28T00:00:00+08:00", "end": "2026-11-30T00:00:00+08:00"}
    ]


def test_a_retired_resource_s_calendar_can_still_be_read(world):
    retired = ResourceFactory(is_retired=True)

    response = client_for(world.researcher).get(
        url(retired), {"from": "2026-11-24", "to": "2026-11-24"}
    )

    assert response.status_code == 200


def test_sixty_two_days_are_allowed(world):
    response = client_for(world.researcher).get(
        url(world.resource), {"from": "2026-11-23", "to": "2027-01-23"}
    )

    assert response.status_code == 200


@pytest.mark.parametrize(
    ("params", "code", "field", "field_code"),
    [
        ({}, "invalid", "from", "required"),
        ({"from": "2026-11-24"}, "invalid", "to", "required"),
        ({"from": "24/11/2026", "to": "2026-11-24"}, "invalid", "from", "invalid"),
        ({"from": "2026-02-30", "to": "2026-03-01"}, "invalid", "from", "invalid"),
        ({"from": "2026-11-24T10:00", "to": "2026-11-24"}, "invalid", "from", "invalid"),
        ({"from": "0001-01-01", "to": "2026-11-24"}, "invalid", "from", "out_of_range"),
        ({"from": "2026-11-24", "to": "9999-12-31"}, "invalid", "to", "out_of_range"),
        ({"from": "2026-11-25", "to": "2026-11-24"}, "invalid_range", "to", "invalid_range"),
        ({"from": "2026-11-23", "to": "2027-01-24"}, "range_too_long", "to", "range_too_long"),
    ],
)
def test_missing_garbled_or_absurd_dates_are_400(world, params, code, field, field_code):
    response = client_for(world.researcher).get(url(world.resource), params)

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == code
    assert body["fields"][field][0]["code"] == field_code
    assert body["message"]


def test_the_range_message_names_the_limit_in_english_on_request(world):
    response = client_for(world.researcher).get(
        url(world.resource),
        {"from": "2026-11-23", "to": "2027-06-01"},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.json()["message"] == "The date range may span at most 62 days."


def test_an_unknown_resource_is_404(world):
    response = client_for(world.researcher).get(
        "/api/v1/resources/999999/availability/", {"from": "2026-11-24", "to": "2026-11-24"}
    )

    assert response.status_code == 404


def test_availability_runs_a_fixed_number_of_queries(world, django_assert_max_num_queries):
    for day in range(23, 28):
        for hour in (9, 12, 15):
            BookingFactory(
                resource=world.resource,
                member=world.researcher,
                start=local(2026, 11, day, hour),
                end=local(2026, 11, day, hour + 1),
            )
    client = client_for(world.researcher)

    with django_assert_max_num_queries(7):
        response = client.get(url(world.resource), {"from": "2026-11-23", "to": "2027-01-23"})

    assert len(response.json()["busy"]) == 15
