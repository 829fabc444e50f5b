"""Booking on behalf of a member (代预约): who may, and how it is recorded and told.

A manager of the resource's unit or the secretariat books for a member through the one
scheduler (bookings.services.booking_create with ``actor``), so that every rule is the
beneficiary's: their unit on the allow-list, their membership and unit active, and so on.
The booking is the beneficiary's (``member``); its history names the staff member as the
actor of a ``created_on_behalf`` entry, and the beneficiary is told (``booked_for``).
Staff may book either service mode the resource offers, naming an operator for assisted
use or leaving the choice to the scheduler (bookings.service_modes).
"""

from __future__ import annotations

import datetime as dt

from alliance.access import member_can_book_on_behalf, member_refusal
from alliance.errors import AccessDenied, NotFound
from alliance.models import Member
from bookings.locking import event_record
from bookings.models import Booking, BookingEvent, BookingStatus
from notifications.services import booking_notify
from resources.models import Resource


def beneficiary_get(*, member_id: int) -> Member:
    """The member a booking is made for, with their unit (the rules read it); NotFound."""
    member = Member.objects.select_related("unit").filter(pk=member_id).first()
    if member is None:
        raise NotFound()
    return member


def on_behalf_check(*, actor: Member | None, member: Member, resource: Resource) -> Member:
    """Who acts: ``member`` booking for themselves (``actor`` None or the member), or a
    staff member allowed to book ``resource`` for others; anyone else is refused
    (``on_behalf_not_allowed``, or ``actor_unit_inactive`` for staff of a closed unit)."""
    if actor is None or actor.pk == member.pk:
        return member
    if member_can_book_on_behalf(actor, resource):
        return actor
    refusal = member_refusal(actor)
    raise AccessDenied("on_behalf_not_allowed") if refusal.code == "permission_denied" else refusal


def created_action(*, booking: Booking, actor: Member) -> str:
    """The history action of a new booking: made by its member, or on their behalf."""
    if actor.pk != booking.member_id:
        return BookingEvent.Action.CREATED_ON_BEHALF
    return BookingEvent.Action.CREATED


def booking_created_record(
    *, booking: Booking, actor: Member, now: dt.datetime, recorded: bool = False
) -> None:
    """The history entry and notices of a new booking. Caller holds the resource's lock,
    inside the transaction that inserted ``booking``. ``recorded``: the insert wrote the
    history entry already (bookings.services._insert_if_free, one statement on PostgreSQL)."""
    on_behalf = actor.pk != booking.member_id
    if not recorded:
        event_record(
            booking=booking,
            action=created_action(booking=booking, actor=actor),
            from_status="",
            actor=actor,
            reason="",
            at=now,
        )
    if booking.status == BookingStatus.PENDING:
        booking_notify(booking=booking, event="requested", actor=booking.member, now=now)
    if on_behalf:
        booking_notify(booking=booking, event="booked_for", actor=actor, now=now)
    if booking.operator_id is not None:  # assisted use: the operator is told (issue 10)
        booking_notify(booking=booking, event="op_assigned", actor=actor, now=now)
