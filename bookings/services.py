"""Every write to bookings. The scheduler's guarantee lives here.

Lock protocol (bookings/locking.py, docs/bookings-concurrency.md): a writer of a
resource's bookings opens a short durable transaction, takes the resource's row lock,
re-reads what it needs, checks, and writes. On PostgreSQL the exclusion constraint
``booking_no_overlap_per_resource`` is the final word: should a writer ever skip the lock,
the insert fails and is answered with the same ``conflict`` error.

Status changes after creation live in bookings/lifecycle.py and are re-exported here, so
that callers import every booking write from this one module.
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, OperationalError, transaction
from django.utils import timezone

from alliance.errors import Conflict, Unavailable, ValidationFailed
from alliance.models import Member
from alliance.services import text_clean
from bookings.lifecycle import (  # noqa: F401 - the public write API of bookings
    REASON_MAX_LENGTH,
    booking_approve,
    booking_cancel,
    booking_check_in,
    booking_check_out,
    booking_complete,
    booking_expire,
    booking_mark_no_show,
    booking_reject,
    booking_remind,
)
from bookings.locking import (
    EXCLUSION_VIOLATION,
    LOCK_NOT_AVAILABLE,
    constraint_name,
    event_record,
    sqlstate,
)
from bookings.models import BOOKING_NO_OVERLAP, Booking, BookingEvent, BookingStatus
from bookings.rules import booking_rules_check
from bookings.selectors import blocking_spans_between, booking_alternatives_get
from notifications.services import booking_notify
from resources.intervals import Interval, interval_validate
from resources.locking import resource_lock
from resources.models import Resource
from resources.selectors import resource_calendar_get

PURPOSE_MAX_LENGTH = 200
ATTENDEES_MAX = 10_000


class _SlotTaken(Exception):
    """Raised inside the transaction so that the lock is released before alternatives are
    searched for."""

    def __init__(self, conflicts: list[Interval]) -> None:
        self.conflicts = conflicts


def _resource_lock(resource_id: int) -> Resource:
    """The lock booking_create takes; a seam for the race suite's lock-free control."""
    return resource_lock(resource_id)


def booking_create(
    *,
    member: Member,
    resource_id: int,
    start: dt.datetime,
    end: dt.datetime,
    purpose: str,
    attendees: int = 1,
    now: dt.datetime | None = None,
) -> Booking:
    """Book [start, end) of a resource for ``member``, or refuse with a domain error.

    Pending if the resource requires approval (its deciders are told), approved otherwise.
    On a taken slot raises Conflict("conflict") carrying ``conflicts`` and the nearest
    ``alternatives``.
    """
    now = now or timezone.now()
    interval_validate(start, end)
    purpose = text_clean(purpose, field="purpose", max_length=PURPOSE_MAX_LENGTH, required=True)
    if not isinstance(attendees, int) or not 1 <= attendees <= ATTENDEES_MAX:
        raise ValidationFailed("invalid", fields={"attendees": ["out_of_range"]})
    try:
        with transaction.atomic(durable=True):
            resource = _resource_lock(resource_id)
            allowed_unit_ids = set(resource.allowed_units.values_list("pk", flat=True))
            booking_rules_check(
                resource=resource,
                member=member,
                allowed_unit_ids=allowed_unit_ids,
                start=start,
                end=end,
                attendees=attendees,
                now=now,
                calendar=lambda: resource_calendar_get(resource=resource, start=start, end=end),
            )
            blocking = blocking_spans_between(
                resource_id=resource.pk, start=start, end=end, buffer=resource.buffer
            )
            if blocking:
                raise _SlotTaken([Interval(b.start, b.end) for b in blocking])
            booking = Booking.objects.create(
                resource=resource,
                member=member,
                unit_id=member.unit_id,
                start=start,
                end=end,
                blocked_until=end + resource.buffer,
                purpose=purpose,
                attendees=attendees,
                status=(
                    BookingStatus.PENDING if resource.requires_approval else BookingStatus.APPROVED
                ),
            )
            event_record(
                booking=booking,
                action=BookingEvent.Action.CREATED,
                from_status="",
                actor=member,
                reason="",
                at=now,
            )
            if booking.status == BookingStatus.PENDING:
                booking_notify(booking=booking, event="requested", actor=member, now=now)
    except _SlotTaken as taken:
        raise _conflict_error(resource_id, start, end, now, taken.conflicts) from None
    except IntegrityError as exc:
        if sqlstate(exc) == EXCLUSION_VIOLATION and constraint_name(exc) == BOOKING_NO_OVERLAP:
            raise _conflict_error(resource_id, start, end, now, None) from None
        raise
    except OperationalError as exc:
        if sqlstate(exc) == LOCK_NOT_AVAILABLE or "database is locked" in str(exc):
            raise Unavailable("resource_busy") from None
        raise
    return booking


def _conflict_error(
    resource_id: int,
    start: dt.datetime,
    end: dt.datetime,
    now: dt.datetime,
    conflicts: list[Interval] | None,
) -> Conflict:
    """Build the ``conflict`` answer outside the lock: what is in the way, and what is free."""
    resource = Resource.objects.prefetch_related("opening_hours").get(pk=resource_id)
    if conflicts is None:  # The constraint fired: read what won.
        blocking = blocking_spans_between(
            resource_id=resource_id, start=start, end=end, buffer=resource.buffer
        )
        conflicts = [Interval(b.start, b.end) for b in blocking]
    alternatives = booking_alternatives_get(resource=resource, start=start, end=end, now=now)
    return Conflict("conflict", conflicts=conflicts, alternatives=alternatives)
