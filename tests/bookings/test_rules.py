"""Each booking rule, accepted at its edge and rejected just past it, with its code.

The clock is frozen at Monday 2026-11-23 08:00 in Asia/Shanghai. Unless a test says
otherwise the resource opens Monday to Friday 08:00–20:00, with 30-minute slots, bookings
of 30 minutes to 4 hours, an hour's notice, 30 days ahead, no buffer and room for 10.
"""

import pytest

from alliance.errors import ValidationFailed
from bookings.models import Booking, BookingEvent, BookingStatus
from bookings.services import booking_create
from tests.conftest import local
from tests.factories import (
    ClosureFactory,
    MakeUpWorkingDayFactory,
    MemberFactory,
    ResourceFactory,
    UnitFactory,
)

pytestmark = pytest.mark.django_db

AROUND_THE_CLOCK = [(d, "00:00", "00:00") for d in range(7)]


def book(resource, start, end, *, member=None, attendees=1):
    return booking_create(
        member=member or MemberFactory(),
        resource_id=resource.pk,
        start=start,
        end=end,
        purpose="流式细胞分析",
        attendees=attendees,
    )


def assert_refused(code, resource, start, end, **kwargs):
    before = (Booking.objects.count(), BookingEvent.objects.count())
    with pytest.raises(ValidationFailed) as refused:
        book(resource, start, end, **kwargs)
    assert refused.value.code == code
    assert (Booking.objects.count(), BookingEvent.objects.count()) == before
    return refused.value


@pytest.fixture(autouse=True)
def _clock(frozen_now):
    return frozen_now


def test_booking_inside_opening_hours_is_accepted_and_recorded():
    resource = ResourceFactory()
    member = MemberFactory()
    booking = book(resource, local(2026, 11, 24, 8), local(2026, 11, 24, 9), member=member)
    assert booking.status == BookingStatus.APPROVED
    assert booking.unit == member.unit
    assert booking.blocked_until == booking.end
    event = booking.events.get()
    assert (event.action, event.from_status, event.to_status, event.actor) == (
        BookingEvent.Action.CREATED,
        "",
        BookingStatus.APPROVED,
        member,
    )


def test_booking_that_needs_approval_starts_pending():
    resource = ResourceFactory(requires_approval=True)
    booking = book(resource, local(2026, 11, 24, 9), local(2026, 11, 24, 10))
    assert booking.status == BookingStatus.PENDING


def test_booking_starting_before_opening_is_rejected():
    resource = ResourceFactory()
    assert_refused(
        "outside_opening_hours", resource, local(2026, 11, 24, 7, 30), local(2026, 11, 24, 8, 30)
    )


def test_booking_ending_at_closing_time_is_accepted_and_past_it_rejected():
    resource = ResourceFactory()
    book(resource, local(2026, 11, 24, 19), local(2026, 11, 24, 20))
    assert_refused(
        "outside_opening_hours", resource, local(2026, 11, 25, 19), local(2026, 11, 25, 20, 30)
    )


def test_booking_across_a_lunch_break_is_rejected():
    resource = ResourceFactory(
        hours=[(d, "08:30", "12:00") for d in range(5)] + [(d, "14:00", "17:30") for d in range(5)]
    )
    book(resource, local(2026, 11, 24, 11), local(2026, 11, 24, 12))
    book(resource, local(2026, 11, 24, 14), local(2026, 11, 24, 15))
    assert_refused(
        "outside_opening_hours", resource, local(2026, 11, 25, 11, 30), local(2026, 11, 25, 14)
    )


def test_booking_on_a_weekend_is_rejected():
    resource = ResourceFactory()
    assert_refused(
        "outside_opening_hours", resource, local(2026, 11, 28, 9), local(2026, 11, 28, 10)
    )


def test_booking_across_midnight_is_accepted_when_open_on_both_days():
    resource = ResourceFactory(hours=AROUND_THE_CLOCK)
    booking = book(resource, local(2026, 11, 24, 23), local(2026, 11, 25, 1))
    assert booking.end - booking.start == local(2026, 11, 25, 1) - local(2026, 11, 24, 23)


def test_booking_across_midnight_is_rejected_when_the_next_day_is_not_open():
    # Open around the clock on weekdays only: Friday night runs into a closed Saturday.
    resource = ResourceFactory(hours=[(d, "00:00", "00:00") for d in range(5)])
    book(resource, local(2026, 11, 26, 23), local(2026, 11, 27, 1))
    assert_refused(
        "outside_opening_hours", resource, local(2026, 11, 27, 23), local(2026, 11, 28, 1)
    )


def test_make_up_working_day_opens_as_the_weekday_it_names():
    resource = ResourceFactory()
    MakeUpWorkingDayFactory(date=local(2026, 11, 28).date(), opens_as=0)
    book(resource, local(2026, 11, 28, 9), local(2026, 11, 28, 10))
    assert_refused(
        "outside_opening_hours", resource, local(2026, 11, 29, 9), local(2026, 11, 29, 10)
    )


def test_booking_overlapping_a_resource_closure_is_rejected_with_its_reason():
    resource = ResourceFactory()
    ClosureFactory(
        resource=resource, start=local(2026, 11, 24, 12), end=local(2026, 11, 24, 14), reason="年检"
    )
    book(resource, local(2026, 11, 24, 10), local(2026, 11, 24, 12))  # ends as it closes
    book(resource, local(2026, 11, 24, 14), local(2026, 11, 24, 15))  # starts as it reopens
    refused = assert_refused(
        "closed", resource, local(2026, 11, 24, 13, 30), local(2026, 11, 24, 14)
    )
    assert "年检" in refused.message


