"""GET /api/v1/resources/{id}/availability/?from=&to=&duration=: the bookable start times of
a slot of ``duration`` minutes, so the client never works out grids, buffers or hours.

The clock is frozen at Monday 2026-11-23 08:00 in Shanghai.
"""

from __future__ import annotations

import pytest

from tests.api.world import World, client_for, world_build
from tests.conftest import local
from tests.factories import BookingFactory, ClosureFactory, ResourceFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]


@pytest.fixture
def world() -> World:
    return world_build()


@pytest.fixture
def venue(world):
    """Open 08:00–12:00 and 14:00–18:00 on weekdays, one hour's clean-up after each booking."""
    return ResourceFactory(
        unit=world.other_resource.unit,
        name="学术报告厅",
        kind="venue",
        buffer_minutes=60,
        slot_minutes=60,
        min_duration_minutes=60,
        hours=[(d, "08:00", "12:00") for d in range(5)] + [(d, "14:00", "18:00") for d in range(5)],
    )


def starts(member, resource, day="2026-11-24", **params) -> list[str]:
    response = client_for(member).get(
        f"/api/v1/resources/{resource.pk}/availability/", {"from": day, "to": day, **params}
    )
    assert response.status_code == 200, response.json()
    return [moment[11:16] for moment in response.json()["start_times"]]


def test_start_times_follow_hours_the_lunch_break_bookings_and_their_buffer(world, venue):
    BookingFactory(
        resource=venue,
        member=world.other_researcher,
        start=local(2026, 11, 24, 9),
        end=local(2026, 11, 24, 10),
    )

    # 08:00 would end at 10:00, inside the 09:00 booking; after it, clean-up until 11:00.
    # 10:00–12:00 would run into the clean-up; nothing spans the lunch break.
    assert starts(world.researcher, venue, duration=120) == ["14:00", "15:00", "16:00"]
    # One hour: 08:00 must end an hour before 09:00 for the clean-up, so it cannot.
    assert starts(world.researcher, venue, duration=60) == [
        "11:00", "14:00", "15:00", "16:00", "17:00",
    ]  # fmt: skip


def test_start_times_keep_clear_of_closures_and_the_notice(world, venue):
    ClosureFactory(resource=venue, start=local(2026, 11, 23, 15), end=local(2026, 11, 23, 16))

    # Today at 08:00 with an hour's notice: from 09:00.
    assert starts(world.researcher, venue, day="2026-11-23", duration=60) == [
        "09:00", "10:00", "11:00", "14:00", "16:00", "17:00",
    ]  # fmt: skip


def test_a_slot_may_start_on_the_last_day_and_end_after_it(world):
    night = ResourceFactory(
        unit=world.resource.unit, hours=[(d, "00:00", "00:00") for d in range(7)], slot_minutes=60,
        min_duration_minutes=60,
    )  # fmt: skip

    assert starts(world.researcher, night, duration=120)[-1] == "23:00"


@pytest.mark.parametrize(
    ("duration", "code"),
    [("30", "too_short"), ("600", "too_long"), ("90", "not_on_slot_boundary")],
)
def test_a_duration_the_resource_never_takes_is_400_with_the_rule(world, venue, duration, code):
    response = client_for(world.researcher).get(
        f"/api/v1/resources/{venue.pk}/availability/",
        {"from": "2026-11-24", "to": "2026-11-24", "duration": duration},
    )

    assert response.status_code == 400
    assert response.json()["code"] == code


@pytest.mark.parametrize("duration", ["0", "1.5", "x", "99999999"])
def test_a_malformed_duration_is_400(world, venue, duration):
    response = client_for(world.researcher).get(
        f"/api/v1/resources/{venue.pk}/availability/",
        {"from": "2026-11-24", "to": "2026-11-24", "duration": duration},
    )

    assert response.status_code == 400
    assert "duration" in response.json()["fields"]


def test_start_times_take_no_more_queries_than_availability(
    world, venue, django_assert_num_queries
):
    client = client_for(world.researcher)
    url = f"/api/v1/resources/{venue.pk}/availability/"
    for day in range(20):
        BookingFactory(
            resource=venue,
            member=world.other_researcher,
            start=local(2026, 11, 24, 9) + day * (local(2026, 11, 25) - local(2026, 11, 24)),
            end=local(2026, 11, 24, 10) + day * (local(2026, 11, 25) - local(2026, 11, 24)),
        )
    client.get(url, {"from": "2026-11-24", "to": "2026-11-24"})
    # The token; the resource, its opening hours, make-up days, closures, bookings.
    with django_assert_num_queries(6) as plain:
        client.get(url, {"from": "2026-11-24", "to": "2026-12-20"})
    with django_assert_num_queries(len(plain.captured_queries)):
        response = client.get(url, {"from": "2026-11-24", "to": "2026-12-20", "duration": 60})
    assert response.status_code == 200
