"""Offering freed time to the waitlist (issue 12, docs/decisions/0015-waitlist.md).

``waitlist_offer(resource_id=…, now=…)`` walks the resource's waiting entries in queue
order (``created_at``, ``id``) and gives the first whose slot is wholly free, and whose
member may still book it (every rule of booking_create, the credit suspension and the
quotas included), a *hold*: a Booking in status ``held`` until ``now +
WAITLIST_HOLD_MINUTES`` (never past the slot's start), and tells them. Those who may not
book stay waiting. It goes on until no waiting entry can be offered.

Lock protocol (docs/bookings-concurrency.md, "The waitlist"): each hold is made in its own
durable transaction that takes the resource's row lock first, as booking_create does, then
re-reads the blocking bookings, then, only for the entry it offers and only if a quota
applies, the quota locks (unit, then member), and inserts. One transaction takes at most
one unit and one member lock, so two offers on two resources never wait for each other
crosswise. The exclusion constraint has the final word on the insert.

Who calls it: the lifecycle, after commit, whenever a blocking booking stops blocking
(waitlist_offer_on_commit: the fast path, which never raises into the caller), the
shortening of a closure (bookings.closures.closure_end_move), and the jobs' sweep
(bookings.jobs.waitlist_offers_due), which also covers closures lifted in resources
(which cannot import bookings).
"""

from __future__ import annotations

import datetime as dt
import logging
from functools import partial

from django.conf import settings
from django.db import IntegrityError, OperationalError, connection, transaction
from django.db.models import Exists, OuterRef

from alliance.actors import SYSTEM
from alliance.errors import DomainError
from bookings import service_modes
from bookings.locking import event_record
from bookings.models import BLOCKING_STATUSES, Booking, BookingEvent, BookingStatus
from bookings.quotas import quota_check, quota_fits
from bookings.selectors import blocking_spans_between, booking_window_get
from bookings.waitlist_models import WaitlistEntry, WaitlistStatus
from bookings.window_rules import window_rules_check
from notifications.models import NotificationKind
from notifications.services import booking_notify
from resources.locking import resource_lock

logger = logging.getLogger(__name__)


def hold_length() -> dt.timedelta:
    return dt.timedelta(minutes=settings.WAITLIST_HOLD_MINUTES)


class _Skip(Exception):
    """The chosen entry failed under the locks (a quota, an operator): roll back, leave it
    waiting, and look again without it in a new transaction."""

    def __init__(self, entry_id: int, code: str) -> None:
        self.entry_id = entry_id
        self.code = code


def _may_book(entry: WaitlistEntry, now: dt.datetime) -> bool:
    """Whether ``entry``'s member may book its slot now, every rule but the overlap and the
    quotas' locked count (two reads, no lock)."""
    window = booking_window_get(
        resource_id=entry.resource_id,
        member=entry.member,
        start=entry.start,
        end=entry.end,
        now=now,
    )
    if window is None:
        return False
    try:
        window_rules_check(
            window,
            member=entry.member,
            start=entry.start,
            end=entry.end,
            attendees=entry.attendees,
            now=now,
            mode=entry.mode,
        )
    except DomainError as refusal:
        logger.info("waitlist entry %s not offered: %s", entry.pk, refusal.code)
        return False
    if getattr(window.resource, "has_quotas", True) and not quota_fits(
        resource=window.resource, member=entry.member, start=entry.start, end=entry.end, now=now
    ):
        logger.info("waitlist entry %s not offered: quota_exceeded", entry.pk)
        return False
    return True


def _offer_one(*, resource_id: int, now: dt.datetime, skip: set[int]) -> WaitlistEntry | None:
    """Make one hold for the first entry that can have one, or return None."""
    with transaction.atomic(durable=True):
        resource = resource_lock(resource_id)
        if resource.is_retired:
            return None
        entries = list(
            WaitlistEntry.objects.filter(
                resource_id=resource_id, status=WaitlistStatus.WAITING, start__gt=now
            )
            .exclude(pk__in=skip)
            .select_related("member__unit")
            .order_by("created_at", "pk")
        )
        if not entries:
            return None
        blocking = blocking_spans_between(
            resource_id=resource_id,
            start=min(e.start for e in entries),
            end=max(e.end for e in entries),
            buffer=resource.buffer,
        )
        for entry in entries:
            reach = entry.end + resource.buffer
            if any(b.start < reach and b.blocked_until > entry.start for b in blocking):
                continue
            if not _may_book(entry, now):
                continue
            return _hold_make(entry=entry, resource=resource, now=now)
    return None


