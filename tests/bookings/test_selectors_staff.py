"""The staff schedule's read (bookings.selectors_staff): which resources, which columns,
what each cell shows."""

import datetime as dt

import pytest

from alliance.models import MemberRole
from bookings.models import BookingStatus
from bookings.selectors_staff import member_is_staff, staff_schedule_get
from tests.conftest import local
from tests.factories import (
    BookingFactory,
    ClosureFactory,
    MakeUpWorkingDayFactory,
    MemberFactory,
    ResourceFactory,
)

pytestmark = pytest.mark.django_db

MONDAY = dt.date(2026, 11, 23)
SATURDAY = dt.date(2026, 11, 28)


@pytest.fixture
def secretariat():
    return MemberFactory(role=MemberRole.SECRETARIAT)


def test_only_the_secretariat_and_active_managers_are_staff():
    assert member_is_staff(MemberFactory(role=MemberRole.SECRETARIAT))
    assert member_is_staff(MemberFactory(role=MemberRole.UNIT_MANAGER))
    assert not member_is_staff(MemberFactory(role=MemberRole.RESEARCHER))
    assert not member_is_staff(MemberFactory(role=MemberRole.UNIT_MANAGER, is_active=False))
    assert not member_is_staff(None)


def test_the_day_grid_spans_the_earliest_opening_to_the_latest_closing(secretariat):
    ResourceFactory(hours=[(0, "09:30", "12:00")])
    ResourceFactory(hours=[(0, "13:00", "17:15")])

    grid = staff_schedule_get(member=secretariat, view="day", day=MONDAY)

    assert grid.columns[0] == local(2026, 11, 23, 9)
    assert grid.columns[-1] == local(2026, 11, 23, 17)  # 17:00–18:00 holds 17:15


def test_a_window_ending_at_midnight_runs_to_the_end_of_the_day(secretariat):
    ResourceFactory(hours=[(0, "00:00", "00:00")])

    grid = staff_schedule_get(member=secretariat, view="day", day=MONDAY)

    assert len(grid.columns) == 24


def test_cells_show_opening_closures_and_held_bookings_only(secretariat):
    resource = ResourceFactory()
    ClosureFactory(resource=None, start=local(2026, 11, 24), end=local(2026, 11, 25), reason="台风")
    held = BookingFactory(
        resource=resource, start=local(2026, 11, 23, 9), end=local(2026, 11, 23, 11)
    )
    BookingFactory(
        resource=resource,
        start=local(2026, 11, 23, 14),
        end=local(2026, 11, 23, 15),
        status=BookingStatus.CANCELLED,
    )
    MakeUpWorkingDayFactory(date=SATURDAY, opens_as=0)

    (row,) = staff_schedule_get(member=secretariat, view="week", day=MONDAY).rows

    monday, tuesday, *_, saturday, sunday = row.cells
    assert monday.bookings == [held]
    assert monday.open
    assert [c.reason for c in tuesday.closures] == ["台风"]  # alliance-wide
    assert not tuesday.open
    assert saturday.open  # a make-up working day opens as Monday
    assert saturday.open_from == local(2026, 11, 28, 8)
    assert not sunday.open
    day = staff_schedule_get(member=secretariat, view="day", day=MONDAY).rows[0].cells
    nine, ten = day[1], day[2]  # 08:00, 09:00, 10:00 ...
    assert nine.bookings == [held]
    assert ten.bookings == []  # shown once, where it starts
    assert ten.busy
    assert not ten.free
    assert day[6].free  # 14:00: the cancelled booking freed it
