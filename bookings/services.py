"""Every write to bookings. The scheduler's guarantee lives here.

Lock protocol (docs/bookings-concurrency.md): a writer of a resource's bookings opens a
short durable transaction, takes the resource's row lock (PostgreSQL ``SELECT … FOR NO KEY
UPDATE``; on SQLite the IMMEDIATE transaction already holds the database's write lock),
re-reads what it needs, checks, and writes. On PostgreSQL the exclusion constraint
``booking_no_overlap_per_resource`` is the final word: should a writer ever skip the lock,
the insert fails and is answered with the same ``conflict`` error.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.db import IntegrityError, OperationalError, connection, transaction
from django.utils import timezone

from alliance.access import member_can_cancel_booking, member_can_decide_booking
from alliance.errors import AccessDenied, Conflict, NotFound, Unavailable, ValidationFailed
from alliance.models import Member
from bookings.models import BOOKING_NO_OVERLAP, Booking, BookingEvent, BookingStatus
from bookings.rules import booking_rules_check
from bookings.selectors import blocking_spans_between, booking_alternatives_get
from resources.intervals import Interval
from resources.models import Resource
from resources.selectors import resource_calendar_get

logger = logging.getLogger(__name__)

PURPOSE_MAX_LENGTH = 200
REASON_MAX_LENGTH = 500
EXCLUSION_VIOLATION = "23P01"
LOCK_NOT_AVAILABLE = "55P03"


class _SlotTaken(Exception):
    """Raised inside the transaction so that the lock is released before alternatives are
    searched for."""

    def __init__(self, conflicts: list[Interval]) -> None:
        self.conflicts = conflicts


def _resource_lock(resource_id: int) -> Resource:
    """Lock and return the resource row. Caller must be inside ``transaction.atomic``.

    Writers of one resource's bookings queue here; FOR NO KEY UPDATE does not block inserts
    that merely reference the resource.
    """
    assert connection.in_atomic_block, "the resource lock needs an open transaction"
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL lock_timeout = %s", [f"{settings.BOOKING_LOCK_TIMEOUT_MS}ms"])
    try:
        return (
            Resource.objects.select_for_update(no_key=True)
            .prefetch_related("opening_hours")
            .get(pk=resource_id)
        )
    except Resource.DoesNotExist:
        raise NotFound() from None


def _sqlstate(exc: BaseException) -> str | None:
    return getattr(exc.__cause__, "sqlstate", None)


def _constraint_name(exc: BaseException) -> str | None:
    diag = getattr(exc.__cause__, "diag", None)
    return getattr(diag, "constraint_name", None)


def _validate_interval(start: dt.datetime, end: dt.datetime) -> None:
    if timezone.is_naive(start) or timezone.is_naive(end):
        raise ValidationFailed("naive_datetime")
    if end <= start:
        raise ValidationFailed("invalid_interval")


def _validate_text(value: str, *, field: str, max_length: int, required: bool) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationFailed("invalid", fields={field: ["required"]})
    if len(value) > max_length:
        raise ValidationFailed("invalid", fields={field: ["max_length"]})
    return value


def _event_record(
    *,
    booking: Booking,
    action: str,
    from_status: str,
    actor: Member | None,
    reason: str,
    at: dt.datetime,
) -> BookingEvent:
    return BookingEvent.objects.create(
        booking=booking,
        action=action,
        from_status=from_status,
        to_status=booking.status,
        actor=actor,
        reason=reason,
        at=at,
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

    Pending if the resource requires approval, approved otherwise. On a taken slot raises
    Conflict("conflict") carrying ``conflicts`` and the nearest ``alternatives``.
    """
    now = now or timezone.now()
    _validate_interval(start, end)
    purpose = _validate_text(purpose, field="purpose", max_length=PURPOSE_MAX_LENGTH, required=True)
    if not isinstance(attendees, int) or attendees < 1:
        raise ValidationFailed("invalid", fields={"attendees": ["min_value"]})
    try:
        with transaction.atomic(durable=True):
            resource = _resource_lock(resource_id)
            allowed_unit_ids = set(resource.allowed_units.values_list("pk", flat=True))
            calendar = resource_calendar_get(resource=resource, start=start, end=end)
            booking_rules_check(
                resource=resource,
                member=member,
                allowed_unit_ids=allowed_unit_ids,
                start=start,
                end=end,
                attendees=attendees,
                now=now,
                calendar=calendar,
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
            _event_record(
                booking=booking,
                action=BookingEvent.Action.CREATED,
                from_status="",
                actor=member,
                reason="",
                at=now,
            )
    except _SlotTaken as taken:
        raise _conflict_error(resource_id, start, end, now, taken.conflicts) from None
    except IntegrityError as exc:
        if _sqlstate(exc) == EXCLUSION_VIOLATION and _constraint_name(exc) == BOOKING_NO_OVERLAP:
            raise _conflict_error(resource_id, start, end, now, None) from None
        raise
    except OperationalError as exc:
        if _sqlstate(exc) == LOCK_NOT_AVAILABLE or "database is locked" in str(exc):
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


# --- Transitions --------------------------------------------------------------------------


def _booking_lock(booking_id: int) -> Booking:
    """Lock the booking's resource, then the booking (always in that order, so that two
    writers never wait for each other crosswise). Caller must be inside ``atomic``."""
    resource_id = (
        Booking.objects.filter(pk=booking_id).values_list("resource_id", flat=True).first()
    )
    if resource_id is None:
        raise NotFound()
    _resource_lock(resource_id)
    return (
        Booking.objects.select_for_update(of=("self",))
        .select_related("resource", "member", "unit")
        .get(pk=booking_id)
    )


def _booking_transition(
    *,
    booking_id: int,
    actor: Member | None,
    to_status: str,
    allowed_from: tuple[str, ...],
    action: str,
    verb: str,
    reason: str,
    now: dt.datetime,
    may: callable | None,
    guard: callable | None = None,
) -> Booking:
    """Move one booking from one of ``allowed_from`` to ``to_status`` and record it.

    ``may(actor, booking)`` decides access; ``guard(booking)`` may refuse on time rules.
    A booking not in ``allowed_from`` is refused with ``invalid_transition``: repeating a
    transition changes nothing and writes no history.
    """
    with transaction.atomic(durable=True):
        booking = _booking_lock(booking_id)
        if may is not None and not may(actor, booking):
            raise AccessDenied()
        if booking.status not in allowed_from:
            raise Conflict(
                "invalid_transition",
                params={"status": booking.get_status_display(), "action": verb},
                status=booking.status,
            )
        if guard is not None:
            guard(booking)
        from_status = booking.status
        booking.status = to_status
        booking.save(update_fields=["status", "updated_at"])
        _event_record(
            booking=booking,
            action=action,
            from_status=from_status,
            actor=actor,
            reason=reason,
            at=now,
        )
    return booking


def booking_approve(
    *, actor: Member, booking_id: int, reason: str = "", now: dt.datetime | None = None
) -> Booking:
    reason = _validate_text(reason, field="reason", max_length=REASON_MAX_LENGTH, required=False)
    return _booking_transition(
        booking_id=booking_id,
        actor=actor,
        to_status=BookingStatus.APPROVED,
        allowed_from=(BookingStatus.PENDING,),
        action=BookingEvent.Action.APPROVED,
        verb=str(BookingEvent.Action.APPROVED.label),
        reason=reason,
        now=now or timezone.now(),
        may=member_can_decide_booking,
    )


def booking_reject(
    *, actor: Member, booking_id: int, reason: str, now: dt.datetime | None = None
) -> Booking:
    """Reject a pending booking; a reason is required so that the booker learns why."""
    reason = _validate_text(reason, field="reason", max_length=REASON_MAX_LENGTH, required=True)
    return _booking_transition(
        booking_id=booking_id,
        actor=actor,
        to_status=BookingStatus.REJECTED,
        allowed_from=(BookingStatus.PENDING,),
        action=BookingEvent.Action.REJECTED,
        verb=str(BookingEvent.Action.REJECTED.label),
        reason=reason,
        now=now or timezone.now(),
        may=member_can_decide_booking,
    )


def booking_cancel(
    *, actor: Member, booking_id: int, reason: str = "", now: dt.datetime | None = None
) -> Booking:
    """Cancel a pending or approved booking before it starts; frees the slot."""
    now = now or timezone.now()
    reason = _validate_text(reason, field="reason", max_length=REASON_MAX_LENGTH, required=False)

    def not_started(booking: Booking) -> None:
        if booking.start <= now:
            raise Conflict("already_started")

    return _booking_transition(
        booking_id=booking_id,
        actor=actor,
        to_status=BookingStatus.CANCELLED,
        allowed_from=(BookingStatus.PENDING, BookingStatus.APPROVED),
        action=BookingEvent.Action.CANCELLED,
        verb=str(BookingEvent.Action.CANCELLED.label),
        reason=reason,
        now=now,
        may=member_can_cancel_booking,
        guard=not_started,
    )
