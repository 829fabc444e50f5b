"""bookings.search.resource_search agrees with the scheduler slot by slot: on every grid start
of the window, a slot is among the search's answers exactly when booking_rules_check passes
and no blocking booking (with its buffer) is in the way. Compared by brute force over
resources with lunch breaks, buffers, closures, make-up days, notice and bookings.

The clock is Monday 2026-11-23 08:00 in Shanghai.
"""

from __future__ import annotations

import datetime as dt

import pytest

from alliance.errors import ValidationFailed
from bookings.rules import booking_rules_check
from bookings.search import resource_search
from bookings.selectors import (
    blocking_spans_between,
)
from resources.models import Resource
from resources.selectors import resource_calendar_get
from tests.conftest import FROZEN_NOW, local
from tests.factories import (
    BookingFactory,
    ClosureFactory,
    MakeUpWorkingDayFactory,
    MemberFactory,
    ResourceFactory,
)

pytestmark = pytest.mark.django_db

LUNCH_BREAK = [(d, "08:00", "12:00") for d in range(5)] + [(d, "14:00", "18:00") for d in range(5)]


def brute_force(resource: Resource, member, start, end, duration) -> list[tuple]:
    """Every slot of ``duration`` on the grid inside [start, end) the scheduler accepts."""
    resource = Resource.objects.select_related("unit").get(pk=resource.pk)
    allowed = {unit.pk for unit in resource.allowed_units.all()}
    accepted = []
    moment = start
    while moment + duration <= end:
        try:
            booking_rules_check(
                resource=resource,
                member=member,
                allowed_unit_ids=allowed,
                start=moment,
                end=moment + duration,
                attendees=1,
                now=FROZEN_NOW,
                calendar=lambda m=moment: resource_calendar_get(
                    resource=resource, start=m, end=m + duration
                ),
            )
        except ValidationFailed:
            pass
        else:
            if not blocking_spans_between(
                resource_id=resource.pk, start=moment, end=moment + duration, buffer=resource.buffer
            ):
                accepted.append((moment, moment + duration))
        moment += resource.slot
    return accepted


@pytest.fixture
def member():
    return MemberFactory()


@pytest.fixture
def resources(member):
    venue = ResourceFactory(name="报告厅", hours=LUNCH_BREAK, buffer_minutes=30)
    BookingFactory(resource=venue, start=local(2026, 11, 24, 9), end=local(2026, 11, 24, 10))
    BookingFactory(resource=venue, start=local(2026, 11, 24, 15), end=local(2026, 11, 24, 16))
    BookingFactory(
        resource=venue,
        start=local(2026, 11, 24, 16, 30),
        end=local(2026, 11, 24, 17),
        status="cancelled",  # frees its slot
    )
    closed = ResourceFactory(name="质谱仪", slot_minutes=60, min_duration_minutes=60)
    ClosureFactory(resource=closed, start=local(2026, 11, 24, 11), end=local(2026, 11, 24, 13))
    soon = ResourceFactory(name="离心机", min_notice_minutes=26 * 60, buffer_minutes=60)
    BookingFactory(resource=soon, start=local(2026, 11, 24, 12), end=local(2026, 11, 24, 13))
    weekend = ResourceFactory(name="培养箱", slot_minutes=15, min_duration_minutes=15)
    MakeUpWorkingDayFactory(date=dt.date(2026, 11, 28), opens_as=2)
    return [venue, closed, soon, weekend]


@pytest.mark.parametrize(
    ("start", "end", "minutes"),
    [
        (local(2026, 11, 23, 8), local(2026, 11, 23, 20), 60),  # today, inside the notice
        (local(2026, 11, 24, 8), local(2026, 11, 24, 18), 60),
        (local(2026, 11, 24, 8), local(2026, 11, 24, 18), 120),
        (local(2026, 11, 24, 10), local(2026, 11, 24, 15), 90),
        (local(2026, 11, 28, 7), local(2026, 11, 28, 21), 60),  # a make-up Saturday
        (local(2026, 11, 29, 7), local(2026, 11, 29, 21), 60),  # Sunday
    ],
)
def test_the_search_finds_exactly_the_slots_the_scheduler_accepts(
    resources, member, start, end, minutes
):
    duration = dt.timedelta(minutes=minutes)

    results = resource_search(
        resources=resources,
        member=member,
        start=start,
        end=end,
        duration=duration,
        now=FROZEN_NOW,
        count=1000,
    )

    for resource in resources:
        found = [(s.start, s.end) for s in results[resource.pk].first_slots]
        result = results[resource.pk]
        if result.reason in ("not_on_slot_boundary", "too_short", "too_long"):
            continue
        assert found == brute_force(resource, member, start, end, duration), resource.name
        assert (result.reason is None) == bool(found)
