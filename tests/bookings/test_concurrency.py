"""Real races on PostgreSQL: many connections book at the same moment; one wins.

Each thread has its own database connection (Django opens one per thread). A barrier lines
the threads up so that they call the scheduler together. The controls switch off the lock
(and, for the first, the exclusion constraint) to show that the race is real and that each
layer holds on its own. See docs/bookings-concurrency.md.
"""

import contextlib
import datetime as dt
import threading
from collections import Counter

import pytest
from django.db import connection, connections, transaction

from alliance.errors import Conflict, Unavailable
from bookings import services
from bookings.models import BLOCKING_STATUSES, Booking
from bookings.services import booking_create
from resources.locking import resource_lock
from resources.models import Resource
from tests.conftest import local
from tests.factories import MemberFactory, ResourceFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 16
ROUNDS = 8
NOW = local(2026, 11, 23, 8)


def race(resource, members, intervals):
    """Run booking_create for each (member, interval) at once; return outcomes by thread."""
    barrier = threading.Barrier(len(intervals), timeout=30)
    outcomes: list = [None] * len(intervals)

    def attempt(i):
        start, end = intervals[i]
        try:
            barrier.wait()
            booking_create(
                member=members[i],
                resource_id=resource.pk,
                start=start,
                end=end,
                purpose="并发预约",
                now=NOW,
            )
            outcomes[i] = "won"
        except (Conflict, Unavailable) as exc:
            outcomes[i] = exc.code
        except Exception as exc:  # noqa: BLE001 - the test reports any other failure below
            outcomes[i] = repr(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(len(intervals))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return outcomes


def blocking_overlaps(resource):
    rows = list(
        Booking.objects.filter(resource=resource, status__in=BLOCKING_STATUSES)
        .order_by("start")
        .values_list("start", "blocked_until")
    )
    return sum(1 for a, b in zip(rows, rows[1:], strict=False) if b[0] < a[1])


@pytest.fixture
def contenders():
    resource = ResourceFactory(
        hours=[(d, "00:00", "00:00") for d in range(7)],
        max_duration_minutes=24 * 60,
        buffer_minutes=15,
        slot_minutes=15,
        min_duration_minutes=15,
    )
    members = [MemberFactory() for _ in range(THREADS)]
    return resource, members


def test_sixteen_connections_booking_the_same_slot_leave_exactly_one_winner(contenders):
    resource, members = contenders
    for round_ in range(ROUNDS):
        start = local(2026, 11, 24, 8) + dt.timedelta(hours=2 * round_)
        outcomes = race(resource, members, [(start, start + dt.timedelta(hours=1))] * THREADS)
        assert Counter(outcomes) == {"won": 1, "conflict": THREADS - 1}, outcomes
    assert Booking.objects.filter(resource=resource).count() == ROUNDS
    assert blocking_overlaps(resource) == 0


def test_sixteen_overlapping_different_intervals_leave_exactly_one_winner(contenders):
    resource, members = contenders
    for round_ in range(ROUNDS):
        base = local(2026, 11, 25, 0) + dt.timedelta(days=round_)
        # Thread i asks for [base + i*15min, base + 5h + i*15min): all share base+3h45..5h.
        intervals = [
            (base + dt.timedelta(minutes=15 * i), base + dt.timedelta(hours=5, minutes=15 * i))
            for i in range(THREADS)
        ]
        outcomes = race(resource, members, intervals)
        assert Counter(outcomes) == {"won": 1, "conflict": THREADS - 1}, outcomes
    assert blocking_overlaps(resource) == 0


def _resource_without_lock(resource_id):
    return Resource.objects.prefetch_related("opening_hours").get(pk=resource_id)


def insert_once_all_have_checked():
    """In place of the re-check and insert under the lock: a wait until every thread has
    passed the scheduler's check, then the insert without its re-check: the widest race."""
    line_up = threading.Barrier(THREADS, timeout=30)
    real_insert = services._insert_if_free

    def wait_then_insert(booking, **kwargs):
        line_up.wait()
        real_insert(booking, **kwargs, only_if_free=False)

    return wait_then_insert


def test_control_without_lock_the_exclusion_constraint_alone_keeps_one_winner(
    contenders, monkeypatch
):
    """With the row lock switched off every thread passes the scheduler's check, then all
    insert together without the re-check under the lock; the constraint refuses all but
    one insert. The losers get ``conflict``, or ``resource_busy``
    where PostgreSQL broke a deadlock between inserts waiting on each other's constraint
    check (a transient answer: retried, it is a ``conflict``)."""
    resource, members = contenders
    monkeypatch.setattr(services, "_resource_lock", _resource_without_lock)
    monkeypatch.setattr(services, "_insert_if_free", insert_once_all_have_checked())
    start = local(2026, 11, 24, 8)
    outcomes = race(resource, members, [(start, start + dt.timedelta(hours=1))] * THREADS)
    assert outcomes.count("won") == 1, outcomes
    assert set(outcomes) <= {"won", "conflict", "resource_busy"}, outcomes
    assert blocking_overlaps(resource) == 0


def test_control_without_lock_and_constraint_the_race_double_books(contenders, monkeypatch):
    """The control that shows the race is real: check-then-insert with neither the lock nor
    the constraint lets every thread book the same slot."""
    resource, members = contenders
    constraint = next(
        c for c in Booking._meta.constraints if c.name == "booking_no_overlap_per_resource"
    )
    with connection.schema_editor() as editor:
        editor.remove_constraint(Booking, constraint)
    try:
        monkeypatch.setattr(services, "_resource_lock", _resource_without_lock)
        monkeypatch.setattr(services, "_insert_if_free", insert_once_all_have_checked())
        start = local(2026, 11, 24, 8)
        outcomes = race(resource, members, [(start, start + dt.timedelta(hours=1))] * THREADS)
        assert outcomes.count("won") == THREADS
        assert blocking_overlaps(resource) == THREADS - 1
    finally:
        Booking.objects.all().delete()
        with connection.schema_editor() as editor:
            editor.add_constraint(Booking, constraint)


# --- A losing attempt does not queue for the lock ------------------------------------------


@contextlib.contextmanager
def lock_held_elsewhere(resource):
    """Another connection holds the resource's row lock for the duration."""
    held, release = threading.Event(), threading.Event()

    def hold():
        try:
            with transaction.atomic():
                resource_lock(resource.pk)
                held.set()
                release.wait(30)
        finally:
            connections.close_all()

    thread = threading.Thread(target=hold)
    thread.start()
    assert held.wait(30)
    try:
        yield
    finally:
        release.set()
        thread.join(30)


def test_a_taken_slot_is_refused_while_a_writer_holds_the_lock(contenders, settings):
    """The refusal comes from a committed read, without queueing behind the lock; the
    control shows that the lock was held: a free slot waits for it and gives up."""
    resource, members = contenders
    settings.BOOKING_LOCK_TIMEOUT_MS = 300
    start = local(2026, 11, 24, 8)
    taken = (start, start + dt.timedelta(hours=1))
    booking_create(
        member=members[0],
        resource_id=resource.pk,
        start=taken[0],
        end=taken[1],
        purpose="先到",
        now=NOW,
    )

    with lock_held_elsewhere(resource):
        with pytest.raises(Conflict) as refused:
            booking_create(
                member=members[1],
                resource_id=resource.pk,
                start=taken[0],
                end=taken[1],
                purpose="后到",
                now=NOW,
            )
        with pytest.raises(Unavailable) as waited:  # the control
            booking_create(
                member=members[1],
                resource_id=resource.pk,
                start=taken[1] + dt.timedelta(hours=1),
                end=taken[1] + dt.timedelta(hours=2),
                purpose="空闲",
                now=NOW,
            )

    assert refused.value.code == "conflict"
    assert waited.value.code == "resource_busy"


def test_locking_a_resource_leaves_the_other_resources_of_its_unit_free(contenders, settings):
    """The row lock is the resource's alone: it does not lock the owning unit's row, which
    would queue the bookings of every resource of the unit behind one another."""
    resource, members = contenders
    sibling = ResourceFactory(unit=resource.unit, hours=[(d, "00:00", "00:00") for d in range(7)])
    settings.BOOKING_LOCK_TIMEOUT_MS = 300
    start = local(2026, 11, 24, 8)

    with lock_held_elsewhere(resource):
        booking = booking_create(
            member=members[0],
            resource_id=sibling.pk,
            start=start,
            end=start + dt.timedelta(hours=1),
            purpose="同单位",
            now=NOW,
        )

    assert booking.resource_id == sibling.pk
