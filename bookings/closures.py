"""Closures that take care of the bookings they hit, and retiring a resource with its
bookings (issue 9).

Closing a resource (repair, outage), closing the whole alliance (a public holiday) or
retiring a resource first lists the *hits*: the pending and approved bookings it would
leave standing inside the closure (for a retirement, every one not yet ended). Unless the
caller confirms, a closure with hits is refused (409 ``closure_hits_bookings``, listing
them) and nothing is written. Confirmed, the closure is inserted and every hit cancelled
with the closure's reason in one transaction; each cancellation is recorded in the
booking's history (``cancelled_by_closure``, by the actor, with the reason), and each
booker is told in the inbox and by WeChat subscription message (the outbox, sent after
commit) with the nearest free slots of the same resource.

Concurrency (docs/bookings-concurrency.md): the writer takes the resource's row lock
before it looks for hits and advances the resource's ``updated_at`` under it. A booking
that read the resource before the closure and reaches the lock after it finds the row
changed, reads again and is refused ``closed``; one that took the lock first is committed
before the closure looks, so it is a hit. Either way no blocking booking is left inside the
closure. An alliance-wide closure takes every resource's lock, in pk order, and advances
them all, so the same holds for holidays (which resources.calendar_services.closure_create, with
no bookings to see, writes without locks).

Bookings already under way when a closure starts are hits too (the instrument is down);
bookings that have ended are history and stay as they are.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import OperationalError, transaction
from django.utils import timezone

from alliance.access import member_can_close_over_bookings, member_refusal
from alliance.actors import Actor, actor_is_system, actor_require
from alliance.errors import Conflict, NotFound, ValidationFailed
from alliance.services import text_clean
from bookings.locking import (
    busy_answer,
    event_record,
)
from bookings.models import Booking, BookingEvent, BookingStatus
from bookings.selectors import (
    alternatives_from,
    alternatives_window,
    blocking_spans_between,
)
from bookings.waitlist_offer import waitlist_holds_ended, waitlist_offer_on_commit
from notifications.services import booking_notify
from resources.intervals import Interval, interval_validate
from resources.locking import resource_lock, resources_lock_all
from resources.models import Closure, Resource
from resources.selectors import resource_calendar_get

CLOSURE_REASON_MAX_LENGTH = 200  # resources.models.Closure.reason
#: Statuses a closure cancels: the undecided and the approved (completed ones are over),
#: and the waitlist's holds (issue 12).
HIT_STATUSES = (BookingStatus.PENDING, BookingStatus.APPROVED, BookingStatus.HELD)


@dataclass(frozen=True)
class ClosureOutcome:
    closure: Closure | None  # None for a retirement
    cancelled: list[Booking]


class _Unconfirmed(Exception):
    """Raised inside the transaction to roll it back (the ``updated_at`` advance too)."""

    def __init__(self, hits: list[Booking]) -> None:
        self.hits = hits


# --- Reads --------------------------------------------------------------------------------


def closure_hits_get(
    *, resource_id: int | None, start: dt.datetime, end: dt.datetime, now: dt.datetime
) -> list[Booking]:
    """The pending and approved bookings a closure of ``resource_id`` (every resource for
    None) over [start, end) would cancel: those meeting [start, end) and not ended by
    ``now``; with resource, booker and units joined, by start. One query."""
    bookings = Booking.objects.filter(
        status__in=HIT_STATUSES, start__lt=end, end__gt=max(start, now)
    )
    if resource_id is not None:
        bookings = bookings.filter(resource_id=resource_id)
    return list(
        bookings.select_related("resource", "resource__unit", "member", "unit").order_by(
            "start", "pk"
        )
    )


def closure_hits_preview(
    *,
    actor: Actor,
    resource_id: int | None,
    start: dt.datetime,
    end: dt.datetime,
    now: dt.datetime | None = None,
) -> list[Booking]:
    """What closure_create_with_cancellations would cancel, for whoever may make it (who
    may then see the bookers' names). Writes nothing."""
    actor_require(actor)
    interval_validate(start, end)
    resource = None
    if resource_id is not None:
        resource = Resource.objects.select_related("unit").filter(pk=resource_id).first()
        if resource is None:
            raise NotFound()
    _close_require(actor, resource)
    return closure_hits_get(
        resource_id=resource_id, start=start, end=end, now=now or timezone.now()
    )


def retirement_hits_preview(
    *, actor: Actor, resource_id: int, now: dt.datetime | None = None
) -> list[Booking]:
    """The bookings retiring the resource would cancel: every pending or approved one not
    yet ended. Writes nothing."""
    return closure_hits_preview(
        actor=actor,
        resource_id=resource_id,
        start=now or timezone.now(),
        end=dt.datetime.max.replace(tzinfo=dt.UTC),
        now=now,
    )


def hit_facts(booking: Booking) -> dict[str, Any]:
    """One hit as the ``closure_hits_bookings`` refusal lists it. The booker's name is there
    because only those who may close the resource (its managers, the secretariat) see it."""
    return {
        "id": booking.pk,
        "resource": booking.resource_id,
        "resource_name": booking.resource.name,
        "start": booking.start,
        "end": booking.end,
        "status": booking.status,
        "unit": booking.unit_id,
        "unit_name": booking.unit.name,
        "member_name": booking.member.name,
    }


def _unconfirmed_error(hits: list[Booking]) -> Conflict:
    return Conflict(
        "closure_hits_bookings",
        params={"count": len(hits)},
        bookings=[hit_facts(b) for b in hits],
    )


# --- Writes -------------------------------------------------------------------------------


def _close_require(actor: Actor, resource: Resource | None) -> None:
    if actor_is_system(actor) or member_can_close_over_bookings(actor, resource):
        return
    raise member_refusal(actor)


def _locked(resource_id: int | None, actor: Actor) -> list[Resource]:
    """Lock the resource (or, for None, every resource), check access, and advance
    ``updated_at`` so that a booking writer that read the rows before sees them change."""
    if resource_id is None:
        _close_require(actor, None)
        resources = resources_lock_all()
        Resource.objects.filter(pk__in=[r.pk for r in resources]).update(updated_at=timezone.now())
        return resources
    resource = resource_lock(resource_id)
    _close_require(actor, resource)
    resource.save(update_fields=["updated_at"])  # a new version of its rules
    return [resource]


def _cancel_hits(
    *, hits: list[Booking], actor: Actor, reason: str, now: dt.datetime, alternatives: bool
) -> None:
    """Cancel each hit, record it, and tell its booker (with free slots if ``alternatives``).
    Caller holds the hits' resources' locks inside the closure's transaction."""
    if not hits:
        return
    locked = {
        b.pk: b
        for b in Booking.objects.select_for_update(of=("self",)).filter(pk__in=[b.pk for b in hits])
    }
    for booking in hits:
        from_status = locked[booking.pk].status
        booking.status = BookingStatus.CANCELLED
        booking.save(update_fields=["status", "updated_at"])
        event_record(
            booking=booking,
            action=BookingEvent.Action.CANCELLED_BY_CLOSURE,
            from_status=from_status,
            actor=actor,
            reason=reason,
            at=now,
        )
    waitlist_holds_ended(booking_ids=[b.pk for b in hits])  # issue 12: nothing left to claim
    free = _alternatives_by_booking(hits, now=now) if alternatives else {}
    for booking in hits:
        booking_notify(
            booking=booking,
            event="cancelled",
            actor=actor,
            reason=reason,
            now=now,
            alternatives=free.get(booking.pk, []),
        )


def _alternatives_by_booking(bookings: list[Booking], *, now: dt.datetime) -> dict[int, list]:
    """The nearest free slots of each booking's own resource, as the scheduler offers them
    (bookings.selectors.alternatives_from), read after the closure and the cancellations:
    one calendar and one bookings read per resource."""
    by_resource: dict[int, list[Booking]] = defaultdict(list)
    for booking in bookings:
        by_resource[booking.resource_id].append(booking)
    free: dict[int, list[Interval]] = {}
    for group in by_resource.values():
        resource = group[0].resource
        if resource.is_retired:
            continue
        windows = [alternatives_window(start=b.start, end=b.end, now=now) for b in group]
        span = Interval(min(w.start for w in windows), max(w.end for w in windows))
        if span.end <= span.start:
            continue
        calendar = resource_calendar_get(resource=resource, start=span.start, end=span.end)
        blocking = blocking_spans_between(
            resource_id=resource.pk, start=span.start, end=span.end, buffer=resource.buffer
        )
        for booking in group:
            free[booking.pk] = alternatives_from(
                resource=resource,
                calendar=calendar,
                blocking=blocking,
                start=booking.start,
                end=booking.end,
                now=now,
            )
    return free


def closure_create_with_cancellations(
    *,
    actor: Actor,
    resource_id: int | None,
    start: dt.datetime,
    end: dt.datetime,
    reason: str,
    confirm: bool = False,
    now: dt.datetime | None = None,
    then: Callable[[ClosureOutcome], None] | None = None,
) -> ClosureOutcome:
    """Close a resource (``resource_id``), or the whole alliance (None: the secretariat),
    over [start, end), cancelling the bookings it hits if ``confirm``. ``then`` runs inside
    the same transaction with the outcome (a fault report records its closure there, so
    that both or neither are written).

    Access: the resource's unit's managers or the secretariat (alliance.access.
    member_can_close_over_bookings). Hits without ``confirm``: Conflict
    ``closure_hits_bookings`` with the hits, nothing written. A closure that hits nothing
    needs no confirmation.
    """
    actor_require(actor)
    now = now or timezone.now()
    reason = text_clean(reason, field="reason", max_length=CLOSURE_REASON_MAX_LENGTH, required=True)
    interval_validate(start, end)
    try:
        with transaction.atomic(durable=True):
            _locked(resource_id, actor)
            hits = closure_hits_get(resource_id=resource_id, start=start, end=end, now=now)
            if hits and not confirm:
                raise _Unconfirmed(hits)
            closure = Closure.objects.create(
                resource_id=resource_id, start=start, end=end, reason=reason
            )
            _cancel_hits(hits=hits, actor=actor, reason=reason, now=now, alternatives=True)
            outcome = ClosureOutcome(closure=closure, cancelled=hits)
            if then is not None:
                then(outcome)
    except _Unconfirmed as unconfirmed:
        raise _unconfirmed_error(unconfirmed.hits) from None
    except OperationalError as exc:
        busy = busy_answer(exc)
        if busy is None:
            raise
        raise busy from None
    return outcome


def closure_end_move(
    *,
    actor: Actor,
    closure_id: int,
    end: dt.datetime,
    reason: str,
    now: dt.datetime | None = None,
) -> ClosureOutcome:
    """Move the end of one resource's closure, inside the caller's transaction.

    Earlier (a repair done): the closure ends at ``end``, or at ``now`` if that is later;
    one that would then end before it starts is deleted (``closure`` None in the outcome).
    Bookings it cancelled stay cancelled: lifting a closure restores nothing, but the
    time it frees is offered to the resource's waitlist after commit (issue 12). Later (a
    longer repair): the bookings the extension [old end, end) hits are cancelled with
    ``reason`` and their bookers offered free slots, as closure_create_with_cancellations
    does confirmed. Access as for that function."""
    actor_require(actor)
    now = now or timezone.now()
    closure = Closure.objects.filter(pk=closure_id, resource__isnull=False).first()
    if closure is None:
        raise NotFound()
    _locked(closure.resource_id, actor)
    closure.refresh_from_db()
    hits: list[Booking] = []
    if end > closure.end:
        hits = closure_hits_get(
            resource_id=closure.resource_id, start=closure.end, end=end, now=now
        )
    else:
        end = max(end, now)
    if end < closure.end:  # time opens again: offer it to the waitlist after commit
        waitlist_offer_on_commit(resource_id=closure.resource_id, now=now)
    if end <= closure.start:
        closure.delete()
        return ClosureOutcome(closure=None, cancelled=[])
    if end != closure.end:
        closure.end = end
        closure.save(update_fields=["end"])
    _cancel_hits(hits=hits, actor=actor, reason=reason, now=now, alternatives=True)
    return ClosureOutcome(closure=closure, cancelled=hits)


def resource_retire_with_cancellations(
    *,
    actor: Actor,
    resource_id: int,
    reason: str = "",
    confirm: bool = False,
    now: dt.datetime | None = None,
) -> ClosureOutcome:
    """Retire a resource for good, cancelling its bookings not yet ended if ``confirm``
    (with ``reason``, required then: ``cancel_reason_required``). Access and refusal as for
    closure_create_with_cancellations; retiring a retired resource changes nothing but
    cancels, confirmed, what still stands."""
    actor_require(actor)
    now = now or timezone.now()
    reason = text_clean(
        reason, field="reason", max_length=CLOSURE_REASON_MAX_LENGTH, required=False
    )
    try:
        with transaction.atomic(durable=True):
            (resource,) = _locked(resource_id, actor)
            hits = closure_hits_get(
                resource_id=resource_id,
                start=now,
                end=dt.datetime.max.replace(tzinfo=dt.UTC),
                now=now,
            )
            if hits and not confirm:
                raise _Unconfirmed(hits)
            if hits and not reason:
                raise ValidationFailed("cancel_reason_required", fields={"reason": ["required"]})
            if not resource.is_retired:
                resource.is_retired = True
                resource.save(update_fields=["is_retired", "updated_at"])
            _cancel_hits(hits=hits, actor=actor, reason=reason, now=now, alternatives=False)
    except _Unconfirmed as unconfirmed:
        raise _unconfirmed_error(unconfirmed.hits) from None
    except OperationalError as exc:
        busy = busy_answer(exc)
        if busy is None:
            raise
        raise busy from None
    return ClosureOutcome(closure=None, cancelled=hits)
