"""A booking's life after it is requested: decisions, cancellation, check-in and check-out,
and the time-driven transitions (expiry, reminders, no-shows, completion).

Every transition is one function that locks the booking (bookings.locking), checks who may
act and whether the booking is in a state that allows it, records who, when and why in the
booking's history, and tells the people concerned in the same transaction. Running one
twice does no harm: the second run finds the booking moved on and changes nothing (the
deciding transitions answer ``invalid_transition``; check-in, check-out and reminders
simply return the booking as it is).

Who acts is explicit: a member for the decisions, cancellation and check-in, and
alliance.actors.SYSTEM (bookings.jobs) for the time-driven transitions, which nobody else may
make. ``actor=None`` is a programming error (TypeError). The system is recorded in the
history as a null actor.

A pending booking made by or for a deactivated unit cannot be approved
(``booking_unit_inactive``, ``resource_unit_inactive``); it can be rejected, cancelled, or
left to expire when it starts, as any undecided booking does. Approved bookings stand.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from alliance.access import (
    member_can_cancel_booking,
    member_can_check_in_booking,
    member_can_decide_booking,
    member_manages_unit,
    member_refusal,
)
from alliance.actors import Actor, actor_is_system, actor_member, actor_require
from alliance.errors import Conflict, ValidationFailed
from alliance.models import Member
from alliance.services import text_clean
from bookings.credit import credit_booking_cost
from bookings.locking import booking_lock, event_record
from bookings.models import BLOCKING_STATUSES, Booking, BookingEvent, BookingStatus
from bookings.rules import booking_units_check
from bookings.usage_records import session_close_for_booking, session_open_for_booking
from bookings.waitlist_offer import waitlist_offer_on_commit
from notifications.services import booking_notify
from resources.qualifications import qualification_mark_used

REASON_MAX_LENGTH = 500
Guard = Callable[[Booking], None]

#: What the refusal says cannot be done: "This booking is Rejected; it cannot be approved."
VERBS = {
    BookingEvent.Action.APPROVED: _("approved"),
    BookingEvent.Action.REJECTED: _("rejected"),
    BookingEvent.Action.CANCELLED: _("cancelled"),
    BookingEvent.Action.EXPIRED: _("expired"),
    BookingEvent.Action.NO_SHOW: _("marked as a no-show"),
    BookingEvent.Action.COMPLETED: _("completed"),
    BookingEvent.Action.CHECKED_IN: _("checked in"),
    # The waitlist's transitions (issue 12, bookings.waitlist)
    BookingEvent.Action.CLAIMED: _("claimed"),
    BookingEvent.Action.HOLD_DECLINED: _("declined"),
    BookingEvent.Action.HOLD_LAPSED: _("released"),
}


def _invalid_transition(booking: Booking, action: str) -> Conflict:
    return Conflict(
        "invalid_transition",
        params={"status": BookingStatus(booking.status).label, "action": VERBS[action]},
        status=booking.status,
    )


def minutes_setting(name: str) -> dt.timedelta:
    """A lifecycle setting (BOOKING_*_MINUTES) as a duration."""
    return dt.timedelta(minutes=getattr(settings, name))


def _transition(
    *,
    booking_id: int,
    actor: Actor,
    to_status: str,
    allowed_from: tuple[str, ...],
    action: str,
    reason: str,
    now: dt.datetime,
    may: Callable[[Actor, Booking], bool],
    guard: Guard | None = None,
    changes: Callable[[Booking], dict] | None = None,
    notify: str | None = None,
    after: Callable[[Booking], None] | None = None,
) -> Booking:
    """Move one booking from one of ``allowed_from`` to ``to_status``, record and notify.

    ``may(actor, booking)`` decides access; ``guard`` may refuse on time or unit rules;
    ``changes(booking)`` gives further fields to set, decided under the lock.
    """
    actor_require(actor)
    with transaction.atomic(durable=True):
        booking = booking_lock(booking_id)
        if not may(actor, booking):
            raise member_refusal(actor)
        if booking.status not in allowed_from:
            raise _invalid_transition(booking, action)
        if guard is not None:
            guard(booking)
        from_status = booking.status
        booking.status = to_status
        changed = changes(booking) if changes is not None else {}
        for field, value in changed.items():
            setattr(booking, field, value)
        booking.save(update_fields=["status", "updated_at", *changed])
        event_record(
            booking=booking,
            action=action,
            from_status=from_status,
            actor=actor,
            reason=reason,
            at=now,
        )
        if after is not None:  # e.g. the credit score's cost (issue 12), same transaction
            after(booking)
        if notify:
            booking_notify(booking=booking, event=notify, actor=actor, reason=reason, now=now)
        if from_status in BLOCKING_STATUSES and to_status not in BLOCKING_STATUSES:
            # The time is free again: offer it to its waitlist once this commits (issue 12).
            waitlist_offer_on_commit(resource_id=booking.resource_id, now=now)
    return booking


def _reason(reason: str, *, required: bool = False) -> str:
    return text_clean(
        reason, field="reason", max_length=REASON_MAX_LENGTH, required=required, multiline=True
    )


# --- Predicates: what a member could do now (the API's can_cancel, can_check_in) ----------
# The services below decide with these same functions, under the booking's lock.

#: The statuses a booking may be cancelled from.
CANCELLABLE = (BookingStatus.PENDING, BookingStatus.APPROVED)


def booking_not_started(booking: Booking, now: dt.datetime) -> bool:
    """Cancelling ends when the booking starts (``already_started``)."""
    return booking.start > now


def booking_cancel_is_late(booking: Booking, now: dt.datetime) -> bool:
    """Whether cancelling at ``now`` is late: inside ``BOOKING_LATE_CANCEL_MINUTES`` before
    the start. Recorded on the booking (``cancelled_late``) when it is cancelled."""
    return now > booking.start - minutes_setting("BOOKING_LATE_CANCEL_MINUTES")


def booking_can_cancel(actor: Member | None, booking: Booking, now: dt.datetime) -> bool:
    """Whether booking_cancel would accept ``actor`` cancelling ``booking`` at ``now``."""
    return (
        member_can_cancel_booking(actor, booking)
        and booking.status in CANCELLABLE
        and booking_not_started(booking, now)
    )


def booking_check_in_window(booking: Booking) -> tuple[dt.datetime, dt.datetime]:
    """When check-in is open: from ``BOOKING_CHECKIN_OPENS_MINUTES`` before the start until
    ``BOOKING_NO_SHOW_GRACE_MINUTES`` after it, or the end if sooner (both included)."""
    opens = booking.start - minutes_setting("BOOKING_CHECKIN_OPENS_MINUTES")
    closes = min(booking.end, booking.start + minutes_setting("BOOKING_NO_SHOW_GRACE_MINUTES"))
    return opens, closes


def booking_can_check_in(actor: Member | None, booking: Booking, now: dt.datetime) -> bool:
    """Whether booking_check_in would check ``actor`` in at ``now`` (given the resource's
    code, which a manager needs not): not yet checked in, approved, inside the window.
    Reads ``booking.resource`` (load it with the booking)."""
    if not member_can_check_in_booking(actor, booking) or booking.checked_in_at is not None:
        return False
    opens, closes = booking_check_in_window(booking)
    return booking.status == BookingStatus.APPROVED and opens <= now <= closes


# --- Decisions and cancellation -----------------------------------------------------------


def booking_approve(
    *, actor: Member, booking_id: int, reason: str = "", now: dt.datetime | None = None
) -> Booking:
    """Approve a pending booking: the secretariat or the resource unit's managers, while
    both the booker's unit and the resource's unit are active."""

    def units_active(booking: Booking) -> None:
        booking_units_check(resource=booking.resource, booker_unit=booking.unit)

    return _transition(
        booking_id=booking_id,
        actor=actor,
        to_status=BookingStatus.APPROVED,
        allowed_from=(BookingStatus.PENDING,),
        action=BookingEvent.Action.APPROVED,
        reason=_reason(reason),
        now=now or timezone.now(),
        may=member_can_decide_booking,
        guard=units_active,
        notify="approved",
    )


def booking_reject(
    *, actor: Member, booking_id: int, reason: str, now: dt.datetime | None = None
) -> Booking:
    """Reject a pending booking; a reason is required so that the booker learns why."""
    return _transition(
        booking_id=booking_id,
        actor=actor,
        to_status=BookingStatus.REJECTED,
        allowed_from=(BookingStatus.PENDING,),
        action=BookingEvent.Action.REJECTED,
        reason=_reason(reason, required=True),
        now=now or timezone.now(),
        may=member_can_decide_booking,
        notify="rejected",
    )


def booking_cancel(
    *, actor: Member, booking_id: int, reason: str = "", now: dt.datetime | None = None
) -> Booking:
    """Cancel a pending or approved booking until it starts; frees the slot.

    Inside ``BOOKING_LATE_CANCEL_MINUTES`` before the start the cancellation is recorded as
    late. Anyone but the booker (their unit's or the resource's managers, the secretariat)
    must give a reason (``cancel_reason_required``); the booker is then told it.
    """
    now = now or timezone.now()
    reason = _reason(reason)

    def not_started(booking: Booking) -> None:
        if not booking_not_started(booking, now):
            raise Conflict("already_started")
        if not reason and actor_member(actor) != booking.member:
            raise ValidationFailed("cancel_reason_required", fields={"reason": ["required"]})

    def lateness(booking: Booking) -> dict:
        return {"cancelled_late": booking_cancel_is_late(booking, now)}

    return _transition(
        booking_id=booking_id,
        actor=actor,
        to_status=BookingStatus.CANCELLED,
        allowed_from=CANCELLABLE,
        action=BookingEvent.Action.CANCELLED,
        reason=reason,
        now=now,
        may=member_can_cancel_booking,
        guard=not_started,
        changes=lateness,
        notify="cancelled",
        after=lambda booking: credit_booking_cost(
            booking=booking, actor=actor_member(actor), now=now
        ),
    )


# --- Check-in and check-out ---------------------------------------------------------------
# Check-in starts the booking's usage session and check-out stops it, in the same
# transaction (bookings.usage_records): one record of use, not two.


def booking_check_in(
    *, actor: Member, booking_id: int, code: str = "", now: dt.datetime | None = None
) -> Booking:
    """Record the booker's arrival, from ``BOOKING_CHECKIN_OPENS_MINUTES`` before the start
    until ``BOOKING_NO_SHOW_GRACE_MINUTES`` after it (or the end, if sooner).

    ``code`` is the resource's check-in code read from its QR code: proof of being there.
    The resource's managers may check a booker in without it. Checking in again is a no-op.
    """
    now = now or timezone.now()
    actor_require(actor)
    with transaction.atomic(durable=True):
        booking = booking_lock(booking_id)
        if not member_can_check_in_booking(actor, booking):
            raise member_refusal(actor)
        if booking.checked_in_at is not None:
            return booking
        if booking.status != BookingStatus.APPROVED:
            raise _invalid_transition(booking, BookingEvent.Action.CHECKED_IN)
        if not member_manages_unit(actor, booking.resource.unit_id) and (
            code != booking.resource.checkin_code
        ):
            raise ValidationFailed("check_in_code_invalid")
        opens, closes = booking_check_in_window(booking)
        if now < opens:
            raise Conflict(
                "check_in_not_open", params={"minutes": settings.BOOKING_CHECKIN_OPENS_MINUTES}
            )
        if now > closes:
            raise Conflict("check_in_closed")
        booking.checked_in_at = now
        booking.save(update_fields=["checked_in_at", "updated_at"])
        # Until usage sessions record use, a check-in is the use that keeps a qualification
        # from lapsing for want of use (resources.qualifications, issue 10).
        qualification_mark_used(
            member_id=booking.member_id, resource_id=booking.resource_id, now=now
        )
        event_record(
            booking=booking,
            action=BookingEvent.Action.CHECKED_IN,
            from_status=booking.status,
            actor=actor,
            reason="",
            at=now,
        )
        session_open_for_booking(booking=booking, now=now)
    return booking


def booking_check_out(*, actor: Member, booking_id: int, now: dt.datetime | None = None) -> Booking:
    """Record the booker's departure; the booking is then completed. Again: a no-op."""
    now = now or timezone.now()
    actor_require(actor)
    with transaction.atomic(durable=True):
        booking = booking_lock(booking_id)
        if not member_can_check_in_booking(actor, booking):
            raise member_refusal(actor)
        if booking.checked_out_at is not None:
            return booking
        if booking.checked_in_at is None:
            raise Conflict("not_checked_in")
        from_status = booking.status
        booking.checked_out_at = max(now, booking.checked_in_at)
        booking.status = BookingStatus.COMPLETED
        booking.save(update_fields=["checked_out_at", "status", "updated_at"])
        event_record(
            booking=booking,
            action=BookingEvent.Action.CHECKED_OUT,
            from_status=from_status,
            actor=actor,
            reason="",
            at=now,
        )
        session_close_for_booking(booking=booking, now=now)
    return booking


