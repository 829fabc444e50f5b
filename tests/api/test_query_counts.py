"""A fixed, small number of queries per request on the booking rush's paths, whatever the
resource's history (docs/performance.md).

Counted through the API with a real bearer token, so the token check is included. The test
database wraps each test in a transaction, so a create's own transaction shows as a
SAVEPOINT and a RELEASE; in production Django logs BEGIN and COMMIT in their place, so the
counts are the same there.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from tests.api.world import client_for, world_build
from tests.conftest import local
from tests.factories import BookingFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]

BOOKINGS = "/api/v1/bookings/"
#: The token (1); the member's booking ceiling, one upsert of its counter (1); the resource
#: with its allow-list probe, then its weekly hours, make-up days, closures and blocking
#: bookings a day either side of the slot as one UNION ALL: on PostgreSQL two statements
#: sent as one (1), elsewhere one each (2) (bookings.window_reads).
REFUSED = 3 if connection.vendor == "postgresql" else 4
#: REFUSED + SAVEPOINT, the row lock (with its lock timeout), RELEASE, and between them on
#: PostgreSQL one statement that re-checks the slot and inserts the booking and its history
#: entry (bookings.services._insert_if_free) and marks the figures' days, elsewhere those
#: four one by one (the marker: bookings.figures.rollup).
APPROVED = REFUSED + (4 if connection.vendor == "postgresql" else 7)
#: APPROVED + the deciders and their inbox entries in one INSERT.
PENDING = APPROVED + 2


@pytest.fixture
def world():
    world = world_build()
    # A history to show that nothing grows with it: two past bookings a day for 60 days.
    for resource in (world.resource, world.other_resource):
        for day in range(60):
            start = local(2026, 9, 1, 9) + dt.timedelta(days=day)
            BookingFactory(
                resource=resource,
                member=world.other_researcher,
                start=start,
                end=start + dt.timedelta(hours=1),
                status="completed",
            )
    return world


def body(resource, hour=10):
    return {
        "resource": resource.pk,
        "start": f"2026-11-24T{hour}:00:00+08:00",
        "end": f"2026-11-24T{hour}:30:00+08:00",
        "purpose": "冷冻电镜样品观察",
    }


@pytest.fixture
def client(world):
    client = client_for(world.researcher)
    client.get("/api/v1/me/")  # records last_used_at (a once-a-minute write), not counted
    return client


def test_an_approved_create_takes_a_fixed_number_of_queries(
    world, client, django_assert_num_queries
):
    with django_assert_num_queries(APPROVED):
        response = client.post(BOOKINGS, body(world.other_resource), format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["status"] == "approved"


def test_a_pending_create_tells_the_deciders_in_a_fixed_number_of_queries(
    world, client, django_assert_num_queries
):
    with django_assert_num_queries(PENDING):
        response = client.post(BOOKINGS, body(world.resource), format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["status"] == "pending"


def test_a_refused_create_answers_with_alternatives_in_a_fixed_number_of_queries(
    world, client, django_assert_num_queries
):
    assert client.post(BOOKINGS, body(world.other_resource), format="json").status_code == 201

    # + 1: the similar resources looked for (issue 12, bookings.similar); there are none.
    with django_assert_num_queries(REFUSED + 1):
        response = client.post(BOOKINGS, body(world.other_resource), format="json")

    assert response.status_code == 409
    assert response.json()["code"] == "conflict"
    assert len(response.json()["alternatives"]) == 3


def test_an_unknown_resource_is_a_bad_field_after_one_read(
    world, client, django_assert_num_queries
):
    with django_assert_num_queries(3):  # the token, the booking ceiling, the resource
        response = client.post(
            BOOKINGS, {**body(world.resource), "resource": 999999}, format="json"
        )
    assert response.status_code == 400
    assert response.json()["fields"]["resource"][0]["code"] == "does_not_exist"


def test_authenticated_me_is_one_query(client, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert client.get("/api/v1/me/").status_code == 200
