"""Service modes through the API (issue 10): booking self-use or assisted use with an
operator, what a booking and a resource say of them, and how managers set them."""

from __future__ import annotations

import pytest

from bookings.models import Booking
from resources.models import Resource
from tests.api.world import World, client_for, world_build
from tests.factories import MemberFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]

BOOKINGS = "/api/v1/bookings/"
RESOURCES = "/api/v1/resources/"


@pytest.fixture
def world() -> World:
    return world_build()


@pytest.fixture
def operator(world):
    """An operator of the other unit's resource, which then offers assisted use too."""
    resource = world.other_resource
    resource.offers_assisted = True
    resource.requires_qualification = True
    resource.assisted_min_notice_minutes = 60
    resource.save()
    person = MemberFactory(unit=resource.unit, name="钱工程师")
    resource.operators.add(person)
    return person


def booking_of(world, **extra):
    return {
        "resource": world.other_resource.pk,
        "start": "2026-11-24T09:00:00+08:00",
        "end": "2026-11-24T10:00:00+08:00",
        "purpose": "委托测样",
        **extra,
    }


def test_an_unqualified_member_books_assisted_use_and_the_booking_names_the_operator(
    world, operator
):
    client = client_for(world.researcher)
    refused = client.post(BOOKINGS, booking_of(world), format="json")
    assert (refused.status_code, refused.json()["code"]) == (400, "not_qualified")

    response = client.post(BOOKINGS, booking_of(world, mode="assisted"), format="json")

    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["mode"], body["operator"], body["operator_name"]) == (
        "assisted",
        operator.pk,
        "钱工程师",
    )
    listed = client.get(BOOKINGS).json()["results"][0]
    assert (listed["mode"], listed["operator_name"]) == ("assisted", "钱工程师")


def test_a_self_use_booking_says_so(world):
    response = client_for(world.researcher).post(BOOKINGS, booking_of(world), format="json")
    assert response.status_code == 201, response.json()
    assert (response.json()["mode"], response.json()["operator"]) == ("self_use", None)


@pytest.mark.parametrize(
    ("extra", "status", "code"),
    [
        ({"mode": "teleport"}, 400, "invalid"),
        ({"mode": "sample"}, 400, "invalid"),
        ({"mode": "assisted", "operator_id": 999_999}, 400, "operator_not_eligible"),
        ({"mode": "assisted", "operator_id": "x"}, 400, "invalid"),
        ({"operator_id": 1}, 400, "operator_not_for_self_use"),
    ],
)
def test_bad_modes_and_operators_are_clear_errors_and_write_nothing(
    world, operator, extra, status, code
):
    response = client_for(world.researcher).post(
        BOOKINGS, booking_of(world, **extra), format="json"
    )
    assert (response.status_code, response.json()["code"]) == (status, code)
    assert Booking.objects.count() == 0


def test_a_busy_operator_is_409(world, operator):
    client_for(world.researcher).post(BOOKINGS, booking_of(world, mode="assisted"), format="json")
    second = client_for(world.other_researcher).post(
        BOOKINGS,
        booking_of(world, mode="assisted", operator_id=operator.pk, attendees=1),
        format="json",
    )
    # The slot is taken on this resource: the resource's conflict comes first.
    assert second.status_code == 409
    assert Booking.objects.count() == 1


def test_assisted_use_on_a_resource_that_does_not_offer_it_is_refused(world):
    response = client_for(world.researcher).post(
        BOOKINGS, booking_of(world, mode="assisted"), format="json"
    )
    assert (response.status_code, response.json()["code"]) == (400, "mode_not_offered")


def test_the_resource_says_its_modes_and_only_its_managers_see_the_operators(world, operator):
    url = f"{RESOURCES}{world.other_resource.pk}/"
    seen = client_for(world.researcher).get(url).json()
    assert seen["service_modes"] == ["self_use", "assisted"]
    assert seen["assisted_min_notice_minutes"] == 60
    assert seen["sample_turnaround_days"] == 7
    assert seen["sample_instructions"] == ""
    assert seen["operators"] is None
    for manager in (world.other_manager, world.secretariat):
        operators = client_for(manager).get(url).json()["operators"]
        assert operators == [{"id": operator.pk, "name": "钱工程师", "is_active": True}]
    catalogue = client_for(world.researcher).get(RESOURCES).json()["results"]
    assert {r["id"]: r["service_modes"] for r in catalogue}[world.other_resource.pk] == [
        "self_use",
        "assisted",
    ]


def test_managers_set_the_modes_and_operators_of_their_resources(world):
    person = MemberFactory(unit=world.other_manager.unit)
    url = f"{RESOURCES}{world.other_resource.pk}/"
    response = client_for(world.other_manager).patch(
        url,
        {
            "offers_assisted": True,
            "assisted_min_notice_minutes": 120,
            "offers_samples": True,
            "sample_turnaround_days": 5,
            "sample_instructions": "每份样品不少于 5 mg",
            "operator_ids": [person.pk, person.pk],
        },
        format="json",
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["service_modes"] == ["self_use", "assisted", "sample"]
    assert [o["id"] for o in body["operators"]] == [person.pk]
    resource = Resource.objects.get(pk=world.other_resource.pk)
    assert (resource.assisted_min_notice_minutes, resource.sample_turnaround_days) == (120, 5)


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"offers_self_use": False}, "no_service_mode"),
        ({"operator_ids": ["stranger"]}, "operators_invalid"),
        ({"operator_ids": ["inactive"]}, "operators_invalid"),
        ({"sample_turnaround_days": 0}, "invalid"),
    ],
)
def test_bad_mode_settings_are_refused_and_change_nothing(world, change, code):
    people = {
        "stranger": MemberFactory().pk,
        "inactive": MemberFactory(unit=world.other_manager.unit, is_active=False).pk,
    }
    if "operator_ids" in change:
        change = {"operator_ids": [people[name] for name in change["operator_ids"]]}
    before = Resource.objects.get(pk=world.other_resource.pk).updated_at
    response = client_for(world.other_manager).patch(
        f"{RESOURCES}{world.other_resource.pk}/", change, format="json"
    )
    assert (response.status_code, response.json()["code"]) == (400, code)
    resource = Resource.objects.get(pk=world.other_resource.pk)
    assert resource.updated_at == before
    assert resource.offers_self_use
    assert not resource.operators.exists()


def test_a_new_resource_takes_its_modes_and_operators(world):
    person = MemberFactory(unit=world.manager.unit)
    response = client_for(world.manager).post(
        RESOURCES,
        {
            "unit": world.manager.unit_id,
            "kind": "equipment",
            "name": "液相色谱质谱联用仪",
            "offers_self_use": False,
            "offers_assisted": True,
            "operator_ids": [person.pk],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["service_modes"] == ["assisted"]
    assert [o["id"] for o in response.json()["operators"]] == [person.pk]


def test_a_manager_books_assisted_use_on_behalf_of_a_member(world, operator):
    response = client_for(world.other_manager).post(
        BOOKINGS,
        booking_of(world, mode="assisted", operator_id=operator.pk, member=world.researcher.pk),
        format="json",
    )
    assert response.status_code == 201, response.json()
    booking = Booking.objects.get()
    assert (booking.member, booking.mode, booking.operator) == (
        world.researcher,
        "assisted",
        operator,
    )
    assert booking.events.get().actor == world.other_manager
