"""Property (issue 12): the scheduler's invariant holds with the waitlist's holds among the
operations. Whatever sequence of bookings, cancellations, joins, claims, declines and
clock ticks (which run the jobs) arrives:

- no two blocking bookings of a resource overlap, holds included;
- every offered entry points to a held booking of its member and slot, and every held
  booking belongs to an offered entry; claimed entries point to a pending or approved one;
- no waiting entry's slot is free (freed time is offered at once, on commit or by the
  jobs), and no member is twice in one line.
"""

import datetime as dt

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from alliance.errors import Conflict, ValidationFailed
from bookings.jobs import waitlist_offers_due
from bookings.models import BLOCKING_STATUSES, Booking
from bookings.services import booking_cancel, booking_create
from bookings.waitlist import waitlist_claim, waitlist_decline, waitlist_join, waitlist_leave
from bookings.waitlist_models import ACTIVE_STATUSES, WaitlistEntry
from tests.conftest import local
from tests.factories import MemberFactory, ResourceFactory

NOW = local(2026, 11, 23, 8)  # Monday
DAY = local(2026, 11, 24)  # every slot is on Tuesday
HOUR = dt.timedelta(hours=1)

slot = st.tuples(st.integers(0, 3), st.integers(8, 14), st.integers(1, 3))  # who, hour, hours
operation = st.one_of(
    st.tuples(st.just("book"), slot),
    st.tuples(st.just("join"), slot),
    st.tuples(st.just("join"), slot),
    st.tuples(st.just("cancel"), st.integers(0, 40)),
    st.tuples(st.just("claim"), st.integers(0, 40)),
    st.tuples(st.just("decline"), st.integers(0, 40)),
    st.tuples(st.just("leave"), st.integers(0, 40)),
    st.tuples(st.just("tick"), st.integers(5, 40)),  # minutes; runs the jobs
)


class WaitlistSequenceProperties(TestCase):
    @settings(
        max_examples=40,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
        derandomize=True,
    )
    @given(
        st.lists(st.tuples(st.just("book"), slot), min_size=2, max_size=5),
        st.lists(operation, min_size=6, max_size=30),
    )
    def test_random_sequences_keep_the_invariant_with_holds(self, bookings, operations):
        resource = ResourceFactory(
            hours=[(d, "00:00", "00:00") for d in range(7)],
            min_notice_minutes=0,
            buffer_minutes=30,
        )
        members = [MemberFactory() for _ in range(4)]
        self.now = NOW
        with self.settings(WAITLIST_HOLD_MINUTES=30, CREDIT_LATE_CANCEL_COSTS=()):
            for step in bookings + operations:
                with self.captureOnCommitCallbacks(execute=True):
                    outcome = self.apply(step, resource, members)
                event(f"{step[0]}: {outcome}")
                self.assert_invariant(resource)

    def apply(self, step, resource, members):
        kind, arg = step
        try:
            if kind in ("book", "join"):
                who, hour, hours = arg
                start = DAY + dt.timedelta(hours=hour)
                ask = {
                    "member": members[who],
                    "resource_id": resource.pk,
                    "start": start,
                    "end": start + hours * HOUR,
                    "purpose": "性质",
                    "now": self.now,
                }
                (booking_create if kind == "book" else waitlist_join)(**ask)
            elif kind == "cancel":
                live = list(Booking.objects.filter(status__in=("pending", "approved")))
                if not live:
                    return "nothing"
                target = live[arg % len(live)]
                booking_cancel(actor=target.member, booking_id=target.pk, now=self.now)
            elif kind in ("claim", "decline", "leave"):
                entries = list(WaitlistEntry.objects.select_related("member").order_by("pk"))
                # Mostly the entries the action is for (offered, or waiting to leave).
                wanted = "waiting" if kind == "leave" else "offered"
                entries = [e for e in entries if e.status == wanted] or entries
                if not entries:
                    return "nothing"
                entry = entries[arg % len(entries)]
                act = {"claim": waitlist_claim, "decline": waitlist_decline}.get(
                    kind, waitlist_leave
                )
                act(member=entry.member, entry_id=entry.pk, now=self.now)
            else:
                self.now += dt.timedelta(minutes=arg)
                waitlist_offers_due(now=self.now)
        except (ValidationFailed, Conflict) as refused:
            return refused.code
        return "done"

    def assert_invariant(self, resource):
        blocking = list(
            Booking.objects.filter(resource=resource, status__in=BLOCKING_STATUSES).order_by(
                "start"
            )
        )
        for before, after in zip(blocking, blocking[1:], strict=False):
            assert before.blocked_until <= after.start, (before, after)
        entries = list(WaitlistEntry.objects.select_related("hold"))
        held = {b.pk for b in blocking if b.status == "held"}
        offered = {e.hold_id for e in entries if e.status == "offered"}
        assert held == offered
        for entry in entries:
            if entry.status == "offered":
                hold = entry.hold
                assert (hold.member_id, hold.start, hold.end) == (
                    entry.member_id,
                    entry.start,
                    entry.end,
                )
                assert entry.hold_expires_at > self.now  # the jobs lapse it at its expiry
            if entry.status == "claimed":
                assert entry.hold.status in ("pending", "approved", "cancelled")
            if entry.status == "waiting" and entry.start > self.now:
                in_the_way = [
                    b
                    for b in blocking
                    if b.start < entry.end + resource.buffer and b.blocked_until > entry.start
                ]
                assert in_the_way, f"waiting entry {entry.pk} has a free slot"
        active = [(e.member_id, e.start, e.end) for e in entries if e.status in ACTIVE_STATUSES]
        assert len(active) == len(set(active))
