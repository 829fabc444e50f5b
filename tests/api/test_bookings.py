"""POST/GET /api/v1/bookings/ and the cancel, approve and reject actions."""

from __future__ import annotations

import pytest

from bookings.models import Booking, BookingEvent, BookingStatus
from tests.api.world import World, client_for, world_build
from tests.conftest import local
from tests.factories import BookingFactory, ResourceFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]

URL = "/api/v1/bookings/"


@pytest.fixture
def world() -> World:
    return world_build()


def booking_of(world: World, member=None, resource=None, day=24, hour=10, **kwargs) -> Booking:
    member = member or world.researcher
    return BookingFactory(
        member=member,
        resource=resource or world.resource,
        start=local(2026, 11, day, hour),
        end=local(2026, 11, day, hour + 1),
        **kwargs,
    )


def request_body(resource, **overrides) -> dict:
    return {
        "resource": resource.pk,
        "start": "2026-11-24T10:00:00+08:00",
        "end": "2026-11-24T11:30:00+08:00",
        "purpose": "冷冻电镜样品观察",
        **overrides,
    }


# --- Requesting a booking -----------------------------------------------------------------


def test_a_researcher_books_a_free_slot_and_gets_the_booking_back(world):
    response = client_for(world.researcher).post(
        URL, request_body(world.resource, attendees=3), format="json"
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    booking = Booking.objects.get()
    assert body == {
        "id": booking.pk,
        "resource": world.resource.pk,
        "resource_name": "冷冻电镜",
        "resource_unit": world.resource.unit_id,
        "member": world.researcher.pk,
        "member_name": "李研究员",
        "unit": world.researcher.unit_id,
        "unit_name": "南方科技大学",
        "start": "2026-11-24T10:00:00+08:00",
        "end": "2026-11-24T11:30:00+08:00",
        "purpose": "冷冻电镜样品观察",
        "attendees": 3,
        "status": "pending",
        "mode": "self_use",
        "operator": None,
        "operator_name": None,
        "checked_in_at": None,
        "checked_out_at": None,
        "cancelled_late": False,
        "created_at": "2026-11-23T08:00:00+08:00",
        "updated_at": "2026-11-23T08:00:00+08:00",
        "status_label": "待审批",
        "status_reason": "",
        "resource_location": "光明科学城",
        "can_cancel": True,
        "cancel_is_late": False,
        "can_check_in": False,
    }
    assert booking.start == local(2026, 11, 24, 10)
    assert booking.events.get().action == BookingEvent.Action.CREATED


def test_a_resource_without_approval_is_booked_as_approved(world):
    response = client_for(world.researcher).post(
        URL, request_body(world.other_resource), format="json"
    )

    assert response.status_code == 201
    assert response.json()["status"] == "approved"
    assert response.json()["attendees"] == 1


@pytest.mark.parametrize(
    ("start", "end"),
    [
        ("2026-11-24T10:00:00", "2026-11-24T11:30:00"),
        ("2026-11-24 10:00", "2026-11-24 11:30"),
        ("2026-11-24T02:00:00Z", "2026-11-24T03:30:00+00:00"),
    ],
)
def test_times_without_offset_mean_shanghai_and_any_offset_is_understood(world, start, end):
    response = client_for(world.researcher).post(
        URL, request_body(world.resource, start=start, end=end), format="json"
    )

    assert response.status_code == 201, response.json()
    assert response.json()["start"] == "2026-11-24T10:00:00+08:00"
    assert Booking.objects.get().end == local(2026, 11, 24, 11, 30)


def test_a_taken_slot_is_409_with_what_is_in_the_way_and_alternatives(world):
    booking_of(world, member=world.other_researcher, day=24, hour=10)

    response = client_for(world.researcher).post(URL, request_body(world.resource), format="json")

    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "conflict"
    assert body["conflicts"] == [
        {"start": "2026-11-24T10:00:00+08:00", "end": "2026-11-24T11:00:00+08:00"}
    ]
    assert body["alternatives"][0] == {
        "start": "2026-11-24T11:00:00+08:00",
        "end": "2026-11-24T12:30:00+08:00",
    }
    assert len(body["alternatives"]) == 3
    assert Booking.objects.count() == 1


def test_conflict_reveals_nobody_s_name_or_purpose(world):
    booking_of(world, member=world.other_researcher, day=24, hour=10, purpose="秘密课题")

    response = client_for(world.researcher).post(URL, request_body(world.resource), format="json")

    text = response.content.decode()
    assert "秘密课题" not in text
    assert "王研究员" not in text


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        (
            {"start": "2026-11-24T06:00:00+08:00", "end": "2026-11-24T07:00:00+08:00"},
            "outside_opening_hours",
        ),
        ({"start": "2026-11-24T10:00:00+08:00", "end": "2026-11-24T10:15:00+08:00"}, "too_short"),
        (
            {"start": "2026-11-23T08:30:00+08:00", "end": "2026-11-23T09:30:00+08:00"},
            "too_little_notice",
        ),
        ({"start": "2026-11-20T10:00:00+08:00", "end": "2026-11-20T11:00:00+08:00"}, "in_the_past"),
        (
            {"start": "2027-03-01T10:00:00+08:00", "end": "2027-03-01T11:00:00+08:00"},
            "too_far_ahead",
        ),
        (
            {"start": "2026-11-24T11:00:00+08:00", "end": "2026-11-24T10:00:00+08:00"},
            "invalid_interval",
        ),
        ({"attendees": 11}, "too_many_attendees"),
    ],
)
def test_a_broken_rule_is_400_with_the_scheduler_s_code(world, overrides, code):
    response = client_for(world.researcher).post(
        URL, request_body(world.resource, **overrides), format="json"
    )

    assert response.status_code == 400
    assert response.json()["code"] == code
    assert response.json()["message"]
    assert not Booking.objects.exists()


