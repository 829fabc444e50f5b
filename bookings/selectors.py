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
from django.db.models import QuerySet
from django.utils import timezone

from alliance.access import bookings_decidable_by, bookings_visible_to
from alliance.errors import NotFound, ValidationFailed
from alliance.models import Member
from bookings.models import BLOCKING_STATUSES, Booking, BookingStatus
from bookings.rules import (
    booking_earliest_start,
    booking_horizon_end,
    booking_rules_check,
    ceil_to_slot,
)
from resources.intervals import Interval, clip, merge, subtract
from resources.models import Resource
from resources.selectors import (
    ResourceCalendar,
    local_midnight,
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


def blocking_spans_between(
    *, resource_id: int, start: dt.datetime, end: dt.datetime, buffer: dt.timedelta
) -> list[BlockingSpan]:
    """Every blocking booking that a new booking in [start, end), keeping ``buffer`` free
    after it, would collide with. One query."""
    rows = (
        Booking.objects.filter(
            resource_id=resource_id,
            status__in=BLOCKING_STATUSES,
            start__lt=end + buffer,
            blocked_until__gt=start,
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


def booking_alternatives_get(
    *,
    resource: Resource,
    start: dt.datetime,
    end: dt.datetime,
    now: dt.datetime,
    count: int | None = None,
) -> list[Interval]:
    """The ``count`` bookable slots of the same length nearest to [start, end).

    Looks ``BOOKING_ALTERNATIVES_SEARCH_DAYS`` either side; candidates start on slot
    boundaries and keep every rule of the resource. Ties go to the earlier slot.
    """
    count = count or settings.BOOKING_ALTERNATIVES_COUNT
    duration = end - start
    reach = dt.timedelta(days=settings.BOOKING_ALTERNATIVES_SEARCH_DAYS)
    window_start = max(start - reach, now)
    window_end = end + reach
    calendar = resource_calendar_get(resource=resource, start=window_start, end=window_end)
    blocking = blocking_spans_between(
        resource_id=resource.pk, start=window_start, end=window_end, buffer=resource.buffer
    )
    free = clip(
        bookable_intervals(resource=resource, calendar=calendar, blocking=blocking, now=now),
        window_start,
        window_end,
    )
    candidates: list[dt.datetime] = []
    for interval in free:
        candidate = ceil_to_slot(interval.start, resource.slot)
        while candidate + duration <= interval.end:
            candidates.append(candidate)
            candidate += resource.slot
    candidates.sort(key=lambda s: (abs(s - start), s))
    return [Interval(s, s + duration) for s in candidates[:count]]


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
    the member's ``unit`` loaded. Queries: three (make-up days, closures, bookings) whatever
    the number of resources.
    """
    if not resources or end <= start:
        return set()
    member = member or Member(is_active=True)
    calendars = resource_calendars_get(resources=resources, start=start, end=end)
    widest_buffer = max(r.buffer for r in resources)
    taken: dict[int, list[tuple[dt.datetime, dt.datetime]]] = {}
    for resource_id, b_start, b_blocked_until in Booking.objects.filter(
        resource_id__in=[r.pk for r in resources],
        status__in=BLOCKING_STATUSES,
        start__lt=end + widest_buffer,
        blocked_until__gt=start,
    ).values_list("resource_id", "start", "blocked_until"):
        taken.setdefault(resource_id, []).append((b_start, b_blocked_until))
    free = set()
    for resource in resources:
        try:
            booking_rules_check(
                resource=resource,
                member=member,
                allowed_unit_ids={unit.pk for unit in resource.allowed_units.all()},
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
