"""The waitlist API (issue 12): a conflict says the caller may wait, joining a taken slot,
one's entries with their place in line and hold, claim, decline and leave, and a retried
join (Idempotency-Key) joins once."""

import pytest

from bookings.models import Booking
from bookings.services import booking_cancel
from bookings.waitlist_models import WaitlistEntry
from tests.api.helpers import api_client
from tests.conftest import FROZEN_NOW, local
from tests.factories import BookingFactory, MemberFactory, ResourceFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]

SLOT = {
    "start": "2026-11-24T10:00:00+08:00",
    "end": "2026-11-24T11:00:00+08:00",
    "purpose": "候补",
}


@pytest.fixture
def room():
    return ResourceFactory()


@pytest.fixture
def taken(room):
    return BookingFactory(resource=room, start=local(2026, 11, 24, 10), end=local(2026, 11, 24, 11))


def test_a_conflict_answer_says_the_caller_may_join_the_waitlist(room, taken):
    answer = api_client(MemberFactory()).post(
        "/api/v1/bookings/", {**SLOT, "resource": room.pk}, format="json"
    )
    assert answer.status_code == 409
    assert answer.json()["code"] == "conflict"
    assert answer.json()["waitlist"] == {"can_join": True}


def test_join_lists_the_entry_with_its_place_in_line(room, taken):
    first, second = api_client(MemberFactory()), api_client(MemberFactory())
    assert (
        first.post("/api/v1/waitlist/", {**SLOT, "resource": room.pk}, format="json").status_code
        == 201
    )
    answer = second.post("/api/v1/waitlist/", {**SLOT, "resource": room.pk}, format="json")
    assert answer.status_code == 201, answer.content
    body = answer.json()
    assert (body["status"], body["position"], body["hold"]) == ("waiting", 2, None)
    assert body["start"] == "2026-11-24T10:00:00+08:00"
    mine = second.get("/api/v1/me/waitlist/").json()["results"]
    assert [(e["id"], e["position"]) for e in mine] == [(body["id"], 2)]


def test_join_refusals_carry_their_codes_and_write_nothing(room, taken):
    client = api_client(MemberFactory())
    free = {**SLOT, "start": "2026-11-24T14:00:00+08:00", "end": "2026-11-24T15:00:00+08:00"}
    answer = client.post("/api/v1/waitlist/", {**free, "resource": room.pk}, format="json")
    assert (answer.status_code, answer.json()["code"]) == (409, "waitlist_slot_free")
    short = {**SLOT, "end": "2026-11-24T10:15:00+08:00"}
    answer = client.post("/api/v1/waitlist/", {**short, "resource": room.pk}, format="json")
    assert (answer.status_code, answer.json()["code"]) == (400, "too_short")
    answer = client.post("/api/v1/waitlist/", {**SLOT, "resource": 999999}, format="json")
    assert answer.status_code == 400
    assert not WaitlistEntry.objects.exists()


def test_claim_decline_and_leave(room, taken, django_capture_on_commit_callbacks):
    holder_member, waiter_member = MemberFactory(), MemberFactory()
    holder, waiter = api_client(holder_member), api_client(waiter_member)
    first = holder.post("/api/v1/waitlist/", {**SLOT, "resource": room.pk}, format="json").json()
    second = waiter.post("/api/v1/waitlist/", {**SLOT, "resource": room.pk}, format="json").json()
    with django_capture_on_commit_callbacks(execute=True):
        booking_cancel(actor=taken.member, booking_id=taken.pk, reason="", now=FROZEN_NOW)
    offered = holder.get("/api/v1/me/waitlist/").json()["results"][0]
    assert offered["status"] == "offered"
    assert offered["hold_expires_at"] == "2026-11-23T08:30:00+08:00"
    assert offered["position"] is None
    assert Booking.objects.get(pk=offered["hold"]).status == "held"
    # Nobody else may act on the entry.
    assert waiter.post(f"/api/v1/waitlist/{first['id']}/claim/").status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        answer = holder.post(f"/api/v1/waitlist/{first['id']}/decline/")
    assert (answer.status_code, answer.json()["status"]) == (200, "declined")
    answer = waiter.post(f"/api/v1/waitlist/{second['id']}/leave/")
    assert (answer.status_code, answer.json()["code"]) == (409, "waitlist_not_waiting")
    answer = waiter.post(f"/api/v1/waitlist/{second['id']}/claim/")
    assert (answer.status_code, answer.json()["status"]) == (200, "claimed")
    assert Booking.objects.get(pk=answer.json()["hold"]).status == "approved"


def test_leave_a_waiting_entry(room, taken):
    client = api_client(MemberFactory())
    entry = client.post("/api/v1/waitlist/", {**SLOT, "resource": room.pk}, format="json").json()
    answer = client.post(f"/api/v1/waitlist/{entry['id']}/leave/")
    assert (answer.status_code, answer.json()["status"]) == (200, "left")
    answer = client.post(f"/api/v1/waitlist/{entry['id']}/claim/")
    assert (answer.status_code, answer.json()["code"]) == (409, "waitlist_not_offered")


def test_a_retried_join_with_an_idempotency_key_joins_once(room, taken):
    client = api_client(MemberFactory())
    headers = {"Idempotency-Key": "join-1"}
    body = {**SLOT, "resource": room.pk}
    first = client.post("/api/v1/waitlist/", body, format="json", headers=headers)
    again = client.post("/api/v1/waitlist/", body, format="json", headers=headers)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert WaitlistEntry.objects.count() == 1
