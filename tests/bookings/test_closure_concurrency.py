"""A closure racing new bookings on PostgreSQL never leaves a booking inside the closure.

Real threads, each with its own connection. The closure writer takes the resource's lock
before it looks for hits and advances the resource's ``updated_at`` under it
(bookings.closures); booking_create re-reads the rules when the row changed between its
read and its lock (docs/bookings-concurrency.md). The two interleavings that matter are
forced one after the other, each with a control that breaks the protocol and shows the race
is real: a booking that read before the closure and locks after it, and a booking that holds
the lock, inserted but not committed, while the closure looks for hits. A free-for-all of
many bookers and the closure released together closes the file.
"""

import datetime as dt
import threading

import pytest
from django.db import connections

from alliance.errors import DomainError
from alliance.models import MemberRole
from bookings import closures, services
from bookings.closures import closure_create_with_cancellations
from bookings.models import BLOCKING_STATUSES, Booking
from bookings.services import booking_create
from resources.locking import resource_lock
from resources.models import Resource
from tests.conftest import local
from tests.factories import MemberFactory, ResourceFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

NOW = local(2026, 11, 23, 8)
WAIT = 10  # seconds a thread waits for the other before the test counts it as stuck
HELD = 2  # seconds the booker holds its uncommitted insert, waiting for a closure that may not come


@pytest.fixture
def lab():
    resource = ResourceFactory(
        hours=[(d, "00:00", "00:00") for d in range(7)],
        max_duration_minutes=24 * 60,
        slot_minutes=15,
        min_duration_minutes=15,
    )
    manager = MemberFactory(unit=resource.unit, role=MemberRole.UNIT_MANAGER)
    return resource, manager


def inside(resource, start, end):
    """Blocking bookings of ``resource`` left inside [start, end)."""
    return Booking.objects.filter(
        resource=resource, status__in=BLOCKING_STATUSES, start__lt=end, end__gt=start
    ).count()


def run(*targets):
    """Run each target in its own thread with its own connection; their outcomes."""
    outcomes: list = [None] * len(targets)

    def go(i):
        try:
            outcomes[i] = targets[i]()
        except DomainError as exc:
            outcomes[i] = exc.code
        except Exception as exc:  # noqa: BLE001 - reported by the assertions below
            outcomes[i] = repr(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=go, args=(i,)) for i in range(len(targets))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return outcomes


def book(resource, member, start, hours=1):
    def target():
        booking_create(
            member=member,
            resource_id=resource.pk,
            start=start,
            end=start + dt.timedelta(hours=hours),
            purpose="抢在维修前",
            now=NOW,
        )
        return "won"

    return target


def close(resource, manager, start, end):
    def target():
        outcome = closure_create_with_cancellations(
            actor=manager,
            resource_id=resource.pk,
            start=start,
            end=end,
            reason="紧急维修",
            confirm=True,
            now=NOW,
        )
        return f"closed, cancelled {len(outcome.cancelled)}"

    return target


def _locked_without_advancing(resource_id, actor):
    """A closure writer that locks but forgets to advance ``updated_at`` (the control)."""
    resource = resource_lock(resource_id)
    closures._close_require(actor, resource)
    return [resource]


def _neither_locked_nor_advanced(resource_id, actor):
    """A closure writer that skips the lock protocol altogether (the control)."""
    resource = Resource.objects.select_related("unit").get(pk=resource_id)
    closures._close_require(actor, resource)
    return [resource]


# --- 1. The booking read the rules before the closure, and reaches the lock after it ------


def booking_reads_then_waits_for_the_closure(monkeypatch):
    """booking_create's lock seam: tell the closure the read is done, then wait for it."""
    read, closed = threading.Event(), threading.Event()
    real = services._resource_lock

    def seam(resource_id):
        read.set()
        assert closed.wait(WAIT), "the closure never finished"
        return real(resource_id)

    monkeypatch.setattr(services, "_resource_lock", seam)
    return read, closed


