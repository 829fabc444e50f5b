"""The small alliance every figures test computes by hand (docs/figures.md walks through it).

January 2026 (Thu 1 … Sat 31), Asia/Shanghai. Units A (owns R1, R2), B (owns R3), C, S
(the secretariat's). R1 and R3 open weekdays 08:00–20:00; R2 around the clock.
Calendar: 1 January an alliance-wide holiday; Sunday 4 January a make-up working day
(opens as Monday); R1 closed 5 January 10:00–12:00.

Bookings (R = resource, unit of the booker):
  R2 B  10 Jan 22:00 → 11 Jan 02:00  completed   across midnight      4 h
  R2 C  31 Jan 22:00 →  1 Feb 03:00  approved    across the month end 2 h in January
  R2 A  31 Dec 23:00 →  1 Jan 01:00  completed   across the period    1 h in January
  R1 B   6 Jan 09:00 → 10:00         no-show
  R1 C   7 Jan 09:00 → 11:00         cancelled late
  R1 C   7 Jan 14:00 → 15:00         cancelled in time (not counted)
  R1 B   8 Jan 09:00 → 12:00         completed, run by an operator of A   3 h
  R1 A   9 Jan 14:00 → 16:00         pending                              2 h
Sessions:
  s1 R2 B (booking 1)  10 Jan 22:10 → 11 Jan 01:40   3.5 h
  s2 R2 C (booking 2)  31 Jan 22:00 →  1 Feb 02:30   2 h in January
  s3 R1 B operated by A's operator (booking 7)  8 Jan 09:00 → 11:30   2.5 h
  s4 R1 A walk-up  12 Jan 14:00 → 15:15   1.25 h
  s5 R1 C walk-up  13 Jan 10:00 → 18:00   flagged left running: used, not effective
  s6 R2 A (booking 3)  31 Dec 23:30 →  1 Jan 00:45   0.75 h in January
"""

from __future__ import annotations

from dataclasses import dataclass

from alliance.models import MemberRole
from bookings.models import Booking, BookingStatus
from bookings.usage_models import UsageSession, UsageSource
from resources.models import Closure
from tests.conftest import local
from tests.factories import (
    BookingFactory,
    MakeUpWorkingDayFactory,
    MemberFactory,
    ResourceFactory,
    UnitFactory,
)

AROUND_THE_CLOCK = [(d, "00:00", "00:00") for d in range(7)]


@dataclass
class Alliance:
    a: object
    b: object
    c: object
    s: object
    r1: object
    r2: object
    r3: object
    a1: object
    b1: object
    c1: object
    operator: object
    manager_a: object
    manager_b: object
    secretariat: object
    bookings: list


def session(resource, member, start, stop, *, booking=None, operator=None, flagged=False):
    return UsageSession.objects.create(
        resource=resource,
        member=member,
        operator=operator,
        booking=booking,
        started_at=start,
        stopped_at=stop,
        source=UsageSource.QR_SCAN,
        flagged=flagged,
        flag_reason="left_running" if flagged else "",
    )


def alliance_build() -> Alliance:
    a, b, c, s = (UnitFactory(name=f"Unit {x}") for x in "ABCS")
    r1 = ResourceFactory(unit=a, name="R1")
    r2 = ResourceFactory(unit=a, name="R2", hours=AROUND_THE_CLOCK)
    r3 = ResourceFactory(unit=b, name="R3", kind="lab")
    a1, b1, c1 = MemberFactory(unit=a), MemberFactory(unit=b), MemberFactory(unit=c)
    operator = MemberFactory(unit=a)
    manager_a = MemberFactory(unit=a, role=MemberRole.UNIT_MANAGER)
    manager_b = MemberFactory(unit=b, role=MemberRole.UNIT_MANAGER)
    secretariat = MemberFactory(unit=s, role=MemberRole.SECRETARIAT)
    Closure.objects.create(
        resource=None, start=local(2026, 1, 1), end=local(2026, 1, 2), reason="元旦"
    )
    Closure.objects.create(
        resource=r1, start=local(2026, 1, 5, 10), end=local(2026, 1, 5, 12), reason="维护"
    )
    MakeUpWorkingDayFactory(date=local(2026, 1, 4).date(), opens_as=0)
    st = BookingStatus

    def book(resource, member, start, end, status, **kw):
        return BookingFactory(
            resource=resource, member=member, start=start, end=end, status=status, **kw
        )

    bookings = [
        book(r2, b1, local(2026, 1, 10, 22), local(2026, 1, 11, 2), st.COMPLETED),
        book(r2, c1, local(2026, 1, 31, 22), local(2026, 2, 1, 3), st.APPROVED),
        book(r2, a1, local(2025, 12, 31, 23), local(2026, 1, 1, 1), st.COMPLETED),
        book(r1, b1, local(2026, 1, 6, 9), local(2026, 1, 6, 10), st.NO_SHOW),
        book(
            r1, c1, local(2026, 1, 7, 9), local(2026, 1, 7, 11), st.CANCELLED, cancelled_late=True
        ),
        book(r1, c1, local(2026, 1, 7, 14), local(2026, 1, 7, 15), st.CANCELLED),
        book(r1, b1, local(2026, 1, 8, 9), local(2026, 1, 8, 12), st.COMPLETED),
        book(r1, a1, local(2026, 1, 9, 14), local(2026, 1, 9, 16), st.PENDING),
    ]
    session(r2, b1, local(2026, 1, 10, 22, 10), local(2026, 1, 11, 1, 40), booking=bookings[0])
    session(r2, c1, local(2026, 1, 31, 22), local(2026, 2, 1, 2, 30), booking=bookings[1])
    session(
        r1,
        b1,
        local(2026, 1, 8, 9),
        local(2026, 1, 8, 11, 30),
        booking=bookings[6],
        operator=operator,
    )
    session(r1, a1, local(2026, 1, 12, 14), local(2026, 1, 12, 15, 15))
    session(r1, c1, local(2026, 1, 13, 10), local(2026, 1, 13, 18), flagged=True)
    session(r2, a1, local(2025, 12, 31, 23, 30), local(2026, 1, 1, 0, 45), booking=bookings[2])
    assert Booking.objects.count() == 8
    return Alliance(
        a, b, c, s, r1, r2, r3, a1, b1, c1, operator, manager_a, manager_b, secretariat, bookings
    )
