"""Non-trivial reads of bookings: availability, conflicts and alternatives.

Each function runs a fixed number of queries whatever the span or the number of bookings:
the resource's opening hours (unless prefetched), make-up days, closures, and bookings.

Also the API's reads: bookings scoped to the caller through alliance.access (the same
policy as the per-object helpers), and which resources are free for a whole window.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

from django.conf import settings
from django.db import connections
from django.db.models import BigIntegerField, Case, OuterRef, QuerySet, Subquery, Value, When
from django.db.models.functions import Cast
from django.utils import timezone

from alliance.access import bookings_decidable_by, bookings_visible_to
from alliance.errors import NotFound, ValidationFailed
from alliance.models import Member
from bookings.constraints import TsTzRange
from bookings.models import BLOCKING_STATUSES, Booking, BookingStatus
from bookings.rules import (
    booking_earliest_start,
    booking_horizon_end,
    booking_rules_check,
    ceil_to_slot,
)
from resources.intervals import Interval, clip, merge, subtract
from resources.models import Resource
from resources.qualifications import member_qualified_exists, qualified_resource_ids
from resources.selectors import (
    ResourceCalendar,
    local_midnight,
    opening_hours_prefetch,
    resource_calendar_get,
    resource_calendars_get,
)


class BlockingSpan(NamedTuple):
    start: dt.datetime
    end: dt.datetime
    blocked_until: dt.datetime


@dataclass(frozen=True)
class Availability:
    resource: Resource
    start: dt.datetime
    end: dt.datetime
    open: list[Interval]
    busy: list[Interval]
    free: list[Interval]


def blocking_overlapping(
    queryset: QuerySet[Booking], *, start: dt.datetime, end: dt.datetime
) -> QuerySet[Booking]:
    """The blocking bookings of ``queryset`` whose [start, blocked_until) meets [start, end).

    On PostgreSQL as a range overlap, ``tstzrange(start, blocked_until) && [start, end)``,
    which the GiST index of the exclusion constraint answers by time: the cost follows the
    bookings near the window, not the resource's whole history. Elsewhere the same test
    on the columns, bounded by the (resource, blocked_until) index.
    """
    queryset = queryset.filter(status__in=BLOCKING_STATUSES)
    if connections[queryset.db].vendor == "postgresql":
        return queryset.annotate(span=TsTzRange("start", "blocked_until")).filter(
            span__overlap=(start, end)
        )
    return queryset.filter(start__lt=end, blocked_until__gt=start)


def blocking_spans_between(
    *, resource_id: int, start: dt.datetime, end: dt.datetime, buffer: dt.timedelta
) -> list[BlockingSpan]:
    """Every blocking booking that a new booking in [start, end), keeping ``buffer`` free
    after it, would collide with. One query."""
    # A bigint, as the column: the GiST index's btree_gist operators have no cross-type
    # ``bigint = integer``, so an integer literal would leave resource_id out of the index
    # scan and AND it with a scan of all the resource's bookings instead.
    resource = Cast(Value(resource_id), BigIntegerField())
    rows = (
        blocking_overlapping(
            Booking.objects.filter(resource_id=resource), start=start, end=end + buffer
        )
        .order_by("start")
        .values_list("start", "end", "blocked_until")
    )
    return [BlockingSpan(*row) for row in rows]


def bookable_intervals(
    *,
    resource: Resource,
    calendar: ResourceCalendar,
    blocking: list[BlockingSpan],
    now: dt.datetime,
) -> list[Interval]:
    """Where a new booking of ``resource`` may lie: open, not closed, clear of other bookings
    and their buffers, within notice and horizon, and at least the minimum duration long.

    A new booking [s, e) keeps the resource's buffer free after it, so it must end that long
    before the next booking starts: each booking blocks [start - buffer, blocked_until).
    """
    taken = merge((b.start - resource.buffer, b.blocked_until) for b in blocking)
    free = clip(
        subtract(calendar.open, taken),
        booking_earliest_start(resource=resource, now=now),
        booking_horizon_end(resource=resource, now=now),
    )
    minimum = dt.timedelta(minutes=resource.min_duration_minutes)
    return [i for i in free if i.duration >= minimum]


def resource_availability_get(
    *, resource: Resource, date_from: dt.date, date_to: dt.date, now: dt.datetime | None = None
) -> Availability:
    """Open, busy and free intervals of ``resource`` over local dates date_from..date_to.

    ``open`` is opening hours minus closures; ``busy`` is booked time (merged, without
    buffers, so it reveals nobody's name or purpose); ``free`` is where a new booking may
    lie now (see bookable_intervals). Queries: 3, plus 1 unless opening hours were
    prefetched, whatever the span or the number of bookings.
    """
    now = now or timezone.now()
    start = local_midnight(date_from)
    end = local_midnight(date_to + dt.timedelta(days=1))
    calendar = resource_calendar_get(resource=resource, start=start, end=end)
    blocking = blocking_spans_between(
        resource_id=resource.pk,
        start=calendar.span.start,
        end=calendar.span.end,
        buffer=resource.buffer,
    )
    free = bookable_intervals(resource=resource, calendar=calendar, blocking=blocking, now=now)
    busy = merge((b.start, b.end) for b in blocking)
    return Availability(
        resource=resource,
        start=start,
        end=end,
        open=clip(calendar.open, start, end),
        busy=clip(busy, start, end),
        free=clip(free, start, end),
    )


def alternatives_window(*, start: dt.datetime, end: dt.datetime, now: dt.datetime) -> Interval:
    """Where alternatives to [start, end) are looked for: ``BOOKING_ALTERNATIVES_SEARCH_DAYS``
    either side, from now on. Contains [start, end) whenever start >= now."""
    reach = dt.timedelta(days=settings.BOOKING_ALTERNATIVES_SEARCH_DAYS)
    return Interval(max(start - reach, now), end + reach)


def alternatives_from(
    *,
    resource: Resource,
    calendar: ResourceCalendar,
    blocking: list[BlockingSpan],
    start: dt.datetime,
    end: dt.datetime,
    now: dt.datetime,
    count: int | None = None,
) -> list[Interval]:
    """The ``count`` bookable slots as long as [start, end) nearest to it, from what was
    already read: ``calendar`` and ``blocking`` must cover alternatives_window(). No query.

    Candidates start on slot boundaries and keep every rule of the resource. Ties go to the
    earlier slot. Each free interval offers an arithmetic run of candidates; only the
    ``count`` nearest on either side of ``start`` can be among the answers, so the work does
    not grow with the window.
    """
    count = count or settings.BOOKING_ALTERNATIVES_COUNT
    duration = end - start
    window = alternatives_window(start=start, end=end, now=now)
    slot = resource.slot
    free = clip(
        bookable_intervals(resource=resource, calendar=calendar, blocking=blocking, now=now),
        window.start,
        window.end,
    )
    candidates: list[dt.datetime] = []
    for interval in free:
        first = ceil_to_slot(interval.start, slot)
        if first + duration > interval.end:
            continue
        last_index = (interval.end - duration - first) // slot
        nearest = min(max((start - first) // slot, 0), last_index)
        low, high = max(nearest - count, 0), min(nearest + count, last_index)
        candidates.extend(first + slot * i for i in range(low, high + 1))
    candidates.sort(key=lambda s: (abs(s - start), s))
    return [Interval(s, s + duration) for s in candidates[:count]]


@dataclass(frozen=True)
class BookingWindow:
    """What booking_create decides on, read in one pass before any lock: the resource (with
    its opening hours), its allow-list as far as the booker is concerned, its calendar and
    its blocking bookings over alternatives_window()."""

    resource: Resource
    allowed_unit_ids: set[int]
    calendar: ResourceCalendar
    blocking: list[BlockingSpan]
    #: Whether the booker holds a valid qualification for the resource (read with it).
    member_qualified: bool = False

    def in_the_way(self, start: dt.datetime, end: dt.datetime) -> list[BlockingSpan]:
        """The blocking bookings a new [start, end) would collide with: the overlap test of
        blocking_spans_between, with the resource's buffer."""
        reach = end + self.resource.buffer
        return [b for b in self.blocking if b.start < reach and b.blocked_until > start]


def booking_window_get(
    *, resource_id: int, member: Member, start: dt.datetime, end: dt.datetime, now: dt.datetime
) -> BookingWindow | None:
    """Everything booking_create needs to judge [start, end) for ``member``, or None for an
    unknown resource. Five queries whatever the resource's history: the resource with its
    allow-list probe, its opening hours, make-up days, closures and blocking bookings.

    The allow-list is read as one scalar subquery: the booker's own unit if it is on the
    list, else any unit on it, else nothing. That set answers
    alliance.access.member_unit_may_book exactly as the whole list would.
    """
    through = Resource.allowed_units.through
    probe = (
        through.objects.filter(resource_id=OuterRef("pk"))
        .order_by(Case(When(unit_id=member.unit_id, then=0), default=1), "unit_id")
        .values("unit_id")[:1]
    )
    resource = (
        Resource.objects.annotate(
            allow_probe=Subquery(probe),
            member_qualified=member_qualified_exists(member=member, now=now),
        )
        .select_related("unit")  # whether the owning unit is active: bookings.rules asks
        .prefetch_related(opening_hours_prefetch())
        .filter(pk=resource_id)
        .order_by("pk")  # not Meta.ordering, which joins the unit
        .first()
    )
    if resource is None:
        return None
    window = alternatives_window(start=start, end=end, now=now)
    window = Interval(min(window.start, start), max(window.end, end))
    calendar = resource_calendar_get(resource=resource, start=window.start, end=window.end)
    blocking = blocking_spans_between(
        resource_id=resource.pk, start=window.start, end=window.end, buffer=resource.buffer
    )
    return BookingWindow(
        resource=resource,
        allowed_unit_ids=set() if resource.allow_probe is None else {resource.allow_probe},
        calendar=calendar,
        blocking=blocking,
        member_qualified=resource.member_qualified,
    )


def booking_list_for_member(*, member: Member | None) -> QuerySet[Booking]:
    """The bookings ``member`` may see (alliance.access.bookings_visible_to), by start, with
    resource, booker and units joined."""
    return (
        Booking.objects.filter(bookings_visible_to(member))
        .select_related("resource", "resource__unit", "member", "unit")
        .order_by("start", "pk")
    )


def booking_get_for_member(*, member: Member | None, booking_id: int) -> Booking:
    """One booking ``member`` may see. Raises NotFound for an unknown id and, so as to reveal
    nothing, for a booking outside the member's view as well."""
    booking = booking_list_for_member(member=member).filter(pk=booking_id).first()
    if booking is None:
        raise NotFound()
    return booking


def booking_list_to_decide(*, member: Member | None) -> QuerySet[Booking]:
    """Pending bookings ``member`` may approve or reject, oldest request first."""
    return (
        Booking.objects.filter(bookings_decidable_by(member), status=BookingStatus.PENDING)
        .select_related("resource", "resource__unit", "member", "unit")
        .order_by("created_at", "pk")
    )


def resource_ids_free_between(
    *,
    resources: Sequence[Resource],
    member: Member | None,
    start: dt.datetime,
    end: dt.datetime,
    now: dt.datetime,
) -> set[int]:
    """Ids of the ``resources`` that ``member`` could book for all of [start, end) now.

    The scheduler's own test (bookings.services.booking_create): every rule of
    bookings.rules.booking_rules_check for one attendee (active units included), and no
    blocking booking within the resource's buffer. A caller who is not a member yet is
    judged as a member of no unit, so resources with an allow-list are never free for them.

    Preconditions: ``unit`` loaded, ``opening_hours`` and ``allowed_units`` prefetched, and
    the member's ``unit`` loaded. Queries: three (make-up days, closures, bookings), and one more
    for the member's qualifications when a resource requires one, whatever
    the number of resources.
    """
    if not resources or end <= start:
        return set()
    member = member or Member(is_active=True)
    calendars = resource_calendars_get(resources=resources, start=start, end=end)
    widest_buffer = max(r.buffer for r in resources)
    taken: dict[int, list[tuple[dt.datetime, dt.datetime]]] = {}
    for resource_id, b_start, b_blocked_until in blocking_overlapping(
        Booking.objects.filter(resource_id__in=[r.pk for r in resources]),
        start=start,
        end=end + widest_buffer,
    ).values_list("resource_id", "start", "blocked_until"):
        taken.setdefault(resource_id, []).append((b_start, b_blocked_until))
    qualified = qualified_resource_ids(
        member=member, resource_ids=[r.pk for r in resources if r.requires_qualification], now=now
    )
    free = set()
    for resource in resources:
        try:
            booking_rules_check(
                resource=resource,
                member=member,
                allowed_unit_ids={unit.pk for unit in resource.allowed_units.all()},
                qualified=resource.pk in qualified,
                start=start,
                end=end,
                attendees=1,
                now=now,
                calendar=lambda resource=resource: calendars[resource.pk],
            )
        except ValidationFailed:
            continue
        # The same overlap test as bookings.selectors.blocking_spans_between.
        if any(b_start < end + resource.buffer for b_start, _ in taken.get(resource.pk, ())):
            continue
        free.add(resource.pk)
    return free


def member_bookings_of_resource_between(
    *, member: Member, resource_id: int, start: dt.datetime, end: dt.datetime
) -> list[Booking]:
    """``member``'s own blocking bookings of a resource that meet [start, end), by start: what
    a resource's week grid marks as theirs (everyone else's time shows only as busy). One
    query, whatever the number of bookings; only the columns the grid shows are read."""
    return list(
        Booking.objects.filter(
            resource_id=resource_id,
            member=member,
            status__in=BLOCKING_STATUSES,
            start__lt=end,
            end__gt=start,
        )
        .order_by("start", "pk")
        .only("pk", "resource_id", "member_id", "start", "end", "status")
    )
