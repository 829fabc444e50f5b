"""Recorded use (使用记录): starting and stopping sessions by a scan, entries and corrections
by hand, and closing sessions left running. Every write of usage sessions is here or in
bookings.usage_records (which the check-in and check-out share).

A member starts a session by scanning the resource's QR code (its check-in code). Inside a
booking they hold whose check-in window is open, the scan checks the booking in, which
starts its session. Otherwise it is walk-up use, allowed only where
:func:`walk_up_refusal` says nothing. Stopping a booking's session checks the booking out.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from alliance.access import member_acts, member_manages_unit, member_refusal
from alliance.actors import Actor, actor_is_system, actor_require
from alliance.errors import Conflict, NotFound, ValidationFailed
from alliance.models import Member
from alliance.services import text_clean, yuan_clean
from bookings.lifecycle import booking_check_in, booking_check_in_window, booking_check_out
from bookings.models import BLOCKING_STATUSES, Booking, BookingStatus
from bookings.sample_models import SampleOrder
from bookings.usage_models import UsageSession, UsageSource
from bookings.usage_records import session_close, session_open, session_running_get
from resources.locking import resource_lock
from resources.models import Resource

NOTES_MAX_LENGTH = 500
SAMPLES_MAX = 100_000
FLAG_LEFT_RUNNING = "left_running"


def _resource_lock(resource_id: int) -> Resource:
    """The resource's row lock (a seam for the concurrency tests' controls)."""
    return resource_lock(resource_id)


def _notes(notes: str) -> str:
    return text_clean(notes, field="notes", max_length=NOTES_MAX_LENGTH, required=False)


def _samples(samples: int | None) -> int | None:
    if samples is None:
        return None
    if isinstance(samples, bool) or not isinstance(samples, int) or not 0 <= samples <= SAMPLES_MAX:
        raise ValidationFailed("invalid", fields={"samples": ["invalid"]})
    return samples


FEE_MAX = Decimal("9999999999.99")  # UsageSession.fee: twelve digits, two after the point


def _fee(fee: Decimal | None) -> Decimal | None:
    """Service income in yuan (the assessment, issue 11): empty, or a sum of yuan."""
    return None if fee is None else yuan_clean(fee, field="fee", maximum=FEE_MAX)


def walk_up_refusal(member: Member, resource: Resource, now: dt.datetime) -> str | None:
    """Why ``member`` may not use ``resource`` now without a booking, or None.

    Today: the resource must allow walk-up use and no blocking booking may hold it now.
    Hook for qualifications (issue 10, another branch): a resource that requires one will
    refuse here with ``not_qualified`` when the member holds no valid grant.
    """
    if resource.is_retired:
        return "resource_retired"
    if not resource.allows_walk_up:
        return "walk_up_not_allowed"
    booked = Booking.objects.filter(
        resource_id=resource.pk,
        status__in=BLOCKING_STATUSES,
        start__lte=now,
        blocked_until__gt=now,
    ).exclude(status=BookingStatus.COMPLETED, checked_out_at__isnull=False)
    if booked.exists():
        return "instrument_booked"
    return None


def _booking_to_check_in(member: Member, resource_id: int, now: dt.datetime) -> Booking | None:
    """The member's approved booking of the resource whose check-in window holds ``now``."""
    candidates = Booking.objects.filter(
        resource_id=resource_id,
        member=member,
        status=BookingStatus.APPROVED,
        checked_in_at__isnull=True,
        start__lte=now + dt.timedelta(days=1),
        end__gte=now,
    ).order_by("start")
    for booking in candidates:
        opens, closes = booking_check_in_window(booking)
        if opens <= now <= closes:
            return booking
    return None


def usage_start(
    *,
    actor: Member,
    resource_id: int,
    code: str,
    now: dt.datetime | None = None,
    samples: int | None = None,
    notes: str = "",
) -> UsageSession:
    """Start using the instrument by its QR code; the running session is answered again
    when the member scans twice. Refusals: ``check_in_code_invalid``, ``instrument_in_use``,
    and for walk-up use :func:`walk_up_refusal`'s codes."""
    now = now or timezone.now()
    actor_require(actor)
    if not isinstance(actor, Member) or not actor.is_active:
        raise member_refusal(actor)
    samples, notes = _samples(samples), _notes(notes)
    resource = Resource.objects.filter(pk=resource_id).first()
    if resource is None:
        raise NotFound()
    if code != resource.checkin_code:
        raise ValidationFailed("check_in_code_invalid")
    booking = _booking_to_check_in(actor, resource_id, now)
    if booking is not None:
        booking_check_in(actor=actor, booking_id=booking.pk, code=code, now=now)
        session = UsageSession.objects.get(booking=booking, stopped_at__isnull=True)
        if samples is not None or notes:
            UsageSession.objects.filter(pk=session.pk).update(samples=samples, notes=notes)
            session.refresh_from_db()
        return session
    with transaction.atomic(durable=True):
        resource = _resource_lock(resource_id)
        running = session_running_get(resource_id=resource_id)
        if running is not None and running.member_id == actor.pk:
            return running
        if running is not None:
            raise Conflict("instrument_in_use")
        refusal = walk_up_refusal(actor, resource, now)
        if refusal is not None:
            raise Conflict(refusal)
        return session_open(
            resource_id=resource_id,
            member=actor,
            source=UsageSource.QR_SCAN,
            now=now,
            samples=samples,
            notes=notes,
        )


