"""Reads of the staff area (issue 9): the schedule across resources, and whom staff may
book for.

The schedule is one grid of many resources over a day or a week. It is read in a fixed
number of queries whatever the number of resources and bookings: the units (to scope and
filter), the resources, their opening hours (resources.selectors.opening_windows_get), the
make-up days and closures (resources.selectors.resource_calendars_get), and the bookings
with their bookers. Who sees which resources is alliance.access.member_manages_unit's
answer, asked once per unit.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Q

from alliance.access import member_is_secretariat, member_manages_unit
from alliance.models import Member, Unit
from bookings.models import Booking, BookingStatus
from resources.intervals import Interval
from resources.models import Resource, ResourceKind
from resources.selectors import (
    ClosureWindow,
    ResourceCalendar,
    alliance_zone,
    local_midnight,
    opening_windows_get,
    resource_calendars_get,
)

#: What the schedule shows: what holds or held the slot (cancelled and rejected ones freed it).
SHOWN_STATUSES = (
    BookingStatus.PENDING,
    BookingStatus.APPROVED,
    BookingStatus.COMPLETED,
    BookingStatus.NO_SHOW,
    BookingStatus.HELD,  # a waitlist hold (issue 12) holds the slot
)
DAY, WEEK = "day", "week"
DEFAULT_HOURS = (8, 20)  # the day grid's columns when nothing is open that day
MEMBER_SEARCH_LIMIT = 20


def member_is_staff(member: Member | None) -> bool:
    """May use the staff area: the secretariat, or a manager of their own (active) unit."""
    if member_is_secretariat(member):
        return True
    return member is not None and member_manages_unit(member, member.unit_id)


@dataclass
class Cell:
    """One column of one resource's row: [start, end)."""

    start: dt.datetime
    end: dt.datetime
    open: bool = False  # some opening hours inside, outside closures
    closures: list[ClosureWindow] = field(default_factory=list)
    bookings: list[Booking] = field(default_factory=list)  # those starting here (or before)
    busy: bool = False  # a booking overlaps
    open_from: dt.datetime | None = None  # the first open instant inside
    hourly: bool = True  # a day grid's hour (a week grid's cells are days)

    @property
    def free(self) -> bool:
        """Something may be booked or closed from here: open, and in the day grid not
        taken (a week grid's day may have room around its bookings)."""
        return self.open and not (self.busy and self.hourly)

    @property
    def has_pending(self) -> bool:
        return any(b.status == BookingStatus.PENDING for b in self.bookings)


@dataclass
class Row:
    resource: Resource
    cells: list[Cell]


@dataclass
class Schedule:
    view: str
    day: dt.date  # the day shown, or the week's Monday
    columns: list[dt.datetime]
    rows: list[Row]
    units: list[Unit]  # the units whose resources the member may see (for the filter)
    whole_alliance: bool

    @property
    def start(self) -> dt.datetime:
        return self.columns[0]


def staff_units_get(*, member: Member | None) -> list[Unit]:
    """The units whose resources ``member`` runs (all for the secretariat). One query."""
    units = Unit.objects.order_by("name")
    return [u for u in units if member_manages_unit(member, u.pk)]


def _columns(view: str, day: dt.date, hours: dict[int, list]) -> tuple[list[dt.datetime], Interval]:
    if view == WEEK:
        monday = day - dt.timedelta(days=day.weekday())
        starts = [local_midnight(monday + dt.timedelta(days=i)) for i in range(8)]
        return starts[:-1], Interval(starts[0], starts[-1])
    first, last = _hour_range(day, hours)
    starts = [local_midnight(day) + dt.timedelta(hours=h) for h in range(first, last + 1)]
    return starts[:-1], Interval(starts[0], starts[-1])


def _hour_range(day: dt.date, hours: dict[int, list]) -> tuple[int, int]:
    """The hours the day grid spans: from the earliest opening to the latest closing of any
    row that day's weekday (make-up days aside), else DEFAULT_HOURS."""
    windows = [w for ws in hours.values() for w in ws if w.weekday == day.weekday()]
    if not windows:
        return DEFAULT_HOURS
    first = min(w.start_time.hour for w in windows)
    last = max(_end_hour(w.end_time) for w in windows)
    return first, max(last, first + 1)


