"""GET /api/v1/approvals/: what the caller may decide, oldest request first."""

from __future__ import annotations

import pytest
import time_machine

from bookings.models import BookingStatus
from tests.api.world import World, client_for, world_build
from tests.conftest import local
from tests.factories import BookingFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]

URL = "/api/v1/approvals/"


@pytest.fixture
def world() -> World:
    return world_build()


def pending(world, member, resource, *, day, requested_at, status=BookingStatus.PENDING):
    with time_machine.travel(requested_at, tick=False):
        return BookingFactory(
            member=member,
            resource=resource,
            start=local(2026, 11, day, 10),
            end=local(2026, 11, day, 11),
            status=status,
        )


@pytest.fixture
def requests(world):
    """Pending requests for both units' resources, made in an order unlike their dates."""
    return {
        "late_request": pending(
            world,
            world.other_researcher,
            world.resource,
            day=24,
            requested_at=local(2026, 11, 22, 12),
        ),
        "early_request": pending(
            world,
            world.researcher,
            world.resource,
            day=27,
            requested_at=local(2026, 11, 20, 9),
        ),
        "other_unit": pending(
            world,
            world.researcher,
            world.other_resource,
            day=25,
            requested_at=local(2026, 11, 21, 9),
        ),
        "decided": pending(
            world,
            world.researcher,
            world.resource,
            day=26,
            requested_at=local(2026, 11, 19, 9),
            status=BookingStatus.APPROVED,
        ),
    }


def queue(member) -> list[int]:
    response = client_for(member).get(URL)
    assert response.status_code == 200, response.json()
    return [row["id"] for row in response.json()["results"]]


def test_a_unit_manager_sees_pending_requests_for_their_unit_s_resources_oldest_first(
    world, requests
):
    assert queue(world.manager) == [requests["early_request"].pk, requests["late_request"].pk]
    assert queue(world.other_manager) == [requests["other_unit"].pk]


def test_the_secretariat_sees_every_pending_request(world, requests):
    assert queue(world.secretariat) == [
        requests["early_request"].pk,
        requests["other_unit"].pk,
        requests["late_request"].pk,
    ]


def test_researchers_have_nothing_to_decide(world, requests):
    assert queue(world.researcher) == []
    assert queue(world.other_researcher) == []


def test_a_decided_request_leaves_the_queue(world, requests):
    client_for(world.manager).post(f"/api/v1/bookings/{requests['early_request'].pk}/approve/")

    assert queue(world.manager) == [requests["late_request"].pk]


def test_the_queue_shows_who_asked_for_what(world, requests):
    row = client_for(world.manager).get(URL).json()["results"][0]

    assert row["member_name"] == "李研究员"
    assert row["resource_name"] == "冷冻电镜"
    assert row["created_at"] == "2026-11-20T09:00:00+08:00"


def test_the_queue_runs_a_fixed_number_of_queries(world, django_assert_max_num_queries):
    for day in range(24, 29):
        for hour in (8, 10, 12, 14):
            BookingFactory(
                member=world.other_researcher,
                resource=world.resource,
                start=local(2026, 11, day, hour),
                end=local(2026, 11, day, hour + 1),
                status=BookingStatus.PENDING,
            )
    client = client_for(world.manager)

    with django_assert_max_num_queries(6):
        response = client.get(URL)

    assert response.json()["count"] == 20
