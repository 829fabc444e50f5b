"""Real races on PostgreSQL: assisted bookings of DIFFERENT resources name the same operator
for the same time at the same moment. The resources' locks do not serialise them; the
exclusion constraint ``booking_operator_no_overlap`` keeps exactly one. The control drops
the constraint: every thread then books the operator (the race is real). See
docs/decisions/0011-service-modes.md.

Each thread has its own connection. A barrier lines the threads up before the scheduler, a
second one after the operator check under the lock, so that every thread has passed that
check (none sees another's uncommitted booking) before any inserts: the widest race.
"""

import threading
from collections import Counter

import pytest
from django.db import connection, connections

from alliance.errors import Conflict, Unavailable
from bookings import service_modes
from bookings.models import BLOCKING_STATUSES, BOOKING_OPERATOR_NO_OVERLAP, Booking
from bookings.services import booking_create
from tests.conftest import local
from tests.factories import MemberFactory, ResourceFactory, UnitFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 6
NOW = local(2026, 11, 23, 8)
SLOT = (local(2026, 11, 25, 9), local(2026, 11, 25, 11))


@pytest.fixture
def world():
    unit = UnitFactory()
    operator = MemberFactory(unit=unit, name="操作员")
    resources = []
    for _ in range(THREADS):
        resource = ResourceFactory(unit=unit, offers_assisted=True, assisted_min_notice_minutes=0)
        resource.operators.add(operator)
        resources.append(resource)
    members = [MemberFactory() for _ in range(THREADS)]
    return operator, resources, members


def check_then_wait(monkeypatch):
    line_up = threading.Barrier(THREADS, timeout=30)
    real = service_modes.operator_choose_locked

    def choose_then_wait(**kwargs):
        chosen = real(**kwargs)
        line_up.wait()
        return chosen

    monkeypatch.setattr(service_modes, "operator_choose_locked", choose_then_wait)


def race(operator, resources, members, *, named: bool):
    barrier = threading.Barrier(THREADS, timeout=30)
    outcomes: list = [None] * THREADS

    def attempt(i):
        try:
            barrier.wait()
            booking_create(
                member=members[i],
                resource_id=resources[i].pk,
                start=SLOT[0],
                end=SLOT[1],
                purpose="委托测试",
                now=NOW,
                mode="assisted",
                operator_id=operator.pk if named else None,
            )
            outcomes[i] = "won"
        except (Conflict, Unavailable) as exc:
            outcomes[i] = exc.code
        except Exception as exc:  # noqa: BLE001 - reported by the assertions
            outcomes[i] = repr(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return outcomes


def operator_bookings(operator):
    return Booking.objects.filter(operator=operator, status__in=BLOCKING_STATUSES).count()


@pytest.mark.parametrize("named", [True, False], ids=["named", "picked"])
def test_one_operator_on_different_resources_at_once_is_booked_exactly_once(
    world, monkeypatch, named
):
    operator, resources, members = world
    check_then_wait(monkeypatch)
    outcomes = race(operator, resources, members, named=named)
    loser = "operator_busy" if named else "no_operator_free"
    # resource_busy: PostgreSQL broke a deadlock between inserts waiting on each other's
    # constraint check (transient; retried it is the same refusal).
    assert outcomes.count("won") == 1, outcomes
    assert set(Counter(outcomes)) <= {"won", loser, "resource_busy"}, outcomes
    assert operator_bookings(operator) == 1


def test_control_without_the_constraint_the_race_double_books_the_operator(world, monkeypatch):
    operator, resources, members = world
    constraint = next(c for c in Booking._meta.constraints if c.name == BOOKING_OPERATOR_NO_OVERLAP)
    with connection.schema_editor() as editor:
        editor.remove_constraint(Booking, constraint)
    try:
        check_then_wait(monkeypatch)
        outcomes = race(operator, resources, members, named=True)
        assert outcomes == ["won"] * THREADS, outcomes
        assert operator_bookings(operator) == THREADS
    finally:
        Booking.objects.all().delete()
        with connection.schema_editor() as editor:
            editor.add_constraint(Booking, constraint)
