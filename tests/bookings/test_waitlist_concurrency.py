"""The waitlist's races on PostgreSQL (issue 12, docs/bookings-concurrency.md, "The
waitlist"), with real threads and connections:

- freed time offered by two offers at once while four members book it directly: exactly
  one blocking booking ends up in the slot (a hold or a booking), never two;
- a claim racing the hold's lapse: exactly one of them happens;
- the controls: the offer without the resource lock still meets the exclusion constraint
  (one winner), and without the lock and the constraint two holds double-book the slot,
  which shows the race is real.
"""

import datetime as dt
import threading
from collections import Counter

import pytest
from django.db import OperationalError, connection, connections

from alliance.actors import SYSTEM
from alliance.errors import DomainError
from bookings import waitlist_offer as offers
from bookings.locking import DEADLOCK_DETECTED, sqlstate
from bookings.models import BLOCKING_STATUSES, Booking
from bookings.services import booking_cancel, booking_create
from bookings.waitlist import waitlist_claim, waitlist_hold_lapse, waitlist_join
from bookings.waitlist_models import WaitlistEntry
from resources.models import Resource
from tests.conftest import local
from tests.factories import MemberFactory, ResourceFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

NOW = local(2026, 11, 23, 7)
ROUNDS = 4


def run_together(calls):
    """Run each call at once in its own thread and connection; return outcomes."""
    barrier = threading.Barrier(len(calls), timeout=30)
    outcomes: list = [None] * len(calls)

    def run(i):
        try:
            barrier.wait()
            outcomes[i] = calls[i]()
        except DomainError as exc:
            outcomes[i] = exc.code
        except Exception as exc:  # noqa: BLE001 - reported by the assertions below
            outcomes[i] = repr(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return outcomes


def blocking_in(resource, start, end):
    return Booking.objects.filter(
        resource=resource, status__in=BLOCKING_STATUSES, start__lt=end, blocked_until__gt=start
    ).count()


@pytest.fixture
def freed(monkeypatch):
    """A factory of freed slots with two members in line, the fast path switched off so
    that the threads do the offering."""
    monkeypatch.setattr(offers, "_offer_after_commit", lambda resource_id, now: None)
    resource = ResourceFactory()

    def make(start):
        end = start + dt.timedelta(hours=1)
        taken = booking_create(
            member=MemberFactory(),
            resource_id=resource.pk,
            start=start,
            end=end,
            purpose="占",
            now=NOW,
        )
        for i in range(2):
            waitlist_join(
                member=MemberFactory(),
                resource_id=resource.pk,
                start=start,
                end=end,
                purpose="候补",
                now=NOW + dt.timedelta(seconds=i),
            )
        booking_cancel(actor=taken.member, booking_id=taken.pk, now=NOW)
        return end

    return resource, make


def offer_call(resource):
    return lambda: len(offers.waitlist_offer(resource_id=resource.pk, now=NOW))


def book_call(resource, start, end):
    member = MemberFactory()

    def book():
        booking_create(
            member=member, resource_id=resource.pk, start=start, end=end, purpose="抢", now=NOW
        )
        return "won"

    return book


def test_offers_racing_direct_bookings_leave_one_blocking_booking(freed):
    resource, make = freed
    for round_ in range(ROUNDS):
        start = local(2026, 11, 24 + round_, 9)
        end = make(start)
        calls = [offer_call(resource), offer_call(resource)]
        calls += [book_call(resource, start, end) for _ in range(4)]
        outcomes = run_together(calls)
        offered, booked = outcomes[:2], outcomes[2:]
        assert set(booked) <= {"won", "conflict", "resource_busy"}, outcomes
        assert set(offered) <= {0, 1}, outcomes
        assert sum(offered) + booked.count("won") == 1, outcomes
        assert blocking_in(resource, start, end) == 1
        held = WaitlistEntry.objects.filter(resource=resource, start=start, status="offered")
        assert held.count() == sum(offered)


def test_a_claim_racing_the_lapse_has_exactly_one_outcome(freed):
    resource, make = freed
    results = Counter()
    for round_ in range(ROUNDS):
        start = local(2026, 11, 24 + round_, 9)
        make(start)
        offers.waitlist_offer(resource_id=resource.pk, now=NOW)
        entry = WaitlistEntry.objects.get(resource=resource, start=start, status="offered")
        expires = entry.hold_expires_at

        def claim(entry=entry, expires=expires):
            waitlist_claim(
                member=entry.member, entry_id=entry.pk, now=expires - dt.timedelta(seconds=1)
            )
            return "claimed"

        def lapse(entry=entry, expires=expires):
            waitlist_hold_lapse(actor=SYSTEM, booking_id=entry.hold_id, now=expires)
            return "lapsed"

        outcomes = run_together([claim, lapse])
        entry.refresh_from_db()
        hold = Booking.objects.get(pk=entry.hold_id)
        won = [o for o in outcomes if o in ("claimed", "lapsed")]
        assert len(won) == 1, outcomes
        results[won[0]] += 1
        if won == ["claimed"]:
            assert (entry.status, hold.status) == ("claimed", "approved")
            assert outcomes[1] == "invalid_transition"
        else:
            assert (entry.status, hold.status) == ("lapsed", "expired")
            assert outcomes[0] in ("waitlist_hold_expired", "invalid_transition")
    assert sum(results.values()) == ROUNDS


def _lock_free(resource_id):
    return Resource.objects.get(pk=resource_id)


def _read_then_wait(parties):
    """In place of the offer's read of the slot: read, then wait until every offer has
    read, so that all decide on the same free slot (the widest race)."""
    line_up = threading.Barrier(parties, timeout=30)
    real_read = offers.blocking_spans_between
    seen = threading.local()

    def read_then_wait(**kwargs):
        spans = real_read(**kwargs)
        if not getattr(seen, "waited", False):  # each offer's first read only
            seen.waited = True
            line_up.wait()
        return spans

    return read_then_wait


def _offer_or_deadlock(resource):
    """An offer whose deadlock with the other is an outcome, not a failure."""
    offer = offer_call(resource)

    def call():
        try:
            return offer()
        except OperationalError as exc:
            if sqlstate(exc) != DEADLOCK_DETECTED:
                raise
            return "deadlock"

    return call


def test_control_without_the_lock_the_constraint_alone_keeps_one_hold(freed, monkeypatch):
    """Both offers read the slot free and insert a hold for the same entry; the constraint
    refuses the second (0 holds made), or PostgreSQL breaks the deadlock of two inserts
    waiting on each other's constraint check by aborting one; either way one hold."""
    resource, make = freed
    start = local(2026, 11, 24, 9)
    end = make(start)
    monkeypatch.setattr(offers, "resource_lock", _lock_free)
    monkeypatch.setattr(offers, "blocking_spans_between", _read_then_wait(2))
    outcomes = run_together([_offer_or_deadlock(resource), _offer_or_deadlock(resource)])
    assert sorted(outcomes, key=str) in ([0, 1], [1, "deadlock"]), outcomes
    assert blocking_in(resource, start, end) == 1


def test_control_without_the_lock_and_the_constraint_two_holds_double_book(freed, monkeypatch):
    """The race is real: with neither the lock nor the exclusion constraint, two offers
    that read the same free slot both hold it."""
    resource, make = freed
    start = local(2026, 11, 24, 9)
    end = make(start)
    constraint = next(
        c for c in Booking._meta.constraints if c.name == "booking_no_overlap_per_resource"
    )
    with connection.schema_editor() as editor:
        editor.remove_constraint(Booking, constraint)
    try:
        monkeypatch.setattr(offers, "resource_lock", _lock_free)
        monkeypatch.setattr(offers, "blocking_spans_between", _read_then_wait(2))
        outcomes = run_together([offer_call(resource), offer_call(resource)])
        assert outcomes == [1, 1], outcomes
        assert blocking_in(resource, start, end) == 2
    finally:
        WaitlistEntry.objects.all().delete()
        Booking.objects.all().delete()
        with connection.schema_editor() as editor:
            editor.add_constraint(Booking, constraint)
