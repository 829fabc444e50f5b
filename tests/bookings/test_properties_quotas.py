"""Property (issue 12): whatever sequence of bookings and cancellations arrives, no quota is
ever exceeded, and the scheduler refuses with ``quota_exceeded`` exactly when an independent
oracle, counting from the quotas' plain statement, says the request would exceed one.
"""

import datetime as dt

from django.test import override_settings
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from alliance.errors import Conflict, ValidationFailed
from bookings.models import Booking, Quota
from bookings.services import booking_cancel, booking_create
from resources.models import ResourceKind
from tests.conftest import local
from tests.factories import MemberFactory, ResourceFactory

NOW = local(2026, 11, 23, 8)  # Monday
HOUR = dt.timedelta(hours=1)
LIVE = ("pending", "approved", "completed")

create = st.tuples(
    st.just("create"),
    st.integers(0, 2),  # member (0 and 1 share a unit)
    st.integers(0, 1),  # resource (both of one kind)
    st.integers(1, 9),  # day offset: this week and next
    st.integers(8, 16),  # start hour
    st.integers(1, 3),  # hours
)
cancel = st.tuples(st.just("cancel"), st.integers(0, 30))


def week_of(moment):
    day = moment.astimezone(NOW.tzinfo).date()
    return day - dt.timedelta(days=day.weekday())


def oracle_exceeds(rows, *, member, unit, start, hours):
    """Whether a booking of ``hours`` at ``start`` would break a quota (see the fixture)."""
    day = start.date()
    mine_today = [
        b for b in rows if b.member_id == member and b.start.astimezone(NOW.tzinfo).date() == day
    ]
    if len(mine_today) + 1 > 2:  # each member: at most 2 bookings per day, both resources
        return True
    unit_week = sum(
        (b.end - b.start) / HOUR
        for b in rows
        if b.unit_id == unit and week_of(b.start) == week_of(start)
    )
    if unit_week + hours > 6:  # each unit: at most 6 hours per week, both resources
        return True
    mine_ahead = sum(
        (b.end - b.start) / HOUR for b in rows if b.member_id == member and b.end > NOW
    )
    return mine_ahead + hours > 8  # each member: at most 8 hours booked ahead


class QuotaSequenceProperties(TestCase):
    @settings(
        max_examples=40,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
        derandomize=True,
    )
    @given(st.lists(st.one_of(create, create, cancel), min_size=6, max_size=25))
    @override_settings(CREDIT_LATE_CANCEL_COSTS=())
    def test_random_sequences_never_exceed_a_quota(self, operations):
        hours = [(d, "00:00", "00:00") for d in range(7)]
        resources = [
            ResourceFactory(hours=hours, kind=ResourceKind.EQUIPMENT, max_days_ahead=14)
            for _ in range(2)
        ]
        Quota.objects.create(
            kind=ResourceKind.EQUIPMENT, scope="member", measure="bookings", period="day", limit=2
        )
        Quota.objects.create(
            kind=ResourceKind.EQUIPMENT, scope="unit", measure="hours", period="week", limit=6
        )
        Quota.objects.create(
            kind=ResourceKind.EQUIPMENT,
            scope="member",
            measure="hours_ahead",
            period="none",
            limit=8,
        )
        first = MemberFactory()
        members = [first, MemberFactory(unit=first.unit), MemberFactory()]
        accepted: list[Booking] = []
        for operation in operations:
            if operation[0] == "create":
                _, who, which, day, hour, length = operation
                member, resource = members[who], resources[which]
                start = local(2026, 11, 23) + dt.timedelta(days=day, hours=hour)
                live = [b for b in accepted if b.status in LIVE]
                exceeds = oracle_exceeds(
                    live, member=member.pk, unit=member.unit_id, start=start, hours=length
                )
                outcome = self.attempt(member, resource, start, start + length * HOUR)
                event(outcome if isinstance(outcome, str) else "accepted")
                if isinstance(outcome, Booking):
                    assert not exceeds, (start, length)
                    accepted.append(outcome)
                elif outcome == "quota_exceeded":
                    assert exceeds, (start, length)
                else:
                    assert outcome == "conflict", outcome
            else:
                live = [b for b in accepted if b.status in LIVE]
                if live:
                    target = live[operation[1] % len(live)]
                    target.status = booking_cancel(
                        actor=target.member, booking_id=target.pk, now=NOW
                    ).status
            self.assert_no_quota_exceeded(members)

    @staticmethod
    def attempt(member, resource, start, end):
        try:
            return booking_create(
                member=member,
                resource_id=resource.pk,
                start=start,
                end=end,
                purpose="配额性质",
                now=NOW,
            )
        except (ValidationFailed, Conflict) as refused:
            return refused.code

    @staticmethod
    def assert_no_quota_exceeded(members):
        rows = list(Booking.objects.filter(status__in=LIVE))
        for member in members:
            mine = [b for b in rows if b.member_id == member.pk]
            days = {}
            for b in mine:
                day = b.start.astimezone(NOW.tzinfo).date()
                days[day] = days.get(day, 0) + 1
            assert max(days.values(), default=0) <= 2
            assert sum((b.end - b.start) / HOUR for b in mine if b.end > NOW) <= 8
        weeks = {}
        for b in rows:
            key = (b.unit_id, week_of(b.start))
            weeks[key] = weeks.get(key, 0) + (b.end - b.start) / HOUR
        assert max(weeks.values(), default=0) <= 6