def test_alliance_wide_closure_closes_every_resource():
    resource = ResourceFactory()
    ClosureFactory(
        resource=None, start=local(2026, 12, 1), end=local(2026, 12, 2), reason="公共假日"
    )
    assert_refused("closed", resource, local(2026, 12, 1, 9), local(2026, 12, 1, 10))


def test_closure_of_another_resource_does_not_close_this_one():
    resource = ResourceFactory()
    ClosureFactory(start=local(2026, 11, 24), end=local(2026, 11, 25))
    book(resource, local(2026, 11, 24, 9), local(2026, 11, 24, 10))


def test_minimum_duration_is_accepted_and_one_slot_less_rejected():
    resource = ResourceFactory(min_duration_minutes=60)
    book(resource, local(2026, 11, 24, 9), local(2026, 11, 24, 10))
    assert_refused("too_short", resource, local(2026, 11, 24, 11), local(2026, 11, 24, 11, 30))


def test_maximum_duration_is_accepted_and_one_slot_more_rejected():
    resource = ResourceFactory(max_duration_minutes=240)
    book(resource, local(2026, 11, 24, 8), local(2026, 11, 24, 12))
    assert_refused("too_long", resource, local(2026, 11, 25, 8), local(2026, 11, 25, 12, 30))


def test_booking_off_the_slot_grid_is_rejected():
    resource = ResourceFactory(slot_minutes=30)
    book(resource, local(2026, 11, 24, 9, 30), local(2026, 11, 24, 10, 30))
    assert_refused(
        "not_on_slot_boundary", resource, local(2026, 11, 25, 9, 15), local(2026, 11, 25, 10, 15)
    )
    assert_refused(
        "not_on_slot_boundary", resource, local(2026, 11, 25, 9), local(2026, 11, 25, 10, 1)
    )


def test_minimum_notice_is_accepted_at_its_edge_and_rejected_inside_it():
    resource = ResourceFactory(min_notice_minutes=60)
    book(resource, local(2026, 11, 23, 9), local(2026, 11, 23, 10))  # exactly an hour ahead
    assert_refused(
        "too_little_notice", resource, local(2026, 11, 23, 8, 30), local(2026, 11, 23, 9)
    )


def test_booking_in_the_past_is_rejected():
    resource = ResourceFactory(min_notice_minutes=0, hours=AROUND_THE_CLOCK)
    book(resource, local(2026, 11, 23, 8), local(2026, 11, 23, 9))  # starts now
    assert_refused("in_the_past", resource, local(2026, 11, 23, 7, 30), local(2026, 11, 23, 8))


def test_horizon_ends_at_the_end_of_the_last_bookable_day():
    # 30 days ahead of Monday 23 November: bookings must end by Thursday 24 December 00:00.
    resource = ResourceFactory(max_days_ahead=30, hours=AROUND_THE_CLOCK)
    book(resource, local(2026, 12, 23, 23), local(2026, 12, 24, 0))
    assert_refused(
        "too_far_ahead", resource, local(2026, 12, 23, 23, 30), local(2026, 12, 24, 0, 30)
    )


def test_unit_not_on_the_allow_list_is_rejected():
    allowed, other = UnitFactory(), UnitFactory()
    resource = ResourceFactory()
    resource.allowed_units.set([allowed])
    book(
        resource,
        local(2026, 11, 24, 9),
        local(2026, 11, 24, 10),
        member=MemberFactory(unit=allowed),
    )
    assert_refused(
        "not_allowed_for_unit",
        resource,
        local(2026, 11, 24, 11),
        local(2026, 11, 24, 12),
        member=MemberFactory(unit=other),
    )


def test_retired_resource_cannot_be_booked():
    resource = ResourceFactory(is_retired=True)
    assert_refused("resource_retired", resource, local(2026, 11, 24, 9), local(2026, 11, 24, 10))


def test_capacity_is_accepted_and_one_more_attendee_rejected():
    resource = ResourceFactory(capacity=10)
    book(resource, local(2026, 11, 24, 9), local(2026, 11, 24, 10), attendees=10)
    assert_refused(
        "too_many_attendees",
        resource,
        local(2026, 11, 24, 11),
        local(2026, 11, 24, 12),
        attendees=11,
    )


def test_inactive_member_cannot_book():
    resource = ResourceFactory()
    member = MemberFactory(is_active=False)
    assert_refused(
        "member_inactive", resource, local(2026, 11, 24, 9), local(2026, 11, 24, 10), member=member
    )


def test_naive_times_and_empty_intervals_are_rejected():
    resource = ResourceFactory()
    naive = local(2026, 11, 24, 9).replace(tzinfo=None)
    assert_refused("naive_datetime", resource, naive, local(2026, 11, 24, 10))
    assert_refused("invalid_interval", resource, local(2026, 11, 24, 10), local(2026, 11, 24, 10))
    assert_refused("invalid_interval", resource, local(2026, 11, 24, 10), local(2026, 11, 24, 9))


def test_purpose_is_required_and_bounded():
    resource = ResourceFactory()
    member = MemberFactory()
    for purpose in ["", "   ", "长" * 201]:
        with pytest.raises(ValidationFailed) as refused:
            booking_create(
                member=member,
                resource_id=resource.pk,
                start=local(2026, 11, 24, 9),
                end=local(2026, 11, 24, 10),
                purpose=purpose,
            )
        assert refused.value.code == "invalid"
        assert "purpose" in refused.value.extra["fields"]
    assert not Booking.objects.exists()


def test_unknown_resource_is_not_found():
    from alliance.errors import NotFound

    with pytest.raises(NotFound):
        booking_create(
            member=MemberFactory(),
            resource_id=999_999,
            start=local(2026, 11, 24, 9),
            end=local(2026, 11, 24, 10),
            purpose="测试",
        )
