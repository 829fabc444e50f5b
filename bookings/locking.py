"""The lock protocol shared by every writer of bookings (docs/bookings-concurrency.md).

A writer opens ``transaction.atomic(durable=True)``, then takes the resource's row lock, and
only then reads what it decides on. Transitions lock the resource and then the booking,
always in that order, so that two writers never wait for each other crosswise.
"""

from __future__ import annotations

import datetime as dt

from django.db import OperationalError

from alliance.actors import Actor, actor_member
from alliance.errors import NotFound, Unavailable
from bookings.models import Booking, BookingEvent
from resources.locking import resource_lock

EXCLUSION_VIOLATION = "23P01"
LOCK_NOT_AVAILABLE = "55P03"
#: PostgreSQL may abort one of several inserts that wait on each other's exclusion-constraint
#: check (a writer that skipped the lock); the others go on, so it is a transient refusal.
DEADLOCK_DETECTED = "40P01"


def booking_lock(booking_id: int) -> Booking:
    """Lock the booking's resource, then the booking. Caller must be inside ``atomic``."""
    resource_id = (
        Booking.objects.filter(pk=booking_id).values_list("resource_id", flat=True).first()
    )
    if resource_id is None:
        raise NotFound()
    resource_lock(resource_id)
    return (
        Booking.objects.select_for_update(of=("self",))
        .select_related("resource__unit", "member", "unit")
        .get(pk=booking_id)
    )


def busy_answer(exc: OperationalError) -> Unavailable | None:
    """``resource_busy`` (503) for a lock that could not be had in time: PostgreSQL's lock
    timeout or deadlock, SQLite's "database is locked"; None for any other failure."""
    if sqlstate(exc) in (LOCK_NOT_AVAILABLE, DEADLOCK_DETECTED) or "database is locked" in str(exc):
        return Unavailable("resource_busy")
    return None


def sqlstate(exc: BaseException) -> str | None:
    return getattr(exc.__cause__, "sqlstate", None)


def constraint_name(exc: BaseException) -> str | None:
    diag = getattr(exc.__cause__, "diag", None)
    return getattr(diag, "constraint_name", None)


def event_record(
    *,
    booking: Booking,
    action: str,
    from_status: str,
    actor: Actor,
    reason: str,
    at: dt.datetime,
) -> BookingEvent:
    """Append one entry to the booking's history. Caller holds the booking's lock.

    SYSTEM is stored as a null actor; ``actor=None`` is refused (TypeError)."""
    return BookingEvent.objects.create(
        booking=booking,
        action=action,
        from_status=from_status,
        to_status=booking.status,
        actor=actor_member(actor),
        reason=reason,
        at=at,
    )