def member_can_stop_session(member: Member | None, session: UsageSession) -> bool:
    """Stop a session: its user, or the managers of the resource's unit."""
    if not isinstance(member, Member) or not member.is_active:
        return False
    if session.member_id == member.pk:
        return True
    return member_manages_unit(member, session.resource.unit_id)


def usage_stop(
    *,
    actor: Member,
    session_id: int,
    now: dt.datetime | None = None,
    samples: int | None = None,
    notes: str = "",
) -> UsageSession:
    """Stop a running session (a stopped one is answered as it is). A booking's session
    is stopped by checking the booking out, so that the two stay one record."""
    now = now or timezone.now()
    actor_require(actor)
    samples, notes = _samples(samples), _notes(notes)
    session = UsageSession.objects.select_related("resource").filter(pk=session_id).first()
    if session is None:
        raise NotFound()
    if not member_can_stop_session(actor, session):
        raise member_refusal(actor)
    if session.stopped_at is not None:
        return session
    booking = session.booking
    if booking is not None and booking.checked_out_at is None and booking.checked_in_at:
        booking_check_out(actor=actor, booking_id=booking.pk, now=now)
        if samples is not None or notes:
            UsageSession.objects.filter(pk=session.pk).update(
                **({"samples": samples} if samples is not None else {}),
                **({"notes": notes} if notes else {}),
            )
        session.refresh_from_db()
        if session.stopped_at is not None:
            return session
    with transaction.atomic(durable=True):
        _resource_lock(session.resource_id)
        session = UsageSession.objects.select_for_update().get(pk=session_id)
        return session_close(session=session, now=now, samples=samples, notes=notes)


def usage_close_overdue(
    *, actor: Actor, session_id: int, now: dt.datetime | None = None
) -> UsageSession:
    """SYSTEM only: close a session left running past its booking's end plus
    ``USAGE_SESSION_GRACE_MINUTES`` (walk-up: ``USAGE_WALK_UP_MAX_MINUTES`` after its
    start) and flag it. Conflict("not_due") when it is not (any more) due."""
    from bookings.lifecycle import minutes_setting

    now = now or timezone.now()
    actor_require(actor)
    if not actor_is_system(actor):
        raise member_refusal(actor)
    resource_id = (
        UsageSession.objects.filter(pk=session_id).values_list("resource_id", flat=True).first()
    )
    if resource_id is None:
        raise NotFound()
    with transaction.atomic(durable=True):
        _resource_lock(resource_id)
        session = (
            UsageSession.objects.select_for_update(of=("self",))
            .select_related("booking")
            .get(pk=session_id)
        )
        if session.stopped_at is not None or now < session_deadline(session, minutes_setting):
            raise Conflict("not_due")
        return session_close(session=session, now=now, flag_reason=FLAG_LEFT_RUNNING)


def session_deadline(session: UsageSession, minutes_setting) -> dt.datetime:
    if session.booking is not None:
        return session.booking.end + minutes_setting("USAGE_SESSION_GRACE_MINUTES")
    return session.started_at + minutes_setting("USAGE_WALK_UP_MAX_MINUTES")


# --- Entered and corrected by hand -----------------------------------------------------------


def _reason(reason: str) -> str:
    return text_clean(reason, field="reason", max_length=500, required=True, multiline=True)


def _times_check(started_at: dt.datetime, stopped_at: dt.datetime, now: dt.datetime) -> None:
    if timezone.is_naive(started_at) or timezone.is_naive(stopped_at):
        raise ValidationFailed("naive_datetime")
    if stopped_at <= started_at:
        raise ValidationFailed("usage_times_invalid")
    if stopped_at > now:
        raise ValidationFailed("usage_in_future")


