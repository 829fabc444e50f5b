"""Selectors of the search by time: which resources have a bookable slot of a given length in
a window, their first such slots, and why the others do not fit; and the bookable start times
of one resource for a duration (in bookings.selectors, with availability).

Kept apart from bookings.selectors (module size). Both reuse the scheduler's own pieces:
bookings.rules for the rules that do not depend on time, bookings.selectors.bookable_intervals
for opening hours, make-up days, closures, other bookings with their buffers, notice and
horizon; only the slot grid is walked here. The resource search reads everything for all
candidates in a fixed number of queries, then computes in Python.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import QuerySet

from alliance.errors import ValidationFailed
from alliance.models import Member
from bookings.models import Booking
from bookings.rules import booking_access_check, booking_earliest_start, booking_horizon_end
from bookings.selectors import (
    BlockingSpan,
    blocking_overlapping,
    bookable_intervals,
    slot_duration_check,
    slot_starts,
)
from resources.intervals import Interval, clip
from resources.models import Resource
from resources.qualifications import qualified_resource_ids
from resources.selectors import ResourceCalendar, opening_windows_get, resource_calendars_get
from resources.service_modes import modes_refusal

#: How many first slots each fitting resource lists.
FIRST_SLOTS = 3
#: The reason a resource without a slot gives when every rule but the others' bookings
#: would allow one (alliance.errors: "fully_booked").
FULLY_BOOKED = "fully_booked"
#: The reasons that depend on the window searched: a wider window may yet hold a slot
#: (_why_none). Every other reason refuses the resource whatever the window.
WINDOW_REASONS = frozenset(
    {"too_little_notice", "too_far_ahead", "not_open_in_window", "closed_in_window", FULLY_BOOKED}
)


@dataclass(frozen=True)
class SearchResult:
    """One candidate of a search: its first bookable slots, or why it has none.

    ``reason`` is None when it fits, else an alliance.errors code with ``params``:
    the rule that keeps the caller out (``not_allowed_for_unit``, ``resource_retired``,
    ``too_many_attendees``, ``member_inactive``, ``booking_unit_inactive``,
    ``resource_unit_inactive``), a duration the resource does not take (``too_short``,
    ``too_long``, ``not_on_slot_boundary``), a window outside notice and horizon
    (``too_little_notice``, ``too_far_ahead``), no opening in it (``not_open_in_window``,
    ``closed_in_window`` with the closure's reason), or ``fully_booked``.
    """

    resource: Resource
    duration: dt.timedelta
    first_slots: list[Interval]
    reason: str | None = None
    params: dict | None = None

    @property
    def fits(self) -> bool:
        return self.reason is None


def _first_slots(
    intervals: Sequence[Interval], *, duration: dt.timedelta, slot: dt.timedelta, count: int
) -> list[Interval]:
    slots = []
    for start in slot_starts(intervals, duration=duration, slot=slot):
        slots.append(Interval(start, start + duration))
        if len(slots) == count:
            break
    return slots


def default_duration(resource: Resource) -> dt.timedelta:
    """The length searched for when none is given: the resource's minimum duration, in
    whole slots (a booking starts and ends on the grid)."""
    minimum = dt.timedelta(minutes=resource.min_duration_minutes)
    return -(-minimum // resource.slot) * resource.slot


def _why_none(
    *,
    resource: Resource,
    calendar: ResourceCalendar,
    window: Interval,
    duration: dt.timedelta,
    now: dt.datetime,
) -> tuple[str, dict]:
    """Why no slot fits, once the caller's access and the duration are fine: the first of
    notice and horizon, opening hours, closures that leaves no room; else fully booked."""
    earliest = booking_earliest_start(resource=resource, now=now)
    horizon = booking_horizon_end(resource=resource, now=now)
    usable = Interval(max(window.start, earliest), min(window.end, horizon))
    if usable.duration < duration:
        if window.end - duration < earliest:
            return "too_little_notice", {"minutes": resource.min_notice_minutes}
        return "too_far_ahead", {"days": resource.max_days_ahead}
    slot = resource.slot
    opening = clip(calendar.opening, usable.start, usable.end)
    if not _first_slots(opening, duration=duration, slot=slot, count=1):
        return "not_open_in_window", {}
    open_ = clip(calendar.open, usable.start, usable.end)
    if not _first_slots(open_, duration=duration, slot=slot, count=1):
        inside = [c for c in calendar.closures if c.start < usable.end and c.end > usable.start]
        return "closed_in_window", {"reason": inside[0].reason if inside else ""}
    return FULLY_BOOKED, {}


def _search_one(
    *,
    resource: Resource,
    member: Member,
    calendar: ResourceCalendar,
    blocking: list[BlockingSpan],
    allowed_unit_ids: set[int],
    qualified: bool,
    window: Interval,
    duration: dt.timedelta | None,
    attendees: int,
    now: dt.datetime,
    count: int,
) -> SearchResult:
    duration = duration or default_duration(resource)
    # The qualification gate is self-use's: assisted use, where offered, books without it.
    gate = not resource.requires_qualification or qualified
    mode_refusal = modes_refusal(resource=resource, qualified=gate)
    try:
        booking_access_check(
            resource=resource,
            member=member,
            allowed_unit_ids=allowed_unit_ids,
            attendees=attendees,
            qualified=gate or mode_refusal is None,
        )
        if mode_refusal is not None:
            raise ValidationFailed(mode_refusal)
        slot_duration_check(resource=resource, duration=duration)
    except ValidationFailed as refusal:
        return SearchResult(resource, duration, [], refusal.code, refusal.params)
    free = clip(
        bookable_intervals(resource=resource, calendar=calendar, blocking=blocking, now=now),
        window.start,
        window.end,
    )
    slots = _first_slots(free, duration=duration, slot=resource.slot, count=count)
    if slots:
        return SearchResult(resource, duration, slots)
    reason, params = _why_none(
        resource=resource, calendar=calendar, window=window, duration=duration, now=now
    )
    return SearchResult(resource, duration, [], reason, params)


def resource_search(
    *,
    resources: QuerySet[Resource] | Sequence[Resource],
    member: Member | None,
    start: dt.datetime,
    end: dt.datetime,
    duration: dt.timedelta | None = None,
    attendees: int = 1,
    now: dt.datetime,
    count: int = FIRST_SLOTS,
    reads: SearchReads | None = None,
) -> dict[int, SearchResult]:
    """For every candidate in ``resources`` (already narrowed by kind, unit, words…), its
    first ``count`` bookable slots of ``duration`` inside [start, end) for ``member``, or
    the reason it has none; keyed by resource id, in the candidates' order.

    ``duration`` None means each resource's minimum duration (default_duration). A slot is
    bookable exactly when booking_create would accept it now, but for another booking made
    meanwhile. A caller who is not a member yet is judged as a member of no unit.

    Queries, whatever the number of candidates: the resources (with ``unit`` joined:
    bookings.rules asks whether it is active; a list must come so), then their
    allow-lists and opening hours as rows, make-up days, closures and blocking bookings:
    six in all; a seventh, the member's valid qualifications, when some candidate requires
    one. None when the caller gives ``reads`` it read otherwise (bookings.similar_reads:
    the same rows in one round trip).
    """
    if isinstance(resources, QuerySet):
        resources = resources.select_related("unit")
    resources = list(resources)
    if not resources or end <= start:
        return {}
    if reads is None:
        reads = search_reads_get(resources=resources, member=member, start=start, end=end, now=now)
    member = member or Member(is_active=True)
    window = Interval(start, end)
    return {
        resource.pk: _search_one(
            resource=resource,
            member=member,
            calendar=reads.calendars[resource.pk],
            blocking=reads.blocking.get(resource.pk, []),
            allowed_unit_ids=reads.allowed.get(resource.pk, set()),
            qualified=resource.pk in reads.qualified,
            window=window,
            duration=duration,
            attendees=attendees,
            now=now,
            count=count,
        )
        for resource in resources
    }


@dataclass(frozen=True)
class SearchReads:
    """What resource_search decides on for its candidates, keyed by resource id: the units
    each allow-list admits (none: open to every unit), the resources the member holds a
    valid qualification for, the calendars around the window, and the blocking bookings
    that meet the window and its widest buffer, soonest first."""

    allowed: dict[int, set[int]]
    qualified: set[int]
    calendars: dict[int, ResourceCalendar]
    blocking: dict[int, list[BlockingSpan]]


def search_reads_get(
    *,
    resources: Sequence[Resource],
    member: Member | None,
    start: dt.datetime,
    end: dt.datetime,
    now: dt.datetime,
) -> SearchReads:
    """resource_search's reads through the ORM: five queries, a sixth for the member's
    qualifications when some candidate requires one. Precondition: ``resources`` is not
    empty."""
    ids = [r.pk for r in resources]
    allowed: dict[int, set[int]] = {}
    for resource_id, unit_id in Resource.allowed_units.through.objects.filter(
        resource_id__in=ids
    ).values_list("resource_id", "unit_id"):
        allowed.setdefault(resource_id, set()).add(unit_id)
    needs_qualification = [r.pk for r in resources if r.requires_qualification]
    qualified = qualified_resource_ids(member=member, resource_ids=needs_qualification, now=now)
    calendars = resource_calendars_get(
        resources=resources, start=start, end=end, hours=opening_windows_get(resource_ids=ids)
    )
    widest_buffer = max(r.buffer for r in resources)
    blocking: dict[int, list[BlockingSpan]] = {}
    rows = (
        blocking_overlapping(
            Booking.objects.filter(resource_id__in=ids),
            start=start,
            end=end + widest_buffer,
        )
        .order_by("start")
        .values_list("resource_id", "start", "end", "blocked_until")
    )
    for resource_id, *span in rows:
        blocking.setdefault(resource_id, []).append(BlockingSpan(*span))
    return SearchReads(allowed, qualified, calendars, blocking)