def test_a_retired_resource_cannot_be_booked(world):
    retired = ResourceFactory(unit=world.resource.unit, is_retired=True)

    response = client_for(world.researcher).post(URL, request_body(retired), format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "resource_retired"
    assert not Booking.objects.exists()


def test_rule_messages_follow_accept_language(world):
    response = client_for(world.researcher).post(
        URL,
        request_body(world.resource, attendees=11),
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.json()["message"] == "This resource takes at most 10 people."


# --- Listing and reading ------------------------------------------------------------------


@pytest.fixture
def bookings(world) -> dict[str, Booking]:
    """One booking per relationship to the researcher's unit (unit A):
    mine: the researcher's, of A's resource; colleague: A's manager's, of B's resource;
    visitor: B's researcher's, of A's resource; foreign: B's researcher's, of B's resource."""
    return {
        "mine": booking_of(world, world.researcher, world.resource, day=24),
        "colleague": booking_of(world, world.manager, world.other_resource, day=25),
        "visitor": booking_of(
            world, world.other_researcher, world.resource, day=26, status=BookingStatus.PENDING
        ),
        "foreign": booking_of(world, world.other_researcher, world.other_resource, day=27),
    }


def listed(member, **params) -> list[int]:
    response = client_for(member).get(URL, params)
    assert response.status_code == 200, response.json()
    return [row["id"] for row in response.json()["results"]]


def ids(bookings, *names) -> list[int]:
    return [bookings[name].pk for name in names]


def test_a_researcher_sees_only_their_own_bookings(world, bookings):
    assert listed(world.researcher) == ids(bookings, "mine")
    assert listed(world.other_researcher) == ids(bookings, "visitor", "foreign")


def test_a_unit_manager_also_sees_their_unit_s_resources_and_members(world, bookings):
    assert listed(world.manager) == ids(bookings, "mine", "colleague", "visitor")
    assert listed(world.other_manager) == ids(bookings, "colleague", "visitor", "foreign")


def test_the_secretariat_sees_every_booking(world, bookings):
    assert listed(world.secretariat) == ids(bookings, "mine", "colleague", "visitor", "foreign")


def test_the_list_is_paginated(world, bookings):
    body = client_for(world.secretariat).get(URL, {"page_size": 2}).json()

    assert body["count"] == 4
    assert body["next"].endswith("page=2&page_size=2")
    assert body["previous"] is None
    assert len(body["results"]) == 2


def test_the_list_filters_by_status_resource_and_unit(world, bookings):
    secretariat = world.secretariat
    assert listed(secretariat, status="pending") == ids(bookings, "visitor")
    assert listed(secretariat, resource=world.other_resource.pk) == ids(
        bookings, "colleague", "foreign"
    )
    assert listed(secretariat, unit=world.resource.unit_id) == ids(bookings, "mine", "visitor")
    assert listed(secretariat, booking_unit=world.resource.unit_id) == ids(
        bookings, "mine", "colleague"
    )


def test_filters_never_widen_what_a_caller_sees(world, bookings):
    assert listed(world.researcher, resource=world.other_resource.pk) == []
    assert listed(world.researcher, unit=world.other_resource.unit_id) == []


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"from": "2026-11-25"}, ["colleague", "visitor", "foreign"]),
        ({"to": "2026-11-25"}, ["mine", "colleague"]),
        ({"from": "2026-11-25", "to": "2026-11-26"}, ["colleague", "visitor"]),
        ({"from": "2026-11-25T10:30:00+08:00", "to": "2026-11-26T10:00:00"}, ["colleague"]),
        ({"from": "2026-11-24T03:00:00Z"}, ["colleague", "visitor", "foreign"]),
    ],
)
def test_from_and_to_take_dates_or_times_and_keep_overlapping_bookings(
    world, bookings, params, expected
):
    assert listed(world.secretariat, **params) == ids(bookings, *expected)


def test_the_list_runs_a_fixed_number_of_queries(world, django_assert_max_num_queries):
    for day in range(24, 29):
        for hour in (8, 10, 12, 14):
            booking_of(world, world.researcher, world.resource, day=day, hour=hour)
    client = client_for(world.researcher)

    with django_assert_max_num_queries(6):
        response = client.get(URL, {"status": "approved", "resource": world.resource.pk})

    assert response.json()["count"] == 20


