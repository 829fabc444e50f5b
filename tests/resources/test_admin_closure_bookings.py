"""The back office's closure add form takes care of the bookings it hits (issue 9,
bookings.admin.ClosureWithBookingsAdmin): a confirmation page lists them and nothing is
written until it is confirmed; then they are cancelled with the closure's reason."""

import pytest

from bookings.models import BookingEvent, BookingStatus
from resources.models import Closure
from tests.conftest import local
from tests.factories import BookingFactory
from tests.resources.admin_support import messages_of, signed_in, url

pytestmark = pytest.mark.django_db


def closure_form(resource, **changes):
    data = {
        "resource": resource.pk if resource else "",
        "start_0": "2026-11-24",
        "start_1": "09:00",
        "end_0": "2026-11-24",
        "end_1": "12:00",
        "reason": "设备维修",
    }
    data.update(changes)
    return data


@pytest.fixture
def booking(world):
    return BookingFactory(
        resource=world.resource,
        member=world.researcher,
        start=local(2026, 11, 24, 10),
        end=local(2026, 11, 24, 11),
    )


def test_a_closure_over_a_booking_first_shows_it_and_writes_nothing(world, booking):
    response = signed_in(world.manager).post(url("closure_add"), closure_form(world.resource))

    assert response.status_code == 200
    assert response.templates[0].name == "admin/resources/closure/confirm_hits.html"
    assert list(response.context["hits"]) == [booking]
    assert "李研究员" in response.text
    assert 'name="_confirm_hits" value="1"' in response.text
    assert not Closure.objects.exists()
    booking.refresh_from_db()
    assert booking.status == BookingStatus.APPROVED
    assert not BookingEvent.objects.exists()


def test_confirming_adds_the_closure_and_cancels_the_booking_with_its_reason(world, booking):
    response = signed_in(world.manager).post(
        url("closure_add"), {**closure_form(world.resource), "_confirm_hits": "1"}
    )

    assert response.status_code == 302
    closure = Closure.objects.get()
    assert (closure.start, closure.end, closure.reason) == (
        local(2026, 11, 24, 9),
        local(2026, 11, 24, 12),
        "设备维修",
    )
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED
    event = booking.events.get()
    assert (event.action, event.reason, event.actor) == (
        BookingEvent.Action.CANCELLED_BY_CLOSURE,
        "设备维修",
        world.manager,
    )
    assert any("1" in m for m in messages_of(response))


def test_a_closure_that_hits_nothing_is_added_at_once(world, booking):
    response = signed_in(world.manager).post(
        url("closure_add"), closure_form(world.resource, start_1="12:00", end_1="14:00")
    )

    assert response.status_code == 302
    assert Closure.objects.count() == 1
    booking.refresh_from_db()
    assert booking.status == BookingStatus.APPROVED


def test_a_manager_cannot_close_another_units_resource_even_confirmed(world):
    other_booking = BookingFactory(
        resource=world.other_resource, start=local(2026, 11, 24, 10), end=local(2026, 11, 24, 11)
    )
    response = signed_in(world.manager).post(
        url("closure_add"), {**closure_form(world.other_resource), "_confirm_hits": "1"}
    )

    assert response.status_code == 200
    assert "resource" in response.context["adminform"].form.errors
    assert not Closure.objects.exists()
    other_booking.refresh_from_db()
    assert other_booking.status == BookingStatus.APPROVED


def test_the_secretariat_closes_the_whole_alliance_over_bookings_after_confirming(world, booking):
    client = signed_in(world.secretariat)
    preview = client.post(url("closure_add"), closure_form(None, reason="台风停工"))
    assert list(preview.context["hits"]) == [booking]
    assert not Closure.objects.exists()

    client.post(url("closure_add"), {**closure_form(None, reason="台风停工"), "_confirm_hits": "1"})

    assert Closure.objects.get().resource is None
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED


def test_a_refused_closure_shows_the_refusal_on_the_form(world):
    response = signed_in(world.manager).post(
        url("closure_add"), closure_form(world.resource, end_1="08:00")
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors
    assert not Closure.objects.exists()
