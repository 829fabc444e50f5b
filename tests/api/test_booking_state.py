"""What a booking tells its viewer beyond its fields: the status in their language, why it
last changed, where it is, whether they may cancel (and whether that is late) or check in
now, and on its detail its history: who did what, when and why.

Bookings are made and moved through the services, so the history is the real one. The
clock starts at Monday 2026-11-23 08:00 in Shanghai.
"""

from __future__ import annotations

import pytest
import time_machine

from alliance.actors import SYSTEM
from bookings.services import (
    booking_approve,
    booking_cancel,
    booking_check_in,
    booking_create,
    booking_expire,
    booking_reject,
)
from tests.api.world import World, client_for, world_build
from tests.conftest import local

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]

URL = "/api/v1/bookings/"


@pytest.fixture
def world() -> World:
    return world_build()


def book(world: World, resource=None, day=24, hour=10, member=None):
    return booking_create(
        member=member or world.researcher,
        resource_id=(resource or world.resource).pk,
        start=local(2026, 11, day, hour),
        end=local(2026, 11, day, hour + 1),
        purpose="样品观察",
    )


def detail(member, booking, **headers) -> dict:
    response = client_for(member).get(f"{URL}{booking.pk}/", **headers)
    assert response.status_code == 200, response.json()
    return response.json()


def test_the_status_label_speaks_the_caller_s_language(world):
    booking = book(world)

    assert detail(world.researcher, booking)["status_label"] == "待审批"
    assert detail(world.researcher, booking, HTTP_ACCEPT_LANGUAGE="en")["status_label"] == (
        "Pending approval"
    )


def test_the_reason_of_the_last_status_change_is_shown(world):
    rejected = book(world)
    booking_reject(actor=world.manager, booking_id=rejected.pk, reason="设备检修")
    cancelled = book(world, hour=14)
    booking_approve(actor=world.manager, booking_id=cancelled.pk, reason="同意")
    assert detail(world.researcher, cancelled)["status_reason"] == "同意"
    booking_cancel(actor=world.researcher, booking_id=cancelled.pk, reason="课题延期")

    assert detail(world.researcher, rejected)["status_reason"] == "设备检修"
    assert detail(world.researcher, cancelled)["status_reason"] == "课题延期"
    rows = client_for(world.researcher).get(URL).json()["results"]
    assert [row["status_reason"] for row in rows] == ["设备检修", "课题延期"]


def test_a_check_in_is_history_but_not_a_status_change(world):
    booking = book(world, resource=world.other_resource)  # approved at once
    with time_machine.travel(local(2026, 11, 24, 10), tick=False):
        booking_check_in(
            actor=world.researcher, booking_id=booking.pk, code=world.other_resource.checkin_code
        )
        body = detail(world.researcher, booking)

    assert body["status_reason"] == ""
    assert [entry["action"] for entry in body["history"]] == [
        "bookings.booking.created",
        "bookings.booking.checked_in",
    ]


def test_the_booking_shows_where_the_resource_is(world):
    world.resource.building = "光明科学城 A 栋"
    world.resource.room = "301"
    world.resource.address = ""
    world.resource.save()

    assert detail(world.researcher, book(world))["resource_location"] == "光明科学城 A 栋 301"


# --- can_cancel and cancel_is_late ---------------------------------------------------------


def test_the_booker_their_unit_manager_and_the_resource_s_managers_may_cancel(world):
    booking = book(world, resource=world.other_resource)

    assert detail(world.researcher, booking)["can_cancel"] is True
    assert detail(world.manager, booking)["can_cancel"] is True  # the booker's unit
    assert detail(world.secretariat, booking)["can_cancel"] is True
    # The other unit's manager manages the resource: they may cancel it too, with a reason
    # (issue 9: a manager takes care of their own resources' bookings).
    assert detail(world.other_manager, booking)["can_cancel"] is True


def test_cancelling_is_late_inside_the_window_and_impossible_once_started(world):
    booking = book(world, day=25)

    assert (
        detail(world.researcher, booking)["can_cancel"],
        detail(world.researcher, booking)["cancel_is_late"],
    ) == (True, False)
    with time_machine.travel(local(2026, 11, 24, 11), tick=False):  # 23 hours before
        body = detail(world.researcher, booking)
        assert (body["can_cancel"], body["cancel_is_late"]) == (True, True)
        booking_cancel(actor=world.researcher, booking_id=booking.pk)
        assert detail(world.researcher, booking)["cancelled_late"] is True
    started = book(world, day=24)
    with time_machine.travel(local(2026, 11, 24, 10), tick=False):
        assert detail(world.researcher, started)["can_cancel"] is False


def test_a_finished_or_refused_booking_cannot_be_cancelled(world):
    booking = book(world)
    booking_reject(actor=world.manager, booking_id=booking.pk, reason="不符合")

    assert detail(world.researcher, booking)["can_cancel"] is False


