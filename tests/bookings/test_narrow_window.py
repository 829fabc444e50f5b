"""The scheduler's one-statement read and its narrow first window give exactly the answers
of the plain reads over the whole alternatives window (docs/performance.md).

booking_create reads the calendar and the blocking bookings of a day either side of the
slot in one UNION ALL statement, and reads the whole alternatives window only when that
day cannot prove the nearest alternatives. Whatever the bookings, closures, make-up days
and resource settings, a refusal must offer the alternatives that the ORM's separate reads
of the whole window give, and the one statement must read what those reads read.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from alliance.errors import Conflict, ValidationFailed
from bookings.selectors import (
    alternatives_from,
    alternatives_window,
    blocking_spans_between,
    window_calendar_and_blocking_get,
)
from bookings.services import booking_create
from resources.models import Resource
from resources.selectors import resource_calendar_get
from tests.conftest import local
from tests.factories import (
    BookingFactory,
    ClosureFactory,
    MakeUpWorkingDayFactory,
    MemberFactory,
    ResourceFactory,
)

NOW = local(2026, 11, 23, 8)  # Monday
MIDNIGHT = local(2026, 11, 23)

#: The resource and its window around the slot: one round trip on PostgreSQL, where the two
#: statements go out together (bookings.window_reads), two elsewhere.
FIRST_READ = 1 if connection.vendor == "postgresql" else 2


def alternatives_over_the_whole_window(*, resource, start, end, now):
    """The alternatives from the ORM's own reads of the whole alternatives window: what
    the scheduler answered before it read a narrow window first."""
    window = alternatives_window(start=start, end=end, now=now)
    calendar = resource_calendar_get(resource=resource, start=window.start, end=window.end)
    blocking = blocking_spans_between(
        resource_id=resource.pk, start=window.start, end=window.end, buffer=resource.buffer
    )
    return alternatives_from(
        resource=resource, calendar=calendar, blocking=blocking, start=start, end=end, now=now
    )


def refused_alternatives(resource, member, start, end):
    with pytest.raises(Conflict) as refused:
        booking_create(
            member=member, resource_id=resource.pk, start=start, end=end, purpose="比对", now=NOW
        )
    return refused.value.extra["alternatives"]


def book_without_overlap(resource, member, placed, start, end):
    """A booking row unless it would overlap one already placed (buffers included)."""
    blocked_until = end + resource.buffer
    if any(s < blocked_until and start < b for s, b in placed):
        return
    BookingFactory(resource=resource, member=member, unit=member.unit, start=start, end=end)
    placed.append((start, blocked_until))


hours = st.one_of(
    st.just([(d, "00:00", "00:00") for d in range(7)]),  # around the clock
    st.just([(d, "08:00", "20:00") for d in range(5)]),  # the factory's default
    st.dictionaries(  # one window on some weekdays: (start hour / 2, length in 2 hours)
        st.integers(0, 6), st.tuples(st.integers(0, 10), st.integers(1, 12)), min_size=1
    ).map(
        lambda days: (
            [
                (d, f"{2 * h:02d}:00", f"{(2 * h + 2 * n) % 24:02d}:00")
                for d, (h, n) in days.items()
                if 2 * h + 2 * n <= 24
            ]
            or [(0, "08:00", "20:00")]
        )
    ),
)
#: (day from today, start in slots since midnight, length in slots). Long bookings on the
#: next days crowd the day either side of the slot, so that the read must widen; the others
#: lie anywhere in the whole window.
crowding = st.tuples(st.integers(0, 4), st.integers(0, 95), st.integers(8, 96))
anywhere = st.tuples(st.integers(-1, 20), st.integers(0, 95), st.integers(1, 16))
bookings = st.lists(st.one_of(crowding, anywhere), min_size=1, max_size=40)
closures = st.lists(
    st.tuples(st.booleans(), st.integers(0, 20), st.integers(0, 23), st.integers(1, 72)),
    max_size=4,
)


class NarrowWindowProperties(TestCase):
    @settings(
        max_examples=80,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
        derandomize=True,
    )
    @given(
        slot=st.sampled_from([15, 30, 60]),
        buffer=st.sampled_from([0, 15, 30, 60]),
        hours=hours,
        rows=bookings,
        closed=closures,
        makeup=st.one_of(st.none(), st.tuples(st.integers(0, 20), st.integers(0, 6))),
        booked_out=st.sampled_from([0, 0, 2, 3]),
        pick=st.integers(0, 1000),
        length=st.integers(1, 4),
    )
    def test_a_refusal_offers_the_alternatives_of_the_whole_window(
        self, slot, buffer, hours, rows, closed, makeup, booked_out, pick, length
    ):
        resource = ResourceFactory(
            hours=hours,
            slot_minutes=slot,
            min_duration_minutes=slot,
            max_duration_minutes=4 * slot,
            min_notice_minutes=0,
            buffer_minutes=buffer,
        )
        member = MemberFactory()
        step = dt.timedelta(minutes=slot)
        placed: list[tuple[dt.datetime, dt.datetime]] = []
        if booked_out:  # whole days taken from tomorrow on, in back-to-back 6-hour blocks
            start = MIDNIGHT + dt.timedelta(days=1)
            while start < MIDNIGHT + dt.timedelta(days=1 + booked_out):
                end = start + dt.timedelta(hours=6)
                book_without_overlap(resource, member, placed, start, end)
                start = end + resource.buffer
        for day, first, n in rows:
            start = MIDNIGHT + dt.timedelta(days=day) + first * step
            book_without_overlap(resource, member, placed, start, start + n * step)
        for alliance_wide, day, hour, hours_long in closed:
            start = MIDNIGHT + dt.timedelta(days=day, hours=hour)
            ClosureFactory(
                resource=None if alliance_wide else resource,
                start=start,
                end=start + dt.timedelta(hours=hours_long),
            )
        if makeup is not None:
            MakeUpWorkingDayFactory(
                date=(MIDNIGHT + dt.timedelta(days=makeup[0])).date(), opens_as=makeup[1]
            )
        resource = Resource.objects.get(pk=resource.pk)

        # The one statement reads what the ORM's separate reads read.
        span = alternatives_window(start=NOW, end=NOW + dt.timedelta(days=3), now=NOW)
        calendar, blocking = window_calendar_and_blocking_get(
            resource=resource, start=span.start, end=span.end
        )
        assert calendar == resource_calendar_get(resource=resource, start=span.start, end=span.end)
        assert blocking == blocking_spans_between(
            resource_id=resource.pk, start=span.start, end=span.end, buffer=resource.buffer
        )

        # A request for a taken slot of the coming days that keeps every other rule.
        future = [(s, b) for s, b in placed if s >= NOW]
        if not future:
            event("nothing to collide with")
            return
        start = future[pick % len(future)][0]
        if booked_out and pick % 2:  # the middle of the booked-out days
            start = MIDNIGHT + dt.timedelta(days=1, hours=12 * booked_out)
        end = start + length * step
        whole = alternatives_over_the_whole_window(resource=resource, start=start, end=end, now=NOW)
        with CaptureQueriesContext(connection) as reads:
            try:
                booking_create(
                    member=member,
                    resource_id=resource.pk,
                    start=start,
                    end=end,
                    purpose="比对",
                    now=NOW,
                )
            except ValidationFailed as refused:  # A rule (hours, closure): not this property's.
                event(f"refused: {refused.code}")
                return
            except Conflict as refused:
                got = refused.extra["alternatives"]
            else:
                raise AssertionError(f"{start}–{end} overlaps a booking, yet was accepted")
        # The first read when the day either side proved the answer, one more when it widened.
        event(f"{len(reads.captured_queries)} statements")
        event(f"{len(got)} alternatives")
        assert got == whole, (start, end)


@pytest.mark.django_db
@pytest.mark.usefixtures("frozen_now")
class TestWhenTheNarrowWindowSuffices:
    def test_the_nearest_alternatives_come_from_the_first_read(self):
        resource = ResourceFactory(min_notice_minutes=0)
        slot = (local(2026, 11, 24, 10), local(2026, 11, 24, 11))
        BookingFactory(resource=resource, start=slot[0], end=slot[1])

        member = MemberFactory()

        with CaptureQueriesContext(connection) as queries:
            got = refused_alternatives(resource, member, *slot)

        # The resource, then the window's one statement (sent together on PostgreSQL).
        assert len(queries.captured_queries) == FIRST_READ
        assert got == alternatives_over_the_whole_window(
            resource=resource, start=slot[0], end=slot[1], now=NOW
        )
        assert [a.start for a in got] == [  # ties to the earlier slot
            local(2026, 11, 24, 9),
            local(2026, 11, 24, 11),
            local(2026, 11, 24, 8, 30),
        ]

    def test_a_crowded_neighbourhood_widens_to_the_whole_window(self):
        # Tuesday to Thursday are booked out from 08:00 to 20:00: the nearest free hours lie
        # on Monday evening (39 hours before Wednesday's slot) and Friday morning (46 hours
        # after), both farther than the day either side that the first read covers.
        resource = ResourceFactory(min_notice_minutes=0)
        member = MemberFactory()
        for day in (24, 25, 26):
            BookingFactory(
                resource=resource,
                member=member,
                start=local(2026, 11, day, 8),
                end=local(2026, 11, day, 20),
            )
        slot = (local(2026, 11, 25, 10), local(2026, 11, 25, 11))

        with CaptureQueriesContext(connection) as queries:
            got = refused_alternatives(resource, member, *slot)

        assert len(queries.captured_queries) == FIRST_READ + 1  # and the whole window's
        assert got == alternatives_over_the_whole_window(
            resource=resource, start=slot[0], end=slot[1], now=NOW
        )
        assert [a.start for a in got] == [
            local(2026, 11, 23, 19),
            local(2026, 11, 23, 18, 30),
            local(2026, 11, 23, 18),
        ]
