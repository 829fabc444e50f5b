"""Property: the scheduler's no-overlap invariant holds with series too. Whatever mix of
single bookings, series (all-or-nothing or skipping clashes) and series cancellations
arrives, no two blocking bookings of a resource overlap (buffers included), every stored
occurrence keeps the rules, and an all-or-nothing refusal stores nothing."""

import datetime as dt

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from alliance.errors import Conflict, ValidationFailed
from bookings.models import BLOCKING_STATUSES, Booking, BookingSeries
from bookings.series import series_act, series_create
from bookings.services import booking_create
from tests.conftest import local
from tests.factories import MemberFactory, ResourceFactory

NOW = local(2026, 11, 23, 8)  # Monday
SLOT = dt.timedelta(minutes=30)
BUFFER = dt.timedelta(minutes=30)
HORIZON = local(2027, 1, 31)  # max_days_ahead=69: until the end of Sunday 31 January 2027

# Start slots 16..34 (08:00–17:00) on the next few days; lengths 2..4 slots.
single = st.tuples(st.just("single"), st.integers(1, 12), st.integers(16, 34), st.integers(2, 4))
series = st.tuples(
    st.just("series"),
    st.integers(1, 12),
    st.integers(16, 34),
    st.integers(2, 4),
    st.sampled_from(["FREQ=WEEKLY;COUNT=4", "FREQ=DAILY;COUNT=5", "FREQ=WEEKLY;COUNT=12"]),
    st.sampled_from(["all", "skip"]),
)
cancel = st.tuples(st.just("cancel"), st.integers(0, 10), st.sampled_from(["all", "following"]))


def broken(start, end):
    """Whether [start, end) breaks a rule of the resource (weekdays 08:00–18:00, horizon)."""
    local_start = start.astimezone(NOW.tzinfo)
    local_end = end.astimezone(NOW.tzinfo)
    return (
        end > HORIZON
        or local_start.weekday() >= 5
        or local_start.time() < dt.time(8)
        or local_end.time() > dt.time(18)
        or local_start.date() != local_end.date()
    )


class SeriesSequenceProperties(TestCase):
    @settings(
        max_examples=25,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
        derandomize=True,
    )
    @given(st.lists(st.one_of(single, series, series, cancel), min_size=4, max_size=12))
    def test_series_never_double_book(self, operations):
        resource = ResourceFactory(
            hours=[(d, "08:00", "18:00") for d in range(5)],
            max_days_ahead=69,
            buffer_minutes=30,
            min_notice_minutes=60,
        )
        member = MemberFactory()
        for operation in operations:
            if operation[0] == "cancel":
                made = list(BookingSeries.objects.filter(resource=resource))
                if made:
                    target = made[operation[1] % len(made)]
                    first = target.occurrences.order_by("start").first()
                    try:
                        series_act(
                            actor=member,
                            series_id=target.pk,
                            action="cancel",
                            scope=operation[2],
                            booking_id=first.pk,
                            now=NOW,
                        )
                    except Conflict as nothing:
                        event(nothing.code)  # series_nothing_to_do: all started or cancelled
            else:
                start = local(2026, 11, 23) + dt.timedelta(days=operation[1]) + operation[2] * SLOT
                length = operation[3] * SLOT
                before = Booking.objects.count()
                try:
                    if operation[0] == "single":
                        booking_create(
                            member=member,
                            resource_id=resource.pk,
                            start=start,
                            end=start + length,
                            purpose="性质测试",
                            now=NOW,
                        )
                    else:
                        series_create(
                            member=member,
                            resource_id=resource.pk,
                            rule=operation[4],
                            start=start,
                            duration=length,
                            purpose="性质测试",
                            mode=operation[5],
                            now=NOW,
                        )
                    event(f"{operation[0]} accepted")
                except (ValidationFailed, Conflict) as refused:
                    event(f"{operation[0]} {refused.code}")
                    assert Booking.objects.count() == before  # a refusal stores nothing
            self.assert_invariants(resource)

    def assert_invariants(self, resource):
        rows = list(
            Booking.objects.filter(resource=resource, status__in=BLOCKING_STATUSES).order_by(
                "start"
            )
        )
        for earlier, later in zip(rows, rows[1:], strict=False):
            assert earlier.blocked_until <= later.start, (earlier, later)
        for booking in rows:
            assert not broken(booking.start, booking.end), booking
            assert booking.blocked_until == booking.end + BUFFER
