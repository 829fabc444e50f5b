"""The scheduler's two phases (docs/bookings-concurrency.md, "Refusing without the lock"):
a refusal decided from one read before the lock, and a winner that checks again under the
lock what may have changed since that read.

The seam ``bookings.services._resource_lock`` lets a test change the world exactly between
the read and the lock, as a concurrent writer would.
"""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from alliance.errors import Conflict, ValidationFailed
from alliance.models import MemberRole
from bookings import services
from bookings.models import Booking
from bookings.selectors import (
    alternatives_from,
    alternatives_window,
    blocking_spans_between,
)
from bookings.services import booking_create
from resources.calendar_services import closure_create, opening_hours_set
from resources.locking import resource_lock
from resources.models import Resource
from resources.selectors import resource_calendar_get
from tests.conftest import FROZEN_NOW, local
from tests.factories import BookingFactory, MemberFactory, ResourceFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]

SLOT = (local(2026, 11, 24, 10), local(2026, 11, 24, 11))


def alternatives_searched_apart(*, resource, start, end, now):
    """The alternatives as a search of its own would find them: its own reads of the
    calendar and the blocking bookings of the alternatives window."""
    window = alternatives_window(start=start, end=end, now=now)
    calendar = resource_calendar_get(resource=resource, start=window.start, end=window.end)
    blocking = blocking_spans_between(
        resource_id=resource.pk, start=window.start, end=window.end, buffer=resource.buffer
    )
    return alternatives_from(
        resource=resource, calendar=calendar, blocking=blocking, start=start, end=end, now=now
    )


def book(resource, start=SLOT[0], end=SLOT[1], member=None):
    return booking_create(
        member=member or MemberFactory(),
        resource_id=resource.pk,
        start=start,
        end=end,
        purpose="单细胞测序",
    )


def between_read_and_lock(monkeypatch, change):
    """Run ``change`` after booking_create's read and before it takes the lock, a minute
    later (so that the resource's ``updated_at`` moves, as it does with a real clock)."""

    def change_then_lock(resource_id):
        with time_machine.travel(FROZEN_NOW + dt.timedelta(minutes=1), tick=False):
            change(resource_id)
        return resource_lock(resource_id)

    monkeypatch.setattr(services, "_resource_lock", change_then_lock)


def test_a_refusal_from_the_read_never_takes_the_lock(monkeypatch):
    resource = ResourceFactory()
    book(resource)

    def lock_must_not_be_taken(resource_id):
        raise AssertionError("a refusal decided before the lock took it")

    monkeypatch.setattr(services, "_resource_lock", lock_must_not_be_taken)
    with pytest.raises(Conflict) as refused:
        book(resource)
    assert [(c.start, c.end) for c in refused.value.extra["conflicts"]] == [SLOT]


def test_a_refusal_offers_the_alternatives_a_separate_search_would(monkeypatch):
    resource = ResourceFactory(buffer_minutes=15)
    for hour in (9, 10, 12, 14):
        BookingFactory(
            resource=resource,
            start=local(2026, 11, 24, hour),
            end=local(2026, 11, 24, hour, 45),
            blocked_until=local(2026, 11, 24, hour + 1),
        )

    with pytest.raises(Conflict) as refused:
        book(resource)

    separate = alternatives_searched_apart(
        resource=Resource.objects.get(pk=resource.pk), start=SLOT[0], end=SLOT[1], now=FROZEN_NOW
    )
    assert refused.value.extra["alternatives"] == separate
    assert refused.value.extra["alternatives"][0].start == local(2026, 11, 24, 15)


def test_a_slot_taken_between_the_read_and_the_lock_is_refused_under_the_lock(monkeypatch):
    resource = ResourceFactory()
    between_read_and_lock(
        monkeypatch,
        lambda resource_id: BookingFactory(resource=resource, start=SLOT[0], end=SLOT[1]),
    )

    with pytest.raises(Conflict) as refused:
        book(resource)

    assert [(c.start, c.end) for c in refused.value.extra["conflicts"]] == [SLOT]
    assert SLOT not in [(a.start, a.end) for a in refused.value.extra["alternatives"]]


def test_a_resource_retired_between_the_read_and_the_lock_is_not_booked(monkeypatch):
    resource = ResourceFactory()
    between_read_and_lock(
        monkeypatch,
        lambda resource_id: Resource.objects.filter(pk=resource_id).update(
            is_retired=True, updated_at=FROZEN_NOW + dt.timedelta(minutes=1)
        ),
    )

    with pytest.raises(ValidationFailed, match="retired"):
        book(resource)
    assert not Booking.objects.exists()


def test_opening_hours_changed_between_the_read_and_the_lock_are_the_ones_that_count(
    monkeypatch,
):
    resource = ResourceFactory()
    secretariat = MemberFactory(role=MemberRole.SECRETARIAT)
    between_read_and_lock(
        monkeypatch,
        lambda resource_id: opening_hours_set(
            actor=secretariat,
            resource_id=resource_id,
            windows=[(d, dt.time(14), dt.time(20)) for d in range(5)],
        ),
    )

    with pytest.raises(ValidationFailed, match="open"):
        book(resource)
    assert not Booking.objects.exists()


def test_a_closure_made_between_the_read_and_the_lock_is_the_one_that_counts(monkeypatch):
    resource = ResourceFactory()
    secretariat = MemberFactory(role=MemberRole.SECRETARIAT)
    between_read_and_lock(
        monkeypatch,
        lambda resource_id: closure_create(
            actor=secretariat,
            resource_id=resource_id,
            start=local(2026, 11, 24, 8),
            end=local(2026, 11, 24, 20),
            reason="检修",
        ),
    )

    with pytest.raises(ValidationFailed) as refused:
        book(resource)
    assert refused.value.code == "closed"
    assert not Booking.objects.exists()
