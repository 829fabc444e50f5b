"""Availability of a resource over a date range: open, busy and free intervals, in the
alliance's zone, with closures and buffers, in a fixed number of queries."""

import datetime as dt

import pytest

from bookings.models import BookingStatus
from bookings.selectors import (
    resource_availability_get,
)
from resources.intervals import Interval
from resources.models import Resource
from tests.conftest import FROZEN_NOW, local
from tests.factories import BookingFactory, ClosureFactory, MakeUpWorkingDayFactory, ResourceFactory

pytestmark = pytest.mark.django_db
AROUND_THE_CLOCK = [(d, "00:00", "00:00") for d in range(7)]


def day(n):
    return dt.date(2026, 11, n)


def spans(intervals):
    return [(i.start, i.end) for i in intervals]


def test_open_interval_runs_across_midnight_in_shanghai():
    resource = ResourceFactory(hours=AROUND_THE_CLOCK, min_notice_minutes=0)
    availability = resource_availability_get(
        resource=resource, date_from=day(24), date_to=day(25), now=FROZEN_NOW
    )
    # Two local days are one interval, from Tuesday 00:00 +08:00 (Monday 16:00 UTC).
    assert spans(availability.open) == [(local(2026, 11, 24), local(2026, 11, 26))]
    assert availability.open[0].start.utcoffset() is not None
    assert availability.start == local(2026, 11, 24)
    assert availability.end == local(2026, 11, 26)


def test_booking_across_midnight_is_busy_on_both_days_and_free_keeps_its_buffer():
    resource = ResourceFactory(hours=AROUND_THE_CLOCK, buffer_minutes=30, min_notice_minutes=0)
    BookingFactory(resource=resource, start=local(2026, 11, 24, 23), end=local(2026, 11, 25, 1))
    availability = resource_availability_get(
        resource=resource, date_from=day(24), date_to=day(25), now=FROZEN_NOW
    )
    assert spans(availability.busy) == [(local(2026, 11, 24, 23), local(2026, 11, 25, 1))]
    # A newcomer must end 30 minutes before 23:00 and may start after 01:30.
    assert spans(availability.free) == [
        (local(2026, 11, 24), local(2026, 11, 24, 22, 30)),
        (local(2026, 11, 25, 1, 30), local(2026, 11, 26)),
    ]


def test_closures_are_cut_out_of_open_and_free_but_not_shown_as_busy():
    resource = ResourceFactory(min_notice_minutes=0)
    ClosureFactory(resource=resource, start=local(2026, 11, 24, 12), end=local(2026, 11, 24, 14))
    ClosureFactory(resource=None, start=local(2026, 11, 25), end=local(2026, 11, 26), reason="假日")
    availability = resource_availability_get(
        resource=resource, date_from=day(24), date_to=day(25), now=FROZEN_NOW
    )
    expected = [
        (local(2026, 11, 24, 8), local(2026, 11, 24, 12)),
        (local(2026, 11, 24, 14), local(2026, 11, 24, 20)),
    ]
    assert spans(availability.open) == expected
    assert spans(availability.free) == expected
    assert availability.busy == []


def test_freed_bookings_are_not_busy():
    resource = ResourceFactory()
    for status in [BookingStatus.CANCELLED, BookingStatus.REJECTED, BookingStatus.NO_SHOW]:
        BookingFactory(
            resource=resource,
            start=local(2026, 11, 24, 9),
            end=local(2026, 11, 24, 10),
            status=status,
        )
    pending = BookingFactory(
        resource=resource,
        start=local(2026, 11, 24, 10),
        end=local(2026, 11, 24, 11),
        status=BookingStatus.PENDING,
    )
    availability = resource_availability_get(
        resource=resource, date_from=day(24), date_to=day(24), now=FROZEN_NOW
    )
    assert spans(availability.busy) == [(pending.start, pending.end)]


def test_free_starts_after_notice_and_ends_at_the_horizon():
    resource = ResourceFactory(hours=AROUND_THE_CLOCK, min_notice_minutes=90, max_days_ahead=1)
    availability = resource_availability_get(
        resource=resource, date_from=day(22), date_to=day(26), now=FROZEN_NOW
    )
    # Now is Monday 08:00: free from 09:30 until the end of Tuesday (1 day ahead).
    assert spans(availability.free) == [(local(2026, 11, 23, 9, 30), local(2026, 11, 25))]
    assert spans(availability.open) == [(local(2026, 11, 22), local(2026, 11, 27))]


def test_gaps_shorter_than_the_minimum_duration_are_not_free():
    resource = ResourceFactory(min_duration_minutes=60, min_notice_minutes=0)
    BookingFactory(resource=resource, start=local(2026, 11, 24, 8, 30), end=local(2026, 11, 24, 19))
    availability = resource_availability_get(
        resource=resource, date_from=day(24), date_to=day(24), now=FROZEN_NOW
    )
    # 08:00–08:30 and 19:00–20:00 are open; only the second is long enough.
    assert spans(availability.free) == [(local(2026, 11, 24, 19), local(2026, 11, 24, 20))]


def test_make_up_working_day_is_open():
    resource = ResourceFactory(min_notice_minutes=0)
    MakeUpWorkingDayFactory(date=day(28), opens_as=4)
    availability = resource_availability_get(
        resource=resource, date_from=day(28), date_to=day(29), now=FROZEN_NOW
    )
    assert spans(availability.open) == [(local(2026, 11, 28, 8), local(2026, 11, 28, 20))]


def _busy_resource(weeks):
    resource = ResourceFactory(
        hours=[(d, "08:00", "12:00") for d in range(7)] + [(d, "13:00", "20:00") for d in range(7)],
        buffer_minutes=15,
    )
    for n in range(weeks * 7):
        for hour in (8, 10, 14, 17):
            start = local(2026, 11, 24, hour) + dt.timedelta(days=n)
            BookingFactory(resource=resource, start=start, end=start + dt.timedelta(hours=1))
        ClosureFactory(resource=resource, start=start, end=start + dt.timedelta(minutes=30))
        MakeUpWorkingDayFactory(date=day(24) + dt.timedelta(days=n), opens_as=n % 7)
    return resource


@pytest.mark.parametrize("days", [7, 62])
def test_availability_takes_the_same_few_queries_for_a_week_and_two_months(
    days, django_assert_num_queries
):
    resource = _busy_resource(weeks=9)
    resource = Resource.objects.get(pk=resource.pk)
    # 1 opening hours, 1 make-up days, 1 closures, 1 bookings.
    with django_assert_num_queries(4):
        availability = resource_availability_get(
            resource=resource,
            date_from=day(24),
            date_to=day(24) + dt.timedelta(days=days - 1),
            now=FROZEN_NOW,
        )
    assert len(availability.busy) == days * 4
    assert all(isinstance(i, Interval) for i in availability.free)
