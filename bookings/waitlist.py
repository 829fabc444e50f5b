"""The waitlist with a timed hold (issue 12, docs/decisions/0015-waitlist.md): joining,
claiming, declining, leaving, and the hold's lapse. Offering lives in
bookings.waitlist_offer.

- ``waitlist_join``: the member's own entry for a *taken* slot, under every rule
  booking_create would apply to them (a free slot: ``waitlist_slot_free``, book it).
- ``waitlist_claim``: the member takes the hold before it lapses; it becomes pending (the
  resource requires approval; its deciders are told) or approved.
- ``waitlist_decline``: the member gives it up; the hold is cancelled (no credit cost, not
  a late cancellation) and the next in line is offered the time.
- ``waitlist_leave``: a waiting entry leaves the line.
- ``waitlist_hold_lapse``: SYSTEM (the jobs) ends a hold past its ``hold_expires_at``.

Claim, decline and lapse are transitions of the held booking (bookings.lifecycle): they
lock the resource, then the booking, and the entry moves in the same transaction, so a
claim racing the lapse has exactly one outcome. Join and leave lock the resource's row,
so that an offer (which holds it) sees an entry either before or after, never half.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import IntegrityError, OperationalError, transaction
from django.utils import timezone

from alliance.actors import Actor
from alliance.errors import Conflict, NotFound, ValidationFailed
from alliance.models import Member
from bookings import service_modes
from bookings.credit import credit_suspension_check
from bookings.lifecycle import _system_transition, _transition
from bookings.locking import busy_answer
from bookings.models import Booking, BookingEvent, BookingStatus, CreditAccount
from bookings.rules import booking_units_check
from bookings.selectors import blocking_spans_between, booking_window_get
from bookings.waitlist_models import ACTIVE_STATUSES, WaitlistEntry, WaitlistStatus
from bookings.window_rules import request_fields_clean, window_rules_check
from notifications.models import NotificationKind
from notifications.services import booking_notify
from resources.intervals import interval_validate
from resources.locking import resource_lock

DECLINE_REASON = "waitlist"  # recorded on the cancelled hold


class _SlotFree(Exception):
    pass


def waitlist_join(
    *,
    member: Member,
    resource_id: int,
    start: dt.datetime,
    end: dt.datetime,
    purpose: str,
    attendees: int = 1,
    mode: str | None = None,
    now: dt.datetime | None = None,
) -> WaitlistEntry:
    """Put ``member`` in line for [start, end) of a resource, or refuse.

    The rules are booking_create's for this member (access, unit, qualification or mode,
    notice, horizon, duration, opening hours, closures, credit suspension): a refusal
    names the same code. Then the slot must be taken (``waitlist_slot_free`` otherwise),
    the member not already in this line (``waitlist_already_joined``; a unique constraint
    backs it) and in fewer than ``WAITLIST_MAX_ACTIVE_PER_MEMBER`` lines
    (``waitlist_too_many``). Taken is re-read under the resource's lock, so an offer of
    freed time either sees the new entry or the join sees the time free."""
    now = now or timezone.now()
    interval_validate(start, end)
    purpose = request_fields_clean(purpose=purpose, attendees=attendees)
    mode = service_modes.mode_parse(mode)
    window = booking_window_get(
        resource_id=resource_id, member=member, start=start, end=end, now=now
    )
    if window is None:
        raise NotFound()
    window_rules_check(
        window, member=member, start=start, end=end, attendees=attendees, now=now, mode=mode
    )
    if not window.in_the_way(start, end):
        raise Conflict("waitlist_slot_free")
    try:
        with transaction.atomic(durable=True):
            resource = resource_lock(resource_id)
            # The member's row: the cap counts every line, across resources.
            Member.objects.select_for_update(no_key=True).filter(pk=member.pk).values("pk").get()
            if not blocking_spans_between(
                resource_id=resource_id, start=start, end=end, buffer=resource.buffer
            ):
                raise _SlotFree()
            active = WaitlistEntry.objects.filter(member=member, status__in=ACTIVE_STATUSES)
            if active.filter(resource_id=resource_id, start=start, end=end).exists():
                raise Conflict("waitlist_already_joined")
            cap = settings.WAITLIST_MAX_ACTIVE_PER_MEMBER
            if active.count() >= cap:
                raise ValidationFailed("waitlist_too_many", params={"count": cap})
            return WaitlistEntry.objects.create(
                resource=resource,
                member=member,
                unit=member.unit,
                start=start,
                end=end,
                purpose=purpose,
                attendees=attendees,
                mode=mode,
                created_at=now,
            )
    except _SlotFree:
        raise Conflict("waitlist_slot_free") from None
    except IntegrityError:  # the unique constraint: a join of the same slot won
        raise Conflict("waitlist_already_joined") from None
    except OperationalError as exc:
        busy = busy_answer(exc)
        if busy is None:
            raise
        raise busy from None


def _own_entry(*, member: Member, entry_id: int) -> WaitlistEntry:
    """The member's own entry (another's is NotFound, as the list shows only their own)."""
    entry = WaitlistEntry.objects.filter(pk=entry_id, member_id=member.pk).first()
    if entry is None:
        raise NotFound()
    return entry


def _entry_of_hold(booking: Booking) -> WaitlistEntry:
    """The entry a held booking was made for. Caller holds the booking's lock, which every
    writer of an offered entry takes first."""
    return WaitlistEntry.objects.get(hold_id=booking.pk)


def _is_holder(actor: Actor, booking: Booking) -> bool:
    return isinstance(actor, Member) and actor.pk == booking.member_id


def _not_offered(entry: WaitlistEntry) -> Conflict:
    if entry.status == WaitlistStatus.LAPSED:
        return Conflict("waitlist_hold_expired")
    return Conflict("waitlist_not_offered", params={"status": entry.get_status_display()})


def waitlist_claim(
    *, member: Member, entry_id: int, now: dt.datetime | None = None
) -> WaitlistEntry:
    """Take the hold of one's offered entry before ``hold_expires_at``
    (``waitlist_hold_expired`` after it, even before the jobs ran): the booking becomes
    pending if the resource requires approval (its deciders are told) or approved. The
    member's credit suspension and both units are checked again. The hold already counts
    against the quotas, so nothing more is counted."""
    now = now or timezone.now()
    entry = _own_entry(member=member, entry_id=entry_id)
    if entry.hold_id is None or entry.status != WaitlistStatus.OFFERED:
        raise _not_offered(entry)

    def claimable(booking: Booking) -> None:
        held = _entry_of_hold(booking)
        if held.status != WaitlistStatus.OFFERED:
            raise _not_offered(held)
        if held.hold_expires_at <= now:
            raise Conflict("waitlist_hold_expired")
        account = CreditAccount.objects.filter(member_id=booking.member_id).first()
        credit_suspension_check(
            suspended_until=account.suspended_until if account else None, now=now
        )
        booking_units_check(resource=booking.resource, booker_unit=booking.member.unit)

    def status(booking: Booking) -> dict:
        approval = booking.resource.requires_approval
        return {"status": BookingStatus.PENDING if approval else BookingStatus.APPROVED}

    def claimed(booking: Booking) -> None:
        WaitlistEntry.objects.filter(pk=entry.pk).update(
            status=WaitlistStatus.CLAIMED, updated_at=now
        )
        if booking.status == BookingStatus.PENDING:
            booking_notify(booking=booking, event="requested", actor=booking.member, now=now)
        if booking.operator_id is not None:
            booking_notify(booking=booking, event="op_assigned", actor=booking.member, now=now)

    _transition(
        booking_id=entry.hold_id,
        actor=member,
        to_status=BookingStatus.APPROVED,  # or pending: ``status`` decides under the lock
        allowed_from=(BookingStatus.HELD,),
        action=BookingEvent.Action.CLAIMED,
        reason="",
        now=now,
        may=_is_holder,
        guard=claimable,
        changes=status,
        after=claimed,
    )
    entry.refresh_from_db()
    return entry


def waitlist_decline(
    *, member: Member, entry_id: int, now: dt.datetime | None = None
) -> WaitlistEntry:
    """Give up one's hold: the held booking is cancelled (not late, no credit cost), the
    entry declined, and the time offered to the next in line after commit."""
    now = now or timezone.now()
    entry = _own_entry(member=member, entry_id=entry_id)
    if entry.hold_id is None or entry.status != WaitlistStatus.OFFERED:
        raise _not_offered(entry)

    def offered(booking: Booking) -> None:
        held = _entry_of_hold(booking)
        if held.status != WaitlistStatus.OFFERED:
            raise _not_offered(held)

    def declined(booking: Booking) -> None:
        WaitlistEntry.objects.filter(pk=entry.pk).update(
            status=WaitlistStatus.DECLINED, updated_at=now
        )

    _transition(
        booking_id=entry.hold_id,
        actor=member,
        to_status=BookingStatus.CANCELLED,
        allowed_from=(BookingStatus.HELD,),
        action=BookingEvent.Action.HOLD_DECLINED,
        reason=DECLINE_REASON,
        now=now,
        may=_is_holder,
        guard=offered,
        after=declined,
    )
    entry.refresh_from_db()
    return entry


def waitlist_leave(
    *, member: Member, entry_id: int, now: dt.datetime | None = None
) -> WaitlistEntry:
    """Leave the line while waiting (``waitlist_not_waiting`` otherwise: an offered entry
    is declined, not left). Under the resource's lock, so an offer cannot hold the time
    for an entry that is leaving."""
    now = now or timezone.now()
    entry = _own_entry(member=member, entry_id=entry_id)
    try:
        with transaction.atomic(durable=True):
            resource_lock(entry.resource_id)
            entry = WaitlistEntry.objects.select_for_update().get(pk=entry.pk)
            if entry.status != WaitlistStatus.WAITING:
                raise Conflict(
                    "waitlist_not_waiting", params={"status": entry.get_status_display()}
                )
            entry.status = WaitlistStatus.LEFT
            entry.save(update_fields=["status", "updated_at"])
    except OperationalError as exc:
        busy = busy_answer(exc)
        if busy is None:
            raise
        raise busy from None
    return entry


def waitlist_hold_lapse(
    *, actor: Actor, booking_id: int, now: dt.datetime | None = None
) -> Booking:
    """SYSTEM ends a hold not claimed by its ``hold_expires_at``: the booking expires (a
    ``hold_lapsed`` history entry), the entry lapses, the member is told (inbox), and the
    time is offered to the next in line after commit. ``not_due`` before then (the jobs skip it)."""
    now = now or timezone.now()

    def due(booking: Booking, now: dt.datetime) -> bool:
        held = _entry_of_hold(booking)
        return held.status == WaitlistStatus.OFFERED and held.hold_expires_at <= now

    def lapsed(booking: Booking, now: dt.datetime) -> None:
        WaitlistEntry.objects.filter(hold_id=booking.pk, status=WaitlistStatus.OFFERED).update(
            status=WaitlistStatus.LAPSED, updated_at=now
        )

    return _system_transition(
        actor=actor,
        booking_id=booking_id,
        now=now,
        from_status=BookingStatus.HELD,
        to_status=BookingStatus.EXPIRED,
        action=BookingEvent.Action.HOLD_LAPSED,
        due=due,
        notify=NotificationKind.WAITLIST_LAPSED,
        after=lapsed,
    )
