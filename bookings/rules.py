"""The booking rules of a resource, as one pure function.

``booking_rules_check`` decides whether [start, end) keeps every rule of the resource except
the no-overlap rule, which needs the resource's lock (see bookings.services). It reads
nothing from the database but the two units (the booker's and the resource's), which
callers load with the member and the resource: the caller passes the calendar and the
allow-list.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from alliance.errors import ValidationFailed
from alliance.models import Member, Unit
from bookings.credit import credit_suspension_check
from resources.eligibility import booking_refusal, units_refusal
from resources.intervals import covers
from resources.models import Resource
from resources.selectors import ResourceCalendar, alliance_zone, local_midnight


def booking_horizon_end(*, resource: Resource, now: dt.datetime) -> dt.datetime:
    """Bookings must end by the end of the local day ``max_days_ahead`` days from today."""
    today = now.astimezone(alliance_zone()).date()
    return local_midnight(today + dt.timedelta(days=resource.max_days_ahead + 1))


def booking_earliest_start(*, resource: Resource, now: dt.datetime) -> dt.datetime:
    return now + dt.timedelta(minutes=resource.min_notice_minutes)


def on_slot_boundary(moment: dt.datetime, slot: dt.timedelta) -> bool:
    """Whether ``moment`` is a whole number of slots after its local midnight."""
    local = moment.astimezone(alliance_zone())
    since_midnight = local - local_midnight(local.date())
    return since_midnight % slot == dt.timedelta(0)


def ceil_to_slot(moment: dt.datetime, slot: dt.timedelta) -> dt.datetime:
    local = moment.astimezone(alliance_zone())
    midnight = local_midnight(local.date())
    remainder = (local - midnight) % slot
    return moment if remainder == dt.timedelta(0) else moment + (slot - remainder)


def booking_units_check(*, resource: Resource, booker_unit: Unit | None) -> None:
    """Both units must be active: the booker's (``booking_unit_inactive``; None for a caller
    of no unit) and the one sharing the resource (``resource_unit_inactive``).

    Checked when a booking is made and again when a pending one is approved, so that a
    deactivated unit's pending bookings can be rejected, cancelled or left to expire, but
    not approved. Reads ``resource.unit`` (one query unless loaded with the resource).
    """
    refusal = units_refusal(resource=resource, booker_unit=booker_unit)
    if refusal is not None:
        raise ValidationFailed(refusal)


def booking_access_check(
    *,
    resource: Resource,
    member: Member,
    allowed_unit_ids: set[int],
    attendees: int,
    qualified: bool = False,
) -> None:
    """The rules that do not depend on when: an active member of an active unit, a resource
    in service whose allow-list admits the unit, and room for the attendees. The first
    checks of booking_rules_check; the search (bookings.selectors.resource_search) asks
    them once per resource to say why it does not fit. The first part is the catalogue's
    ``can_book`` predicate (resources.eligibility), so the two cannot drift apart.
    ``qualified``: whether the member holds a valid qualification for the resource, asked
    only when the resource requires one (issue 10's gate)."""
    refusal = booking_refusal(member=member, resource=resource, allowed_unit_ids=allowed_unit_ids)
    if refusal is not None:
        raise ValidationFailed(refusal)
    if resource.requires_qualification and not qualified:
        raise ValidationFailed("not_qualified")
    if attendees > resource.capacity:
        raise ValidationFailed("too_many_attendees", params={"capacity": resource.capacity})


def booking_duration_check(*, resource: Resource, duration: dt.timedelta) -> None:
    """The resource's minimum and maximum duration (``too_short``, ``too_long``)."""
    if duration < dt.timedelta(minutes=resource.min_duration_minutes):
        raise ValidationFailed("too_short", params={"minutes": resource.min_duration_minutes})
    if duration > dt.timedelta(minutes=resource.max_duration_minutes):
        raise ValidationFailed("too_long", params={"minutes": resource.max_duration_minutes})


def booking_rules_check(
    *,
    resource: Resource,
    member: Member,
    allowed_unit_ids: set[int],
    start: dt.datetime,
    end: dt.datetime,
    attendees: int,
    now: dt.datetime,
    calendar: Callable[[], ResourceCalendar],
    qualified: bool = False,
    min_notice_minutes: int | None = None,
    suspended_until: dt.datetime | None = None,
) -> None:
    """Raise ValidationFailed with the first broken rule's code; return None if all hold.

    Preconditions: start and end are aware and end > start. ``calendar`` returns the
    resource's calendar covering [start, end); it is called only once every rule that needs
    no calendar holds, so an absurd request is refused before any calendar is built.
    ``qualified``: whether the member holds a valid qualification for the resource
    (resources.qualifications); only asked when the resource requires one, refused
    (``not_qualified``) when not said. ``min_notice_minutes``: the lead time of the
    booking's service mode (bookings.service_modes), the resource's own by default.
    """
    booking_access_check(
        resource=resource,
        member=member,
        allowed_unit_ids=allowed_unit_ids,
        attendees=attendees,
        qualified=qualified,
    )
    credit_suspension_check(suspended_until=suspended_until, now=now)  # issue 12
    if start < now:
        raise ValidationFailed("in_the_past")
    notice = resource.min_notice_minutes if min_notice_minutes is None else min_notice_minutes
    if start < now + dt.timedelta(minutes=notice):
        raise ValidationFailed("too_little_notice", params={"minutes": notice})
    if end > booking_horizon_end(resource=resource, now=now):
        raise ValidationFailed("too_far_ahead", params={"days": resource.max_days_ahead})
    booking_duration_check(resource=resource, duration=end - start)
    if not (on_slot_boundary(start, resource.slot) and on_slot_boundary(end, resource.slot)):
        raise ValidationFailed("not_on_slot_boundary", params={"minutes": resource.slot_minutes})
    hours = calendar()
    if not covers(hours.opening, start, end):
        raise ValidationFailed("outside_opening_hours")
    for closure in hours.closures:
        if closure.start < end and closure.end > start:
            raise ValidationFailed("closed", params={"reason": closure.reason})