def closure_after(event, done, target):
    def after():
        assert event.wait(WAIT), "the booking never read"
        try:
            return target()
        finally:
            done.set()

    return after


@pytest.mark.parametrize("protocol", ["kept", "control: updated_at not advanced"])
def test_a_booking_that_read_before_the_closure_is_refused_under_the_lock(
    lab, monkeypatch, protocol
):
    resource, manager = lab
    booker = MemberFactory()
    start, end = local(2026, 11, 24, 8), local(2026, 11, 24, 18)
    if protocol != "kept":
        monkeypatch.setattr(closures, "_locked", _locked_without_advancing)
    read, closed = booking_reads_then_waits_for_the_closure(monkeypatch)

    outcomes = run(
        book(resource, booker, local(2026, 11, 24, 9)),
        closure_after(read, closed, close(resource, manager, start, end)),
    )

    if protocol == "kept":
        assert outcomes == ["closed", "closed, cancelled 0"]
        assert inside(resource, start, end) == 0
    else:  # the race is real: the booking passed on its stale read, inside the closure
        assert outcomes == ["won", "closed, cancelled 0"]
        assert inside(resource, start, end) == 1


# --- 2. The booking holds the lock, inserted but not committed, when the closure looks -----


def booking_holds_its_insert(monkeypatch):
    """After the insert, inside the booking's transaction: tell the closure, then give it
    HELD seconds to finish (it cannot while the lock protocol holds) before committing."""
    inserted, closed = threading.Event(), threading.Event()
    real = services.booking_created_record

    def record(**kwargs):
        real(**kwargs)
        inserted.set()
        closed.wait(HELD)

    monkeypatch.setattr(services, "booking_created_record", record)
    return inserted, closed


@pytest.mark.parametrize("protocol", ["kept", "control: no lock"])
def test_a_booking_committing_while_the_closure_looks_is_cancelled_by_it(
    lab, monkeypatch, protocol
):
    resource, manager = lab
    booker = MemberFactory()
    start, end = local(2026, 11, 24, 8), local(2026, 11, 24, 18)
    if protocol != "kept":
        monkeypatch.setattr(closures, "_locked", _neither_locked_nor_advanced)
    inserted, closed = booking_holds_its_insert(monkeypatch)

    outcomes = run(
        book(resource, booker, local(2026, 11, 24, 9)),
        closure_after(inserted, closed, close(resource, manager, start, end)),
    )

    if protocol == "kept":  # the closure waited for the lock, then saw and cancelled it
        assert outcomes == ["won", "closed, cancelled 1"]
        assert inside(resource, start, end) == 0
    else:  # the closure looked past the uncommitted booking, which then committed inside
        assert outcomes == ["won", "closed, cancelled 0"]
        assert inside(resource, start, end) == 1


# --- 3. Many bookers and the closure released together -------------------------------------

BOOKERS = 12
ROUNDS = 6


def released_together(targets):
    barrier = threading.Barrier(len(targets), timeout=30)

    def wrap(target):
        def go():
            barrier.wait()
            return target()

        return go

    return [wrap(t) for t in targets]


def test_bookers_racing_a_closure_never_leave_a_booking_inside_it(lab):
    resource, manager = lab
    members = [MemberFactory() for _ in range(BOOKERS)]
    for round_ in range(ROUNDS):
        day = local(2026, 11, 24) + dt.timedelta(days=round_)
        start, end = day + dt.timedelta(hours=6), day + dt.timedelta(hours=18)
        # Each booker asks for its own hour of 06:00-18:00, so without the closure all win.
        targets = [
            book(resource, member, start + dt.timedelta(hours=i))
            for i, member in enumerate(members)
        ]
        outcomes = run(*released_together([*targets, close(resource, manager, start, end)]))

        *booked, closing = outcomes
        assert closing.startswith("closed, cancelled"), outcomes
        assert set(booked) <= {"won", "closed", "resource_busy"}, outcomes
        assert int(closing.rsplit(" ", 1)[1]) == booked.count("won"), outcomes
        assert inside(resource, start, end) == 0, outcomes
