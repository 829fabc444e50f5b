"""Reads of bookings for the API: lists scoped to the caller, and which resources are free.

Scoping goes through alliance.access (the same policy as the per-object helpers), so that a
list never shows what the detail page would refuse. Every function runs a fixed number of
queries whatever the number of rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db.models import QuerySet

from alliance.access import bookings_decidable_by, bookings_visible_to
from alliance.errors import NotFound, ValidationFailed
from alliance.models import Member
from bookings.models import BLOCKING_STATUSES, Booking, BookingStatus
from bookings.rules import booking_rules_check
from resources.models import Resource
from resources.queries import resource_calendars_get


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
    bookings.rules.booking_rules_check for one attendee, and no blocking booking within the
    resource's buffer. A caller who is not a member yet is judged as a member of no unit, so
    resources with an allow-list are never free for them.

    Preconditions: ``opening_hours`` and ``allowed_units`` prefetched. Queries: three
    (make-up days, closures, bookings) whatever the number of resources.
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
