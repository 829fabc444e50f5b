"""No two blocking bookings of a resource overlap, buffers included; a refusal says what is
in the way and offers the nearest free slots of the same length."""

import datetime as dt

import pytest

from alliance.errors import Conflict
from bookings.models import Booking, BookingStatus
from bookings.services import booking_cancel, booking_create, booking_reject
from tests.conftest import local
from tests.factories import MemberFactory, ResourceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clock(frozen_now):
    return frozen_now


def book(resource, start, end, member=None):
    return booking_create(
        member=member or MemberFactory(),
        resource_id=resource.pk,
        start=start,
        end=end,
        purpose="单细胞测序",
    )


def assert_conflict(resource, start, end):
    count = Booking.objects.count()
    with pytest.raises(Conflict) as refused:
        book(resource, start, end)
    assert refused.value.code == "conflict"
    assert Booking.objects.count() == count
    return refused.value


def test_overlapping_booking_is_rejected_with_the_conflicting_interval():
    resource = ResourceFactory()
    book(resource, local(2026, 11, 24, 9), local(2026, 11, 24, 11))
    refused = assert_conflict(resource, local(2026, 11, 24, 10), local(2026, 11, 24, 12))
    assert [(c.start, c.end) for c in refused.extra["conflicts"]] == [
        (local(2026, 11, 24, 9), local(2026, 11, 24, 11))
    ]


def test_back_to_back_bookings_are_accepted_without_buffer():
    resource = ResourceFactory(buffer_minutes=0)
    book(resource, local(2026, 11, 24, 9), local(2026, 11, 24, 10))
    book(resource, local(2026, 11, 24, 10), local(2026, 11, 24, 11))
    book(resource, local(2026, 11, 24, 8, 30), local(2026, 11, 24, 9))


def test_buffer_after_a_booking_keeps_the_next_one_away():
    resource = ResourceFactory(buffer_minutes=30)
    first = book(resource, local(2026, 11, 24, 9), local(2026, 11, 24, 10))
    assert first.blocked_until == local(2026, 11, 24, 10, 30)
    assert_conflict(resource, local(2026, 11, 24, 10), local(2026, 11, 24, 11))
    book(resource, local(2026, 11, 24, 10, 30), local(2026, 11, 24, 11, 30))


def test_buffer_of_a_new_booking_must_end_before_the_next_one_starts():
    resource = ResourceFactory(buffer_minutes=30)
    book(resource, local(2026, 11, 24, 11), local(2026, 11, 24, 12))
    assert_conflict(resource, local(2026, 11, 24, 10), local(2026, 11, 24, 11))
    book(resource, local(2026, 11, 24, 9, 30), local(2026, 11, 24, 10, 30))


@pytest.mark.parametrize("free_it", ["cancel", "reject"])
def test_cancelled_or_rejected_booking_frees_its_slot(free_it):
    resource = ResourceFactory(requires_approval=True, unit=MemberFactory().unit)
    booker = MemberFactory()
    manager = MemberFactory(unit=resource.unit, role="unit_manager")
    taken = book(resource, local(2026, 11, 24, 9), local(2026, 11, 24, 10), member=booker)
    assert_conflict(resource, local(2026, 11, 24, 9), local(2026, 11, 24, 10))
    if free_it == "cancel":
        booking_cancel(actor=booker, booking_id=taken.pk)
    else:
        booking_reject(actor=manager, booking_id=taken.pk, reason="设备临时借用")
    again = book(resource, local(2026, 11, 24, 9), local(2026, 11, 24, 10))
    assert again.status == BookingStatus.PENDING


def test_conflict_offers_three_nearest_alternatives_that_can_all_be_booked():
    resource = ResourceFactory(buffer_minutes=30)
    book(resource, local(2026, 11, 24, 9), local(2026, 11, 24, 11))
    book(resource, local(2026, 11, 24, 13), local(2026, 11, 24, 14))
    refused = assert_conflict(resource, local(2026, 11, 24, 10), local(2026, 11, 24, 11))
    alternatives = refused.extra["alternatives"]
    assert len(alternatives) == 3
    # Nearest first: 11:30 (after the buffer), 12:00 is too close to 13:00 with its buffer,
    # 08:00 would end 09:00 but needs 30 minutes before the 09:00 booking.
    assert [(a.start, a.end) for a in alternatives] == [
        (local(2026, 11, 24, 11, 30), local(2026, 11, 24, 12, 30)),
        (local(2026, 11, 24, 14, 30), local(2026, 11, 24, 15, 30)),
        (local(2026, 11, 24, 15), local(2026, 11, 24, 16)),
    ]
    booker = MemberFactory()
    for alternative in alternatives:  # each is bookable on its own (they overlap each other)
        accepted = book(resource, alternative.start, alternative.end, member=booker)
        booking_cancel(actor=booker, booking_id=accepted.pk)


def test_alternatives_respect_closing_time_notice_and_the_next_days():
    # A full day leaves only other days: alternatives come from the next opening hours.
    resource = ResourceFactory(max_duration_minutes=12 * 60)
    book(resource, local(2026, 11, 24, 8), local(2026, 11, 24, 20))
    refused = assert_conflict(resource, local(2026, 11, 24, 8), local(2026, 11, 24, 20))
    starts = [a.start for a in refused.extra["alternatives"]]
    # Today cannot hold 12 hours any more (an hour's notice, closing at 20:00).
    assert starts == [local(2026, 11, 25, 8), local(2026, 11, 26, 8), local(2026, 11, 27, 8)]
    for alternative in refused.extra["alternatives"]:
        assert alternative.end - alternative.start == dt.timedelta(hours=12)
