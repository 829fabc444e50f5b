"""Non-trivial reads of bookings: availability, conflicts and alternatives.

Each function runs a fixed number of queries whatever the span or the number of bookings:
the resource's opening hours (unless prefetched), make-up days, closures, and bookings.

Also the API's reads: bookings scoped to the caller through alliance.access (the same
policy as the per-object helpers). The search by time is in bookings.search.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.db import connections
from django.db.models import (
    BigIntegerField,
    QuerySet,
    Value,
)
from django.db.models.functions import Cast
from django.utils import timezone

from alliance.errors import ValidationFailed
from alliance.models import Member
from bookings.constraints import TsTzRange
from bookings.models import BLOCKING_STATUSES, Booking
from bookings.rules import (
    booking_duration_check,
    booking_earliest_start,
    booking_horizon_end,
    ceil_to_slot,
)
from bookings.window_reads import (
    BlockingSpan,
    resource_and_window_read,
    window_calendar_and_blocking_get,
)
from resources.intervals import Interval, clip, merge, subtract
from resources.models import Resource
from resources.selectors import (
    ResourceCalendar,
    local_midnight,
    resource_calendar_get,
)


@dataclass(frozen=True)
class Availability:
    resource: Resource
    start: dt.datetime
    end: dt.datetime
    open: list[Interval]
    busy: list[Interval]
    free: list[Interval]
    #: With a duration: every bookable start of a slot that long (bookable_start_times).
    start_times: list[dt.datetime] | None = None


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


def slot_starts(
    intervals: Sequence[Interval], *, duration: dt.timedelta, slot: dt.timedelta
) -> Iterator[dt.datetime]:
    """Every start on the slot grid of a ``duration`` long slot inside one of ``intervals``
    (normalised), in order. A generator: callers take as many as they need."""
    for interval in intervals:
        start = ceil_to_slot(interval.start, slot)
        while start + duration <= interval.end:
            yield start
            start += slot


def slot_duration_check(*, resource: Resource, duration: dt.timedelta) -> None:
    """A duration ``resource`` takes: its minimum and maximum (bookings.rules), and whole
    slots, since a booking both starts and ends on the grid (``not_on_slot_boundary``)."""
    booking_duration_check(resource=resource, duration=duration)
    if duration % resource.slot:
        raise ValidationFailed("not_on_slot_boundary", params={"minutes": resource.slot_minutes})


def bookable_start_times(
    *, free: list[Interval], resource: Resource, window: Interval, duration: dt.timedelta
) -> list[dt.datetime]:
    """Every start inside ``window`` of a bookable ``duration`` long slot, given ``free`` =
    bookable_intervals() read past the window's end by at least ``duration``. No query.
    (resource_availability_get reads one day past the window: a slot longer than a day
    that starts near its end is left out.)
    Precondition: slot_duration_check passed (else the grid would be wrong)."""
    reach = clip(free, window.start, window.end + duration)
    return [
        start
        for start in slot_starts(reach, duration=duration, slot=resource.slot)
        if start < window.end
    ]


def resource_availability_get(
    *,
    resource: Resource,
    date_from: dt.date,
    date_to: dt.date,
    now: dt.datetime | None = None,
    duration: dt.timedelta | None = None,
) -> Availability:
    """Open, busy and free intervals of ``resource`` over local dates date_from..date_to.

    ``open`` is opening hours minus closures; ``busy`` is booked time (merged, without
    buffers, so it reveals nobody's name or purpose); ``free`` is where a new booking may
    lie now (see bookable_intervals). With ``duration``, also ``start_times``: where a
    booking that long may start (ValidationFailed for a duration the resource never takes,
    before any query). Queries: 3, plus 1 unless opening hours were prefetched, whatever
    the span or the number of bookings.
    """
    if duration is not None:
        slot_duration_check(resource=resource, duration=duration)
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
        start_times=None
        if duration is None
        else bookable_start_times(
            free=free, resource=resource, window=Interval(start, end), duration=duration
        ),
    )


def alternatives_window(*, start: dt.datetime, end: dt.datetime, now: dt.datetime) -> Interval:
    """Where alternatives to [start, end) are looked for: ``BOOKING_ALTERNATIVES_SEARCH_DAYS``
    either side, from now on. Contains [start, end) whenever start >= now."""
    reach = dt.timedelta(days=settings.BOOKING_ALTERNATIVES_SEARCH_DAYS)
    return Interval(max(start - reach, now), end + reach)


#: How far either side of the slot booking_window_get reads at first (docs/performance.md).
NARROW_REACH = dt.timedelta(days=1)


def narrow_window(*, start: dt.datetime, end: dt.datetime, now: dt.datetime) -> Interval:
    """The part of alternatives_window() that booking_window_get reads first: a day either
    side of [start, end), from now on (never wider than the alternatives window)."""
    full = alternatives_window(start=start, end=end, now=now)
    reach = min(NARROW_REACH, dt.timedelta(days=settings.BOOKING_ALTERNATIVES_SEARCH_DAYS))
    return Interval(max(start - reach, full.start), min(end + reach, full.end))


def alternatives_from(
    *,
    resource: Resource,
    calendar: ResourceCalendar,
    blocking: list[BlockingSpan],
    start: dt.datetime,
    end: dt.datetime,
    now: dt.datetime,
    count: int | None = None,
    window: Interval | None = None,
) -> list[Interval]:
    """The ``count`` bookable slots as long as [start, end) nearest to it, from what was
    already read: ``calendar`` and ``blocking`` must cover ``window`` (by default, and at
    most, alternatives_window()); only slots lying wholly inside it are candidates. No query.

    Candidates start on slot boundaries and keep every rule of the resource. Ties go to the
    earlier slot. Each free interval offers an arithmetic run of candidates; only the
    ``count`` nearest on either side of ``start`` can be among the answers, so the work does
    not grow with the window.
    """
    count = count or settings.BOOKING_ALTERNATIVES_COUNT
    duration = end - start
    window = window or alternatives_window(start=start, end=end, now=now)
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


def alternatives_proven(
    alternatives: list[Interval],
    *,
    start: dt.datetime,
    end: dt.datetime,
    now: dt.datetime,
    window: Interval,
    count: int | None = None,
) -> bool:
    """Whether ``alternatives``, computed by alternatives_from over ``window`` (a part of
    alternatives_window() around [start, end)), are the ones the whole alternatives window
    gives.

    Inside ``window`` both computations see the same calendar and bookings (each read
    covers every booking whose buffer reaches into it), so they find the same candidates
    there. A candidate the narrow one cannot see lies partly outside ``window``: it starts
    before ``window.start``, more than ``start - window.start`` from ``start``, or ends
    after ``window.end``, so starts more than ``window.end - end`` after ``start``; edges
    that coincide with the whole window's hide nothing. So if ``count`` candidates lie
    strictly closer than the nearer hiding edge, no hidden one can displace them. (For
    narrow_window(), whose hiding edges both lie a day from the slot, every visible
    candidate is that close: finding ``count`` of them is what decides.)
    """
    count = count or settings.BOOKING_ALTERNATIVES_COUNT
    full = alternatives_window(start=start, end=end, now=now)
    edges = []
    if window.start > full.start:
        edges.append(start - window.start)
    if window.end < full.end:
        edges.append(window.end - end)
    if not edges:
        return True
    if len(alternatives) < count:
        return False
    edge = min(edges)
    return all(abs(a.start - start) < edge for a in alternatives)


@dataclass(frozen=True)
class BookingWindow:
    """What booking_create decides on, read in one pass before any lock: the resource (with
    its opening hours), its allow-list as far as the booker is concerned, and its calendar
    and blocking bookings over ``span`` (narrow_window(), widened by booking_alternatives
    when it must be)."""

    resource: Resource
    allowed_unit_ids: set[int]
    calendar: ResourceCalendar
    blocking: list[BlockingSpan]
    span: Interval
    #: Whether the booker holds a valid qualification for the resource (read with it).
    member_qualified: bool = False

    def in_the_way(self, start: dt.datetime, end: dt.datetime) -> list[BlockingSpan]:
        """The blocking bookings a new [start, end) would collide with: the overlap test of
        blocking_spans_between, with the resource's buffer."""
        reach = end + self.resource.buffer
        return [b for b in self.blocking if b.start < reach and b.blocked_until > start]


def booking_window_get(
    *,
    resource_id: int,
    member: Member,
    start: dt.datetime,
    end: dt.datetime,
    now: dt.datetime,
    span: Interval | None = None,
) -> BookingWindow | None:
    """Everything booking_create needs to judge [start, end) for ``member``, or None for an
    unknown resource. Two statements whatever the resource's history: the resource with
    its allow-list probe, then its weekly hours, make-up days, closures and blocking
    bookings over ``span`` (default narrow_window(); always widened to cover the slot) as
    one (window_calendar_and_blocking_get).

    The allow-list is read as one scalar subquery: the booker's own unit if it is on the
    list, else any unit on it, else nothing. That set answers
    alliance.access.member_unit_may_book exactly as the whole list would.
    """
    span = span or narrow_window(start=start, end=end, now=now)
    span = Interval(min(span.start, start), max(span.end, end))
    resource, calendar, blocking = resource_and_window_read(
        resource_id=resource_id, member=member, span=span, now=now
    )
    if resource is None:
        return None
    return BookingWindow(
        resource=resource,
        allowed_unit_ids=set() if resource.allow_probe is None else {resource.allow_probe},
        calendar=calendar,
        blocking=blocking,
        span=span,
        member_qualified=resource.member_qualified,
    )


def booking_alternatives(
    window: BookingWindow,
    *,
    start: dt.datetime,
    end: dt.datetime,
    now: dt.datetime,
    in_the_way: Sequence[BlockingSpan] = (),
) -> list[Interval]:
    """The alternatives to offer for [start, end): those of the whole alternatives window,
    from ``window`` when it proves them (alternatives_proven, no query), else from one more
    read of the whole window (window_calendar_and_blocking_get). ``in_the_way`` adds
    bookings found since ``window`` was read (under the lock).

    A slot shorter than the resource's minimum duration (which the rules refuse before any
    conflict) could fit a free interval that only the narrow read sees as long enough, so
    it is always answered from the whole window.
    """
    full = alternatives_window(start=start, end=end, now=now)
    common = {"resource": window.resource, "start": start, "end": end, "now": now}
    if end - start >= dt.timedelta(minutes=window.resource.min_duration_minutes):
        span = Interval(max(window.span.start, full.start), min(window.span.end, full.end))
        blocking = sorted(set(window.blocking) | set(in_the_way))
        alternatives = alternatives_from(
            calendar=window.calendar, blocking=blocking, window=span, **common
        )
        if alternatives_proven(alternatives, start=start, end=end, now=now, window=span):
            return alternatives
    wide = Interval(min(full.start, start), max(full.end, end))
    calendar, wide_blocking = window_calendar_and_blocking_get(
        resource=window.resource, start=wide.start, end=wide.end
    )
    blocking = sorted(set(wide_blocking) | set(in_the_way))
    return alternatives_from(calendar=calendar, blocking=blocking, **common)
