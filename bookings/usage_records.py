"""Opening and closing usage sessions: the writes every path of recorded use shares (a QR
scan, a booking's check-in and check-out, a manager, the jobs).

Callers hold the resource's row lock (resources.locking.resource_lock) inside their
transaction; the partial unique index on running sessions backs the lock, so a writer that
skipped it still cannot start a second running session (``instrument_in_use``). Power is
switched after the commit (bookings.interlock), never inside the transaction.
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, connection, transaction

from alliance.errors import Conflict
from alliance.models import Member
from bookings.interlock import session_power_after_commit
from bookings.usage_models import USAGE_ONE_RUNNING, InterlockAction, UsageSession, UsageSource

#: The shortest recorded session: a start and a stop at the same instant still have length.
MIN_LENGTH = dt.timedelta(seconds=1)


def _require_transaction() -> None:
    if not connection.in_atomic_block:
        raise RuntimeError("usage sessions are written inside the resource's transaction")


def session_running_get(*, resource_id: int) -> UsageSession | None:
    return (
        UsageSession.objects.select_related("member", "booking")
        .filter(resource_id=resource_id, stopped_at__isnull=True)
        .first()
    )


def session_open(
    *,
    resource_id: int,
    member: Member,
    source: str,
    now: dt.datetime,
    booking_id: int | None = None,
    operator: Member | None = None,
    samples: int | None = None,
    notes: str = "",
) -> UsageSession:
    """Start a session. Caller holds the resource's lock. ``instrument_in_use`` when another
    session runs, found by the read or, for a writer without the lock, by the index."""
    _require_transaction()
    if session_running_get(resource_id=resource_id) is not None:
        raise Conflict("instrument_in_use")
    try:
        with transaction.atomic():
            session = UsageSession.objects.create(
                resource_id=resource_id,
                member=member,
                operator=operator,
                booking_id=booking_id,
                started_at=now,
                source=source,
                samples=samples,
                notes=notes,
            )
    except IntegrityError as exc:
        if USAGE_ONE_RUNNING in str(exc) or "resource_id" in str(exc):
            raise Conflict("instrument_in_use") from None
        raise
    session_power_after_commit(session=session, action=InterlockAction.UNLOCK)
    return session


def session_close(
    *,
    session: UsageSession,
    now: dt.datetime,
    flag_reason: str = "",
    samples: int | None = None,
    notes: str | None = None,
) -> UsageSession:
    """Stop a running session (a stopped one is returned as it is). Caller holds the
    resource's lock. ``flag_reason`` marks a session the system had to close."""
    _require_transaction()
    if session.stopped_at is not None:
        return session
    session.stopped_at = max(now, session.started_at + MIN_LENGTH)
    fields = ["stopped_at"]
    if flag_reason:
        session.flagged = True
        session.flag_reason = flag_reason[:200]
        fields += ["flagged", "flag_reason"]
    if samples is not None:
        session.samples = samples
        fields.append("samples")
    if notes:
        session.notes = notes
        fields.append("notes")
    session.save(update_fields=fields)
    session_power_after_commit(session=session, action=InterlockAction.LOCK)
    return session


def session_open_for_booking(*, booking, now: dt.datetime) -> UsageSession:
    """The check-in's session. Caller holds the resource's lock (bookings.locking).

    The booker has the instrument now: a session still running (a walk-up user, an
    overrunning previous booking) is closed and flagged so that this one can start."""
    running = session_running_get(resource_id=booking.resource_id)
    if running is not None:
        if running.booking_id == booking.pk:
            return running
        session_close(session=running, now=now, flag_reason="superseded_by_booking")
    return session_open(
        resource_id=booking.resource_id,
        member=booking.member,
        source=UsageSource.CHECK_IN,
        now=now,
        booking_id=booking.pk,
        # Assisted use (issue 10): the booking's operator runs the instrument.
        operator=booking.operator if booking.operator_id is not None else None,
    )


def session_close_for_booking(*, booking, now: dt.datetime) -> None:
    """The check-out stops the booking's running session, if any. Caller holds the lock."""
    running = session_running_get(resource_id=booking.resource_id)
    if running is not None and running.booking_id == booking.pk:
        session_close(session=running, now=now)
