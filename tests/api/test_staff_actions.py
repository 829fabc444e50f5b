"""The API of the staff actions (issue 9): closures over bookings (refused unless
confirmed, then cancelling them), their previews, retiring with cancellations, and booking
on behalf of a member. Who may call what is in test_permissions.py; here, what they do."""

import pytest

from alliance.models import MemberRole
from bookings.models import Booking, BookingEvent, BookingStatus
from notifications.models import Notification
from resources.models import Closure
from tests.api.world import client_for, world_build
from tests.conftest import local
from tests.factories import BookingFactory, MemberFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]

REPAIR = {"start": "2026-11-24T08:00", "end": "2026-11-24T12:00", "reason": "电镜维修"}


@pytest.fixture
def world():
    return world_build()


@pytest.fixture
def hit(world):
    """The researcher's approved booking of A's resource, 09:00–10:00 on the 24th."""
    return BookingFactory(
        resource=world.resource,
        member=world.researcher,
        start=local(2026, 11, 24, 9),
        end=local(2026, 11, 24, 10),
    )


def closures_url(world):
    return f"/api/v1/resources/{world.resource.pk}/closures/"


def snapshot():
    return (
        list(Booking.objects.order_by("pk").values_list("pk", "status")),
        Closure.objects.count(),
        BookingEvent.objects.count(),
        Notification.objects.count(),
    )


def test_a_closure_over_a_booking_is_409_listing_it_and_writes_nothing(world, hit):
    before = snapshot()

    response = client_for(world.manager).post(closures_url(world), REPAIR, format="json")

    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "closure_hits_bookings"
    assert body["bookings"] == [
        {
            "id": hit.pk,
            "resource": world.resource.pk,
            "resource_name": "冷冻电镜",
            "start": "2026-11-24T09:00:00+08:00",
            "end": "2026-11-24T10:00:00+08:00",
            "status": "approved",
            "unit": world.researcher.unit_id,
            "unit_name": "南方科技大学",
            "member_name": "李研究员",
        }
    ]
    assert snapshot() == before


def test_confirmed_the_closure_is_made_and_the_booking_cancelled(world, hit):
    response = client_for(world.manager).post(
        closures_url(world), {**REPAIR, "confirm": True}, format="json"
    )

    assert response.status_code == 201
    assert response.json()["cancelled_bookings"] == [hit.pk]
    assert response.json()["resource"] == world.resource.pk
    hit.refresh_from_db()
    assert hit.status == BookingStatus.CANCELLED
    assert hit.events.get().action == BookingEvent.Action.CANCELLED_BY_CLOSURE
    assert Notification.objects.filter(member=world.researcher, kind="cancelled").exists()


def test_the_preview_lists_the_hits_and_writes_nothing(world, hit):
    before = snapshot()

    response = client_for(world.secretariat).post(
        f"{closures_url(world)}preview/",
        {"start": REPAIR["start"], "end": REPAIR["end"]},
        format="json",
    )

    assert response.status_code == 200
    assert [b["id"] for b in response.json()["bookings"]] == [hit.pk]
    assert snapshot() == before


def test_retiring_over_a_booking_needs_confirmation_and_a_reason(world, hit):
    url = f"/api/v1/resources/{world.resource.pk}/retire/"
    client = client_for(world.manager)
    before = snapshot()

    unconfirmed = client.post(url)
    no_reason = client.post(url, {"confirm": True}, format="json")

    assert (unconfirmed.status_code, unconfirmed.json()["code"]) == (409, "closure_hits_bookings")
    assert (no_reason.status_code, no_reason.json()["code"]) == (400, "cancel_reason_required")
    assert snapshot() == before

    done = client.post(url, {"confirm": True, "reason": "设备报废"}, format="json")

    assert done.status_code == 200
    assert done.json()["is_retired"] is True
    hit.refresh_from_db()
    assert hit.status == BookingStatus.CANCELLED


def test_an_alliance_wide_closure_hits_every_resource(world, hit):
    other = BookingFactory(
        resource=world.other_resource,
        member=world.other_researcher,
        start=local(2026, 11, 24, 10),
        end=local(2026, 11, 24, 11),
    )
    client = client_for(world.secretariat)

    refused = client.post("/api/v1/closures/", {**REPAIR, "reason": "公共假日"}, format="json")
    made = client.post(
        "/api/v1/closures/", {**REPAIR, "reason": "公共假日", "confirm": True}, format="json"
    )

    assert refused.status_code == 409
    assert {b["id"] for b in refused.json()["bookings"]} == {hit.pk, other.pk}
    assert made.status_code == 201
    assert made.json()["resource"] is None
    assert sorted(made.json()["cancelled_bookings"]) == sorted([hit.pk, other.pk])


# --- Booking on behalf (代预约) -------------------------------------------------------------

SLOT = {"start": "2026-11-24T14:00:00+08:00", "end": "2026-11-24T15:00:00+08:00"}


def test_a_manager_books_for_a_member_who_is_told(world):
    response = client_for(world.manager).post(
        "/api/v1/bookings/",
        {
            **SLOT,
            "resource": world.resource.pk,
            "purpose": "代预约测试",
            "member": world.researcher.pk,
        },
        format="json",
    )

    assert response.status_code == 201, response.json()
    assert response.json()["member"] == world.researcher.pk
    booking = Booking.objects.get()
    assert booking.unit == world.researcher.unit
    event = booking.events.get()
    assert (event.action, event.actor) == (BookingEvent.Action.CREATED_ON_BEHALF, world.manager)
    assert Notification.objects.filter(
        member=world.researcher, kind="booked_for", booking=booking
    ).exists()


def test_a_researcher_naming_another_member_is_403_and_nothing_is_booked(world):
    response = client_for(world.researcher).post(
        "/api/v1/bookings/",
        {**SLOT, "resource": world.resource.pk, "purpose": "代预约", "member": world.manager.pk},
        format="json",
    )

    assert response.status_code == 403
    assert response.json()["code"] == "on_behalf_not_allowed"
    assert not Booking.objects.exists()


def test_an_unknown_member_is_a_bad_field(world):
    response = client_for(world.secretariat).post(
        "/api/v1/bookings/",
        {**SLOT, "resource": world.resource.pk, "purpose": "代预约", "member": 987654},
        format="json",
    )

    assert response.status_code == 400
    assert "member" in response.json()["fields"]
    assert not Booking.objects.exists()


def test_the_beneficiary_s_rules_apply_an_inactive_member_is_refused(world):
    gone = MemberFactory(unit=world.researcher.unit, is_active=False, role=MemberRole.RESEARCHER)

    response = client_for(world.manager).post(
        "/api/v1/bookings/",
        {**SLOT, "resource": world.resource.pk, "purpose": "代预约", "member": gone.pk},
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["code"] == "member_inactive"
    assert not Booking.objects.exists()