# --- can_check_in ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (local(2026, 11, 24, 9, 44), False),  # check-in opens 15 minutes before
        (local(2026, 11, 24, 9, 45), True),
        (local(2026, 11, 24, 10, 15), True),  # until the 15-minute grace ends
        (local(2026, 11, 24, 10, 16), False),
    ],
)
def test_can_check_in_follows_the_check_in_window(world, now, expected):
    booking = book(world, resource=world.other_resource)

    with time_machine.travel(now, tick=False):
        assert detail(world.researcher, booking)["can_check_in"] is expected


def test_only_an_approved_booking_not_yet_checked_in_can_check_in(world):
    pending = book(world)
    approved = book(world, resource=world.other_resource)

    with time_machine.travel(local(2026, 11, 24, 10), tick=False):
        assert detail(world.researcher, pending)["can_check_in"] is False
        assert detail(world.other_manager, approved)["can_check_in"] is True  # on their behalf
        assert detail(world.manager, approved)["can_check_in"] is False  # not their resource
        booking_check_in(
            actor=world.researcher, booking_id=approved.pk, code=world.other_resource.checkin_code
        )
        assert detail(world.researcher, approved)["can_check_in"] is False


# --- History ---------------------------------------------------------------------------------


def test_the_detail_tells_who_did_what_when_and_why(world):
    booking = book(world)
    with time_machine.travel(local(2026, 11, 23, 9), tick=False):
        booking_approve(actor=world.manager, booking_id=booking.pk, reason="同意使用")
    with time_machine.travel(local(2026, 11, 23, 10), tick=False):
        booking_cancel(actor=world.researcher, booking_id=booking.pk, reason="课题延期")

    history = detail(world.researcher, booking, HTTP_ACCEPT_LANGUAGE="en")["history"]

    assert history == [
        {
            "at": "2026-11-23T08:00:00+08:00",
            "actor_name": "李研究员",
            "action": "bookings.booking.created",
            "action_label": "Requested",
            "from_status": None,
            "to_status": "pending",
            "reason": "",
        },
        {
            "at": "2026-11-23T09:00:00+08:00",
            "actor_name": "张主任",
            "action": "bookings.booking.approved",
            "action_label": "Approved",
            "from_status": "pending",
            "to_status": "approved",
            "reason": "同意使用",
        },
        {
            "at": "2026-11-23T10:00:00+08:00",
            "actor_name": "李研究员",
            "action": "bookings.booking.cancelled",
            "action_label": "Cancelled",
            "from_status": "approved",
            "to_status": "cancelled",
            "reason": "课题延期",
        },
    ]


def test_the_system_acts_without_a_name(world):
    booking = book(world)
    booking_expire(actor=SYSTEM, booking_id=booking.pk, now=local(2026, 11, 24, 10))

    last = detail(world.researcher, booking)["history"][-1]

    assert (last["actor_name"], last["to_status"]) == (None, "expired")


def test_an_action_answers_the_booking_with_its_new_history(world):
    booking = book(world)

    response = client_for(world.researcher).post(
        f"{URL}{booking.pk}/cancel/", {"reason": "不需要了"}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["status_reason"] == "不需要了"
    assert response.json()["history"][-1]["reason"] == "不需要了"
    assert response.json()["can_cancel"] is False


def test_a_researcher_never_sees_another_s_booking_or_its_history(world):
    booking = book(world, member=world.other_researcher, resource=world.other_resource)

    response = client_for(world.researcher).get(f"{URL}{booking.pk}/")

    assert response.status_code == 404
    assert "王研究员" not in response.content.decode()
    assert client_for(world.researcher).get(URL).json()["count"] == 0


def test_the_list_carries_no_history(world):
    book(world)

    assert "history" not in client_for(world.researcher).get(URL).json()["results"][0]


def test_the_list_costs_the_same_queries_for_one_booking_or_twenty(
    world, django_assert_num_queries
):
    client = client_for(world.researcher)
    book(world)
    client.get(URL)  # the token's last use is recorded once a minute
    with django_assert_num_queries(3):  # the token, the count, the page with reasons
        assert client.get(URL).json()["count"] == 1
    for day in range(24, 28):
        for hour in (8, 10, 12, 14, 16):
            if (day, hour) != (24, 10):
                booking = book(world, day=day, hour=hour)
                booking_reject(actor=world.manager, booking_id=booking.pk, reason="满")

    with django_assert_num_queries(3):
        response = client.get(URL, {"page_size": 50})

    assert len(response.json()["results"]) == 20


def test_the_detail_costs_a_fixed_number_of_queries(world, django_assert_num_queries):
    booking = book(world)
    booking_approve(actor=world.manager, booking_id=booking.pk)
    client = client_for(world.researcher)
    client.get(f"{URL}{booking.pk}/")
    with django_assert_num_queries(3):  # the token, the booking with its reason, its history
        assert len(client.get(f"{URL}{booking.pk}/").json()["history"]) == 2