# --- Time-driven transitions (run by bookings.jobs as SYSTEM; nobody else may) -----------


def _system_only(actor: Actor, booking: Booking) -> bool:
    return actor_is_system(actor)


def _system_transition(
    *,
    actor: Actor,
    booking_id: int,
    now: dt.datetime | None,
    from_status: str,
    to_status: str,
    action: str,
    due: Callable[[Booking, dt.datetime], bool],
    notify: str | None = None,
    after: Callable[[Booking, dt.datetime], None] | None = None,
) -> Booking:
    """A transition the system makes when ``due(booking, now)`` holds under the lock;
    otherwise Conflict("not_due"), which the jobs treat as "moved on meanwhile"."""
    now = now or timezone.now()

    def guard(booking: Booking) -> None:
        if not due(booking, now):
            raise Conflict("not_due")

    return _transition(
        booking_id=booking_id,
        actor=actor,
        to_status=to_status,
        allowed_from=(from_status,),
        action=action,
        reason="",
        now=now,
        may=_system_only,
        guard=guard,
        notify=notify,
        after=(lambda booking: after(booking, now)) if after is not None else None,
    )


def booking_expire(*, actor: Actor, booking_id: int, now: dt.datetime | None = None) -> Booking:
    """A pending booking still undecided when it starts expires and frees the slot."""
    return _system_transition(
        actor=actor,
        booking_id=booking_id,
        now=now,
        from_status=BookingStatus.PENDING,
        to_status=BookingStatus.EXPIRED,
        action=BookingEvent.Action.EXPIRED,
        due=lambda booking, now: booking.start <= now,
        notify="expired",
    )