def _end_hour(end: dt.time) -> int:
    """The hour a window ending at ``end`` reaches, rounded up (00:00 is midnight: 24)."""
    if end == dt.time(0):
        return 24
    return end.hour + (1 if end.minute or end.second else 0)


def _row(
    resource: Resource,
    calendar: ResourceCalendar,
    starts: list[dt.datetime],
    span_end: dt.datetime,
    bookings: list[Booking],
    *,
    hourly: bool,
) -> Row:
    ends = [*starts[1:], span_end]
    cells = []
    for start, end in zip(starts, ends, strict=True):
        cell = Cell(start=start, end=end, hourly=hourly)
        inside = [i for i in calendar.open if i.start < end and i.end > start]
        cell.open = bool(inside)
        cell.open_from = max(start, inside[0].start) if inside else None
        cell.closures = [c for c in calendar.closures if c.start < end and c.end > start]
        for booking in bookings:
            if booking.start < end and booking.end > start:
                cell.busy = True
                if booking.start >= start or start == starts[0]:
                    cell.bookings.append(booking)
        cells.append(cell)
    return Row(resource=resource, cells=cells)


def staff_schedule_get(
    *,
    member: Member,
    view: str,
    day: dt.date,
    kind: str = "",
    unit_id: int | None = None,
    keyword: str = "",
) -> Schedule:
    """The grid of the resources ``member`` runs (their unit's, or the whole alliance's,
    narrowed by kind, unit and keyword), in six queries whatever their number."""
    units = staff_units_get(member=member)
    resources = Resource.objects.filter(unit_id__in=[u.pk for u in units], is_retired=False)
    if kind in ResourceKind.values:
        resources = resources.filter(kind=kind)
    if unit_id is not None:
        resources = resources.filter(unit_id=unit_id)
    if keyword:
        resources = resources.filter(
            Q(name__icontains=keyword) | Q(building__icontains=keyword) | Q(room__icontains=keyword)
        )
    resources = list(resources.select_related("unit").order_by("unit__name", "name", "pk"))
    ids = [r.pk for r in resources]
    hours = opening_windows_get(resource_ids=ids)
    columns, span = _columns(view, day, hours)
    calendars = resource_calendars_get(
        resources=resources, start=span.start, end=span.end, hours=hours
    )
    by_resource: dict[int, list[Booking]] = {}
    if resources:
        bookings = (
            Booking.objects.filter(
                resource_id__in=ids,
                status__in=SHOWN_STATUSES,
                start__lt=span.end,
                end__gt=span.start,
            )
            .select_related("member", "unit")
            .order_by("start", "pk")
        )
        for booking in bookings:
            by_resource.setdefault(booking.resource_id, []).append(booking)
    rows = [
        _row(r, calendars[r.pk], columns, span.end, by_resource.get(r.pk, []), hourly=view == DAY)
        for r in resources
    ]
    shown_day = columns[0].astimezone(alliance_zone()).date()
    return Schedule(
        view=view,
        day=shown_day,
        columns=columns,
        rows=rows,
        units=units,
        whole_alliance=member_is_secretariat(member),
    )


def staff_resource_get(*, member: Member, resource_id: int) -> Resource | None:
    """A resource of the member's schedule with its unit, or None (unknown or not theirs)."""
    resource = Resource.objects.select_related("unit").filter(pk=resource_id).first()
    if resource is None or not member_manages_unit(member, resource.unit_id):
        return None
    return resource


def staff_booking_get(*, member: Member, booking_id: int) -> Booking | None:
    """A booking of a resource the member runs, with resource, booker and units; or None."""
    booking = (
        Booking.objects.select_related("resource", "resource__unit", "member", "unit")
        .filter(pk=booking_id)
        .first()
    )
    if booking is None or not member_manages_unit(member, booking.resource.unit_id):
        return None
    return booking


def beneficiaries_search(*, resource: Resource, query: str) -> list[Member]:
    """Active members of active units the resource admits (its allow-list; empty admits
    everyone) whose name contains ``query``: whom staff may book it for. Two queries."""
    members = Member.objects.filter(is_active=True, unit__is_active=True).select_related("unit")
    allowed = list(resource.allowed_units.values_list("pk", flat=True))
    if allowed:
        members = members.filter(unit_id__in=allowed)
    if query:
        members = members.filter(name__icontains=query)
    return list(members.order_by("name", "pk")[:MEMBER_SEARCH_LIMIT])
