"""Property: whatever sequence of bookings and cancellations arrives, no two blocking
bookings of a resource overlap (buffers included), and every accepted booking keeps every
rule. An independent oracle, written from the rules' plain statement, judges each request.
"""

import datetime as dt

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from alliance.errors import Conflict, ValidationFailed
from bookings.models import BLOCKING_STATUSES, Booking
from bookings.services import booking_cancel, booking_create
from tests.conftest import local
from tests.factories import MemberFactory, ResourceFactory

NOW = local(2026, 11, 23, 8)  # Monday
SLOT = dt.timedelta(minutes=30)
BUFFER = dt.timedelta(minutes=30)
# Weekdays 08:30–12:00 and 13:30–18:00; Saturday mornings.
WINDOWS = {d: [(dt.time(8, 30), dt.time(12)), (dt.time(13, 30), dt.time(18))] for d in range(5)}
WINDOWS[5] = [(dt.time(9), dt.time(12))]

# Mostly plausible requests crowded onto two days, so that many collide; some anywhere.
crowded = st.tuples(st.just("create"), st.integers(1, 2), st.integers(17, 32), st.integers(2, 5))
anywhere = st.tuples(
    st.just("create"),
    st.integers(0, 8),  # day offset from today
    st.integers(14, 40),  # start, in slots since local midnight (07:00–20:00)
    st.integers(0, 8),  # length in slots (0 is an empty interval)
)
create = st.one_of(crowded, crowded, crowded, anywhere)
cancel = st.tuples(st.just("cancel"), st.integers(0, 30))


def oracle_rule_broken(start, end):
    """The rule a request breaks, from the rules' plain statement, or None."""
    if end <= start:
        return "invalid_interval"
    if start < NOW:
        return "in_the_past"
    if start < NOW + dt.timedelta(minutes=60):
        return "too_little_notice"
    if end > local(2026, 11, 30):  # 6 days ahead: until the end of Sunday 29 November
        return "too_far_ahead"
    if end - start < dt.timedelta(minutes=60):
        return "too_short"
    if end - start > dt.timedelta(minutes=180):
        return "too_long"
    windows = WINDOWS.get(start.weekday(), [])
    inside = any(
        start.date() == end.date() and w_start <= start.time() and end.time() <= w_end
        for w_start, w_end in windows
    )
    return None if inside else "outside_opening_hours"


class BookingSequenceProperties(TestCase):
    @settings(
        max_examples=60,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
        derandomize=True,
    )
    @given(st.lists(st.one_of(create, create, cancel), min_size=6, max_size=25))
    def test_random_sequences_never_double_book_and_keep_every_rule(self, operations):
        resource = ResourceFactory(
            hours=[(d, s.isoformat(), e.isoformat()) for d, ws in WINDOWS.items() for s, e in ws],
            slot_minutes=30,
            min_duration_minutes=60,
            max_duration_minutes=180,
            min_notice_minutes=60,
            max_days_ahead=6,
            buffer_minutes=30,
        )
        member = MemberFactory()
        accepted: list[Booking] = []
        for operation in operations:
            if operation[0] == "create":
                _, day, slot, length = operation
                start = local(2026, 11, 23) + dt.timedelta(days=day) + slot * SLOT
                end = start + length * SLOT
                expected_rule = oracle_rule_broken(start, end)
                overlapping = [
                    b
                    for b in accepted
                    if b.status in BLOCKING_STATUSES
                    and b.start < end + BUFFER
                    and start < b.blocked_until
                ]
                outcome, detail = self.attempt(resource, member, start, end)
                event(outcome if outcome != "refused" else detail.code)
                if outcome == "accepted":
                    assert expected_rule is None, (start, end)
                    assert not overlapping, (start, end)
                    accepted.append(detail)
                elif outcome == "conflict":
                    assert expected_rule is None, (start, end)
                    assert overlapping, (start, end)
                    assert detail.extra["conflicts"]
                else:
                    assert detail.code == expected_rule, (start, end, detail.code)
            else:
                live = [b for b in accepted if b.status in BLOCKING_STATUSES]
                if live:
                    target = live[operation[1] % len(live)]
                    target.status = booking_cancel(
                        actor=member, booking_id=target.pk, now=NOW
                    ).status
            self.assert_invariants(resource)

    @staticmethod
    def attempt(resource, member, start, end):
        try:
            booking = booking_create(
                member=member,
                resource_id=resource.pk,
                start=start,
                end=end,
                purpose="性质测试",
                now=NOW,
            )
        except ValidationFailed as refused:
            return "refused", refused
        except Conflict as refused:
            return "conflict", refused
        return "accepted", booking

    def assert_invariants(self, resource):
        rows = list(
            Booking.objects.filter(resource=resource, status__in=BLOCKING_STATUSES).order_by(
                "start"
            )
        )
        for earlier, later in zip(rows, rows[1:], strict=False):
            assert earlier.blocked_until <= later.start, (earlier, later)
        for booking in rows:
            start = booking.start.astimezone(local(2026, 1, 1).tzinfo)
            end = booking.end.astimezone(start.tzinfo)
            assert oracle_rule_broken(start, end) is None
            assert booking.blocked_until == booking.end + BUFFER