def test_a_visible_booking_is_read_by_id(world, bookings):
    response = client_for(world.manager).get(f"{URL}{bookings['visitor'].pk}/")

    assert response.status_code == 200
    assert response.json()["member_name"] == "王研究员"
    assert response.json()["status"] == "pending"


def test_a_booking_outside_the_caller_s_view_is_404(world, bookings):
    response = client_for(world.researcher).get(f"{URL}{bookings['foreign'].pk}/")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


# --- Cancelling ---------------------------------------------------------------------------


def test_the_booker_cancels_their_booking_with_a_reason(world, bookings):
    booking = bookings["mine"]

    response = client_for(world.researcher).post(
        f"{URL}{booking.pk}/cancel/", {"reason": "样品未到"}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    event = booking.events.get()
    assert (event.action, event.reason, event.actor) == (
        BookingEvent.Action.CANCELLED,
        "样品未到",
        world.researcher,
    )


def test_cancel_takes_no_body_at_all_from_the_booker(world, bookings):
    response = client_for(world.researcher).post(f"{URL}{bookings['mine'].pk}/cancel/")

    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"


def test_staff_cancelling_without_a_reason_is_400_and_nothing_changes(world, bookings):
    booking = bookings["mine"]

    response = client_for(world.manager).post(f"{URL}{booking.pk}/cancel/")

    assert response.status_code == 400
    assert response.json()["code"] == "cancel_reason_required"
    booking.refresh_from_db()
    assert booking.status == BookingStatus.APPROVED
    assert not booking.events.exists()


def test_the_resource_s_manager_cancels_another_unit_s_booking_with_a_reason(world, bookings):
    # A's manager booked unit B's resource: B's manager may cancel it (issue 9), saying
    # why; the booker is told the reason.
    booking = bookings["colleague"]

    response = client_for(world.other_manager).post(
        f"{URL}{booking.pk}/cancel/", {"reason": "设备故障"}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    event = booking.events.get()
    assert (event.action, event.actor, event.reason) == (
        BookingEvent.Action.CANCELLED,
        world.other_manager,
        "设备故障",
    )
    notice = booking.member.notifications.get(kind="cancelled")
    assert "设备故障" in notice.body
    assert world.other_manager.name in notice.body


def test_cancelling_someone_else_s_invisible_booking_is_404_not_403(world, bookings):
    booking = bookings["foreign"]

    response = client_for(world.researcher).post(f"{URL}{booking.pk}/cancel/")

    assert response.status_code == 404
    booking.refresh_from_db()
    assert booking.status == BookingStatus.APPROVED


def test_cancelling_twice_is_409_invalid_transition(world, bookings):
    client = client_for(world.researcher)
    client.post(f"{URL}{bookings['mine'].pk}/cancel/")

    response = client.post(f"{URL}{bookings['mine'].pk}/cancel/")

    assert response.status_code == 409
    assert response.json()["code"] == "invalid_transition"
    assert response.json()["status"] == "cancelled"
    assert bookings["mine"].events.count() == 1


# --- Approving and rejecting --------------------------------------------------------------


def test_the_resource_s_unit_manager_approves_a_pending_booking(world, bookings):
    booking = bookings["visitor"]

    response = client_for(world.manager).post(f"{URL}{booking.pk}/approve/")

    assert response.status_code == 200
    assert response.json()["status"] == "approved"
    assert booking.events.get().actor == world.manager


def test_the_secretariat_rejects_with_a_reason(world, bookings):
    booking = bookings["visitor"]

    response = client_for(world.secretariat).post(
        f"{URL}{booking.pk}/reject/", {"reason": "设备检修"}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["status"] == "rejected"
    assert booking.events.get().reason == "设备检修"


def test_rejecting_needs_a_reason(world, bookings):
    booking = bookings["visitor"]

    response = client_for(world.manager).post(f"{URL}{booking.pk}/reject/", {}, format="json")

    assert response.status_code == 400
    assert response.json()["fields"]["reason"][0]["code"] == "required"
    booking.refresh_from_db()
    assert booking.status == BookingStatus.PENDING


def test_the_booker_cannot_approve_their_own_booking(world, bookings):
    booking = bookings["visitor"]

    response = client_for(world.other_researcher).post(f"{URL}{booking.pk}/approve/")

    assert response.status_code == 403
    booking.refresh_from_db()
    assert booking.status == BookingStatus.PENDING


def test_another_unit_s_manager_cannot_even_see_the_booking(world):
    booking = booking_of(world, world.researcher, world.resource, status=BookingStatus.PENDING)

    response = client_for(world.other_manager).post(f"{URL}{booking.pk}/approve/")

    assert response.status_code == 404
    booking.refresh_from_db()
    assert booking.status == BookingStatus.PENDING


def test_approving_a_booking_no_longer_pending_is_409_invalid_transition(world, bookings):
    booking = bookings["mine"]  # approved

    response = client_for(world.manager).post(
        f"{URL}{booking.pk}/approve/", HTTP_ACCEPT_LANGUAGE="en"
    )

    assert response.status_code == 409
    assert response.json()["code"] == "invalid_transition"
    assert response.json()["message"] == "This booking is Approved; it cannot be approved."
    assert not booking.events.exists()
