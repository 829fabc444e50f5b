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

from alliance.errors import Conflict, NotFound, Unavailable, ValidationFailed
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
    DEADLOCK_DETECTED,
    EXCLUSION_VIOLATION,
    LOCK_NOT_AVAILABLE,
    constraint_name,
    event_record,
    sqlstate,
)
from bookings.models import BOOKING_NO_OVERLAP, Booking, BookingEvent, BookingStatus
from bookings.rules import booking_rules_check
from bookings.selectors import (
    BlockingSpan,
    BookingWindow,
    alternatives_from,
    blocking_spans_between,
    booking_window_get,
)
from notifications.services import booking_notify
from resources.intervals import Interval, interval_validate
from resources.locking import resource_lock
from resources.models import Resource

PURPOSE_MAX_LENGTH = 200
ATTENDEES_MAX = 10_000


class _SlotTaken(Exception):
    """Raised inside the transaction so that the lock is released before the answer is
    built."""

    def __init__(self, blocking: list[BlockingSpan]) -> None:
        self.blocking = blocking


def _resource_lock(resource_id: int) -> Resource:
    """The lock booking_create takes; a seam for the race suite's lock-free control."""
    return resource_lock(resource_id)


def _same_row(a: Resource, b: Resource) -> bool:
    """Whether two reads of a resource row are the same version: every column, including
    ``updated_at``, which every writer of the resource's own rules (fields, opening hours,
    closures, allow-list) advances under the resource's lock."""
    return all(
        getattr(a, field.attname) == getattr(b, field.attname)
        for field in Resource._meta.concrete_fields
    )


def _rules_check(
    window: BookingWindow,
    *,
    member: Member,
    start: dt.datetime,
    end: dt.datetime,
    attendees: int,
    now: dt.datetime,
) -> None:
    booking_rules_check(
        resource=window.resource,
        member=member,
        allowed_unit_ids=window.allowed_unit_ids,
        start=start,
        end=end,
        attendees=attendees,
        now=now,
        calendar=lambda: window.calendar,
        qualified=window.member_qualified,  # the qualification gate (issue 10)
    )


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
    ``alternatives``; an unknown resource is NotFound.

    Two phases (docs/bookings-concurrency.md, "Refusing without the lock"): one read of
    the resource, its calendar and its blocking bookings around the slot decides every
    refusal, without the lock, and answers a conflict from those same reads. Only a
    request that passes takes the resource's lock, checks again what may have changed
    since (the resource's row, the blocking bookings of the slot) and inserts; the
    exclusion constraint still has the final word.
    """
    now = now or timezone.now()
    interval_validate(start, end)
    purpose = text_clean(purpose, field="purpose", max_length=PURPOSE_MAX_LENGTH, required=True)
    if not isinstance(attendees, int) or not 1 <= attendees <= ATTENDEES_MAX:
        raise ValidationFailed("invalid", fields={"attendees": ["out_of_range"]})
    window = booking_window_get(
        resource_id=resource_id, member=member, start=start, end=end, now=now
    )
    if window is None:
        raise NotFound()
    rules = {"member": member, "start": start, "end": end, "attendees": attendees, "now": now}
    _rules_check(window, **rules)
    in_the_way = window.in_the_way(start, end)
    if in_the_way:  # Committed before our read: a refusal as of that read.
        raise _conflict_error(window, start, end, now, in_the_way)
    try:
        with transaction.atomic(durable=True):
            resource = _resource_lock(resource_id)
            if not _same_row(resource, window.resource):  # The rules changed meanwhile.
                window = booking_window_get(
                    resource_id=resource_id, member=member, start=start, end=end, now=now
                )
                _rules_check(window, **rules)
            blocking = blocking_spans_between(
                resource_id=resource.pk, start=start, end=end, buffer=window.resource.buffer
            )
            if blocking:
                raise _SlotTaken(blocking)
            booking = Booking.objects.create(
                resource=resource,
                member=member,
                unit=member.unit,
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
    except _SlotTaken as taken:  # Lost the race between the read and the lock.
        raise _conflict_error(window, start, end, now, taken.blocking) from None
    except IntegrityError as exc:
        if sqlstate(exc) == EXCLUSION_VIOLATION and constraint_name(exc) == BOOKING_NO_OVERLAP:
            won = blocking_spans_between(
                resource_id=resource_id, start=start, end=end, buffer=window.resource.buffer
            )
            raise _conflict_error(window, start, end, now, won) from None
        raise
    except OperationalError as exc:
        if sqlstate(exc) in (LOCK_NOT_AVAILABLE, DEADLOCK_DETECTED):
            raise Unavailable("resource_busy") from None
        if "database is locked" in str(exc):
            raise Unavailable("resource_busy") from None
        raise
    return booking


def _conflict_error(
    window: BookingWindow,
    start: dt.datetime,
    end: dt.datetime,
    now: dt.datetime,
    in_the_way: list[BlockingSpan],
) -> Conflict:
    """The ``conflict`` answer: what is in the way, and the nearest free slots computed from
    the window already read plus what was found in the way since. No query."""
    busy = sorted(set(window.blocking) | set(in_the_way))
    alternatives = alternatives_from(
        resource=window.resource,
        calendar=window.calendar,
        blocking=busy,
        start=start,
        end=end,
        now=now,
    )
    conflicts = [Interval(b.start, b.end) for b in in_the_way]
    return Conflict("conflict", conflicts=conflicts, alternatives=alternatives)