def booking_mark_no_show(
    *, actor: Actor, booking_id: int, now: dt.datetime | None = None
) -> Booking:
    """An approved booking of a check-in resource with no check-in by the end of the grace
    period becomes a no-show, which frees the rest of its slot."""
    return _system_transition(
        actor=actor,
        booking_id=booking_id,
        now=now,
        from_status=BookingStatus.APPROVED,
        to_status=BookingStatus.NO_SHOW,
        action=BookingEvent.Action.NO_SHOW,
        due=lambda booking, now: (
            booking.resource.requires_checkin
            and booking.checked_in_at is None
            and now >= booking.start + minutes_setting("BOOKING_NO_SHOW_GRACE_MINUTES")
        ),
        notify="no_show",
        after=lambda booking, now: credit_booking_cost(booking=booking, actor=None, now=now),
    )


def booking_complete(*, actor: Actor, booking_id: int, now: dt.datetime | None = None) -> Booking:
    """An approved booking that was used (checked in, or on a resource without check-in)
    is completed once it has ended."""
    return _system_transition(
        actor=actor,
        booking_id=booking_id,
        now=now,
        from_status=BookingStatus.APPROVED,
        to_status=BookingStatus.COMPLETED,
        action=BookingEvent.Action.COMPLETED,
        due=lambda booking, now: (
            booking.end <= now
            and (booking.checked_in_at is not None or not booking.resource.requires_checkin)
        ),
    )


def booking_remind(*, actor: Actor, booking_id: int, now: dt.datetime | None = None) -> Booking:
    """Remind the booker of an approved booking ``BOOKING_REMINDER_LEAD_MINUTES`` before it
    starts, once. SYSTEM only."""
    now = now or timezone.now()
    actor_require(actor)
    if not actor_is_system(actor):
        raise member_refusal(actor)
    with transaction.atomic(durable=True):
        booking = booking_lock(booking_id)
        due = (
            booking.start - minutes_setting("BOOKING_REMINDER_LEAD_MINUTES") <= now < booking.start
        )
        if booking.reminded_at is not None or booking.status != BookingStatus.APPROVED or not due:
            return booking
        booking.reminded_at = now
        booking.save(update_fields=["reminded_at", "updated_at"])
        event_record(
            booking=booking,
            action=BookingEvent.Action.REMINDED,
            from_status=booking.status,
            actor=actor,
            reason="",
            at=now,
        )
        booking_notify(booking=booking, event="reminder", actor=actor, now=now)
    return booking