def _overlap_check(
    resource_id: int, started_at: dt.datetime, stopped_at: dt.datetime, exclude: int | None
) -> None:
    overlapping = (
        UsageSession.objects.filter(resource_id=resource_id, started_at__lt=stopped_at)
        .filter(Q(stopped_at__isnull=True) | Q(stopped_at__gt=started_at))
        .exclude(pk=exclude)
    )
    if overlapping.exists():
        raise Conflict("usage_overlaps")


def usage_record_manual(
    *,
    actor: Member,
    resource_id: int,
    member_id: int,
    started_at: dt.datetime,
    stopped_at: dt.datetime,
    reason: str,
    operator_id: int | None = None,
    booking_id: int | None = None,
    samples: int | None = None,
    notes: str = "",
    fee: Decimal | None = None,
    now: dt.datetime | None = None,
    sample_order_id: int | None = None,
) -> UsageSession:
    """A manager of the resource's unit (or the secretariat) records a past session by
    hand, with a reason; it is marked as entered by hand. It may not overlap another. It
    serves at most one of a booking and a sample order (of this resource). ``fee``: the
    service income it brought, if charged."""
    now = now or timezone.now()
    actor_require(actor)
    reason, samples, notes = _reason(reason), _samples(samples), _notes(notes)
    fee = _fee(fee)
    _times_check(started_at, stopped_at, now)
    # Not durable: the back office saves inside its own transaction; nothing is sent after.
    with transaction.atomic():
        resource = _resource_lock(resource_id)
        if not member_manages_unit(actor, resource.unit_id):
            raise member_refusal(actor)
        user = Member.objects.filter(pk=member_id).first()
        if user is None:
            raise ValidationFailed("invalid", fields={"member": ["does_not_exist"]})
        operator = None
        if operator_id is not None:
            operator = Member.objects.filter(pk=operator_id).first()
            if operator is None:
                raise ValidationFailed("invalid", fields={"operator": ["does_not_exist"]})
        if (
            booking_id is not None
            and not Booking.objects.filter(pk=booking_id, resource_id=resource_id).exists()
        ):
            raise ValidationFailed("invalid", fields={"booking": ["does_not_exist"]})
        if sample_order_id is not None and (
            booking_id is not None
            or not SampleOrder.objects.filter(pk=sample_order_id, resource_id=resource_id).exists()
        ):
            raise ValidationFailed("invalid", fields={"sample_order": ["does_not_exist"]})
        _overlap_check(resource_id, started_at, stopped_at, exclude=None)
        return UsageSession.objects.create(
            resource=resource,
            member=user,
            operator=operator,
            booking_id=booking_id,
            sample_order_id=sample_order_id,
            started_at=started_at,
            stopped_at=stopped_at,
            source=UsageSource.MANUAL,
            entered_by=actor,
            manual_reason=reason,
            samples=samples,
            notes=notes,
            fee=fee,
        )


def usage_correct(
    *,
    actor: Member,
    session_id: int,
    reason: str,
    started_at: dt.datetime | None = None,
    stopped_at: dt.datetime | None = None,
    samples: int | None = None,
    notes: str | None = None,
    fee: Decimal | None = None,
    now: dt.datetime | None = None,
) -> UsageSession:
    """A manager corrects a stopped session's times, samples, notes or service income
    (``fee``), with a reason; who corrected it, when and why is kept on the session. The
    flag is cleared."""
    now = now or timezone.now()
    actor_require(actor)
    reason, samples, fee = _reason(reason), _samples(samples), _fee(fee)
    notes = _notes(notes) if notes is not None else None
    resource_id = (
        UsageSession.objects.filter(pk=session_id).values_list("resource_id", flat=True).first()
    )
    if resource_id is None:
        raise NotFound()
    with transaction.atomic(durable=True):
        resource = _resource_lock(resource_id)
        if not member_acts(actor) or not member_manages_unit(actor, resource.unit_id):
            raise member_refusal(actor)
        session = UsageSession.objects.select_for_update().get(pk=session_id)
        if session.stopped_at is None:
            raise Conflict("session_running")
        started = started_at or session.started_at
        stopped = stopped_at or session.stopped_at
        _times_check(started, stopped, now)
        _overlap_check(resource_id, started, stopped, exclude=session.pk)
        session.started_at, session.stopped_at = started, stopped
        if samples is not None:
            session.samples = samples
        if notes is not None:
            session.notes = notes
        if fee is not None:
            session.fee = fee
        session.flagged = False
        session.corrected_by, session.corrected_at, session.correction_reason = actor, now, reason
        session.save()
        return session