def _hold_make(*, entry: WaitlistEntry, resource, now: dt.datetime) -> WaitlistEntry:
    """Under the resource's lock: the quota locks and check, an operator for assisted use,
    the held booking, its history entry, the entry offered, the member told."""
    try:
        if getattr(resource, "has_quotas", True):
            quota_check(
                resource=resource, member=entry.member, start=entry.start, end=entry.end, now=now
            )
        operator = None
        if entry.mode == service_modes.ASSISTED:
            operator = service_modes.operator_choose_locked(
                resource=resource, operator_id=None, start=entry.start, end=entry.end
            )
    except DomainError as refusal:
        raise _Skip(entry.pk, refusal.code) from None
    booking = Booking(
        resource=resource,
        member=entry.member,
        unit=entry.member.unit,
        start=entry.start,
        end=entry.end,
        blocked_until=entry.end + resource.buffer,
        purpose=entry.purpose,
        attendees=entry.attendees,
        mode=entry.mode,
        operator=operator,
        status=BookingStatus.HELD,
    )
    booking.save(force_insert=True)
    event_record(
        booking=booking,
        action=BookingEvent.Action.HELD,
        from_status="",
        actor=SYSTEM,
        reason="",
        at=now,
    )
    entry.status = WaitlistStatus.OFFERED
    entry.hold = booking
    entry.offered_at = now
    entry.hold_expires_at = min(now + hold_length(), entry.start)
    entry.save(update_fields=["status", "hold", "offered_at", "hold_expires_at", "updated_at"])
    booking_notify(booking=booking, event=NotificationKind.WAITLIST_OFFERED, actor=SYSTEM, now=now)
    return entry


def waitlist_offer(*, resource_id: int, now: dt.datetime) -> list[WaitlistEntry]:
    """Offer the free time of ``resource_id`` to its waitlist, one hold per transaction,
    until no waiting entry can have one; returns the entries offered. May raise
    OperationalError (the resource's lock not granted in time: ``resource_busy``)."""
    offered: list[WaitlistEntry] = []
    skip: set[int] = set()
    while True:
        try:
            entry = _offer_one(resource_id=resource_id, now=now, skip=skip)
        except _Skip as skipped:
            logger.info("waitlist entry %s not offered: %s", skipped.entry_id, skipped.code)
            skip.add(skipped.entry_id)
            continue
        except IntegrityError:  # a writer that skipped the lock won: the line waits
            logger.info("waitlist offer on resource %s lost to the constraint", resource_id)
            return offered
        if entry is None:
            return offered
        offered.append(entry)


def _offer_after_commit(resource_id: int, now: dt.datetime) -> None:
    """The fast path, after the freeing transaction committed: never raises into the
    caller. What it cannot do now the jobs' sweep does (bookings.jobs)."""
    try:
        waitlist_offer(resource_id=resource_id, now=now)
    except (DomainError, OperationalError) as exc:
        logger.info("waitlist offer on resource %s left to the jobs: %s", resource_id, exc)


def waitlist_offer_on_commit(*, resource_id: int, now: dt.datetime) -> None:
    """Offer ``resource_id``'s freed time once the caller's transaction commits (nothing if
    it rolls back). Caller is inside that transaction."""
    if not connection.in_atomic_block:
        raise RuntimeError("waitlist_offer_on_commit must run inside the freeing transaction")
    transaction.on_commit(partial(_offer_after_commit, resource_id, now))


def waitlist_holds_ended(*, booking_ids: list[int]) -> None:
    """Entries whose hold was cancelled by someone else (a closure, a retirement) end as
    ``expired``: the slot is no longer there to claim. Caller holds the bookings' locks."""
    if booking_ids:
        WaitlistEntry.objects.filter(hold_id__in=booking_ids, status=WaitlistStatus.OFFERED).update(
            status=WaitlistStatus.EXPIRED
        )


def waitlist_resources_to_offer(*, now: dt.datetime, limit: int) -> list[int]:
    """Resources with a waiting entry (still to start) that no blocking booking overlaps:
    the jobs' candidates. Lock-free and permissive (the clean-up buffer is left to the
    offer, which judges each entry under the lock). One query."""
    in_the_way = Booking.objects.filter(
        resource_id=OuterRef("resource_id"),
        status__in=BLOCKING_STATUSES,
        start__lt=OuterRef("end"),
        blocked_until__gt=OuterRef("start"),
    )
    return list(
        WaitlistEntry.objects.filter(status=WaitlistStatus.WAITING, start__gt=now)
        .filter(~Exists(in_the_way))
        .order_by("resource_id")
        .values_list("resource_id", flat=True)
        .distinct()[:limit]
    )
