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

from django.db import IntegrityError, OperationalError, connection, transaction
from django.utils import timezone

from alliance.errors import Conflict, NotFound
from alliance.models import Member
from bookings import service_modes
from bookings.figures import rollup_sql
from bookings.figures.rollup import marks_json
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
    EXCLUSION_VIOLATION,
    busy_answer,
    constraint_name,
    sqlstate,
)
from bookings.models import (
    BLOCKING_STATUSES,
    BOOKING_NO_OVERLAP,
    BOOKING_OPERATOR_NO_OVERLAP,
    Booking,
    BookingEvent,
    BookingStatus,
)
from bookings.on_behalf import booking_created_record, created_action, on_behalf_check
from bookings.quotas import quota_check
from bookings.selectors import (
    BlockingSpan,
    BookingWindow,
    blocking_spans_between,
    booking_alternatives,
    booking_window_get,
)
from bookings.similar import similar_answer
from bookings.window_rules import request_fields_clean
from bookings.window_rules import window_rules_check as _rules_check
from resources.intervals import Interval, interval_validate
from resources.locking import resource_lock
from resources.models import Resource


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


def booking_create(
    *,
    member: Member,
    resource_id: int,
    start: dt.datetime,
    end: dt.datetime,
    purpose: str,
    attendees: int = 1,
    now: dt.datetime | None = None,
    actor: Member | None = None,
    mode: str | None = None,
    operator_id: int | None = None,
) -> Booking:
    """Book [start, end) of a resource for ``member``, or refuse with a domain error.

    ``mode``: self-use (default) or assisted, with the operator ``operator_id`` or one the
    scheduler picks (bookings.service_modes: ``mode_not_offered``, ``operator_not_eligible``,
    ``operator_busy``, ``no_operator_free``).

    ``actor``: a manager of the resource's unit or the secretariat booking on ``member``'s
    behalf (bookings.on_behalf); every rule is still ``member``'s.

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
    purpose = request_fields_clean(purpose=purpose, attendees=attendees)
    mode = service_modes.mode_parse(mode)
    operator_id = service_modes.operator_id_parse(mode=mode, operator_id=operator_id)
    assisted = mode == service_modes.ASSISTED
    window = booking_window_get(
        resource_id=resource_id, member=member, start=start, end=end, now=now
    )
    if window is None:
        raise NotFound()
    actor = on_behalf_check(actor=actor, member=member, resource=window.resource)
    rules = {
        "member": member,
        "start": start,
        "end": end,
        "attendees": attendees,
        "now": now,
        "mode": mode,
    }
    _rules_check(window, **rules)
    in_the_way = window.in_the_way(start, end)
    if in_the_way:  # Committed before our read: a refusal as of that read.
        raise _conflict_error(window, start, end, now, in_the_way, member, attendees)
    operator = None
    if assisted:  # refused before the lock, chosen again under it
        service_modes.operator_choose(
            resource=window.resource, operator_id=operator_id, start=start, end=end
        )
    try:
        with transaction.atomic(durable=True):
            resource = _resource_lock(resource_id)
            if not _same_row(resource, window.resource):  # The rules changed meanwhile.
                window = booking_window_get(
                    resource_id=resource_id, member=member, start=start, end=end, now=now
                )
                _rules_check(window, **rules)
            if assisted:
                operator = service_modes.operator_choose_locked(
                    resource=resource, operator_id=operator_id, start=start, end=end
                )
            if getattr(window.resource, "has_quotas", True):  # issue 12, bookings.quotas
                quota_check(resource=resource, member=member, start=start, end=end, now=now)
            booking = Booking(
                resource=resource,
                member=member,
                unit=member.unit,
                start=start,
                end=end,
                blocked_until=end + resource.buffer,
                purpose=purpose,
                attendees=attendees,
                mode=mode,
                operator=operator,
                status=(
                    BookingStatus.PENDING if resource.requires_approval else BookingStatus.APPROVED
                ),
            )
            if connection.vendor == "postgresql":
                _insert_if_free(booking, actor=actor, at=now)  # its history entry too
                booking_created_record(booking=booking, actor=actor, now=now, recorded=True)
            else:
                blocking = blocking_spans_between(
                    resource_id=resource.pk, start=start, end=end, buffer=resource.buffer
                )
                if blocking:
                    raise _SlotTaken(blocking)
                booking.save(force_insert=True)
                booking_created_record(booking=booking, actor=actor, now=now)
    except _SlotTaken as taken:  # Lost the race between the read and the lock.
        raise _conflict_error(window, start, end, now, taken.blocking, member, attendees) from None
    except IntegrityError as exc:
        if sqlstate(exc) == EXCLUSION_VIOLATION and constraint_name(exc) == BOOKING_NO_OVERLAP:
            won = blocking_spans_between(
                resource_id=resource_id, start=start, end=end, buffer=window.resource.buffer
            )
            raise _conflict_error(window, start, end, now, won, member, attendees) from None
        if (
            sqlstate(exc) == EXCLUSION_VIOLATION
            and constraint_name(exc) == BOOKING_OPERATOR_NO_OVERLAP
        ):  # Another resource's writer booked the operator meanwhile.
            raise service_modes.operator_busy_error(named=operator_id is not None) from None
        raise
    except OperationalError as exc:
        busy = busy_answer(exc)
        if busy is None:
            raise
        raise busy from None
    return booking


def _insert_if_free(
    booking: Booking, *, actor: Member, at: dt.datetime, only_if_free: bool = True
) -> None:
    """On PostgreSQL, under the resource's lock: re-read the slot's blocking bookings, and
    only if there are none insert ``booking`` and its ``created`` history entry, in ONE
    statement (three round trips before: the re-check, the booking, the entry). Raises
    _SlotTaken with what is in the way; sets ``booking.pk`` otherwise.

    The statement starts after the lock is granted, so its snapshot holds every booking
    committed before, as the separate re-check's did; the exclusion constraint still has
    the final word on the insert. The re-check is blocking_spans_between's overlap test
    (the GiST-friendly ``tstzrange &&`` with a bigint resource id); the values are the
    ORM's own (each field's pre_save and get_db_prep_save, as Model.save uses them).

    ``only_if_free=False`` leaves the re-check out: the race suite's control, which shows
    that the exclusion constraint alone keeps one winner.
    """
    fields = [f for f in Booking._meta.concrete_fields if not f.primary_key]
    values = [f.get_db_prep_save(f.pre_save(booking, True), connection) for f in fields]
    history = BookingEvent._meta
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    statuses = ", ".join(["%s"] * len(BLOCKING_STATUSES))
    guard = "NOT EXISTS (SELECT 1 FROM taken)" if only_if_free else "true"
    sql = f"""
        WITH taken AS (
            SELECT start, "end", blocked_until FROM {Booking._meta.db_table}
             WHERE status IN ({statuses}) AND resource_id = CAST(%s AS bigint)
               AND tstzrange(start, blocked_until) && tstzrange(%s, %s)
        ), made AS (
            INSERT INTO {Booking._meta.db_table} ({columns})
            SELECT {", ".join(["%s"] * len(values))} WHERE {guard}
            RETURNING id
        ), recorded AS (
            INSERT INTO {history.db_table}
                   (booking_id, action, from_status, to_status, actor_id, reason, at)
            SELECT id, %s, '', %s, %s, '', %s FROM made
        ), marked AS (
            {rollup_sql.mark_sql(when="EXISTS (SELECT 1 FROM made)")}
        )
        SELECT id, NULL, NULL, NULL FROM made
        UNION ALL
        SELECT NULL, start, "end", blocked_until FROM taken
    """  # noqa: S608 - model metadata and placeholders only; every value is a parameter
    params = [
        *BLOCKING_STATUSES,
        booking.resource_id,
        booking.start,
        booking.blocked_until,
        *values,
        created_action(booking=booking, actor=actor),
        booking.status,
        actor.pk,
        at,
        # The figures' days the booking touches (bookings.figures.rollup): no Model.save
        # here, so no signal; the same statement marks them.
        marks_json([(booking.resource_id, booking.start, booking.end)]),
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    made = [row[0] for row in rows if row[0] is not None]
    if not made:
        raise _SlotTaken(sorted(BlockingSpan(*row[1:]) for row in rows))
    booking.pk = made[0]
    booking._state.adding = False
    booking._state.db = connection.alias


def _conflict_error(
    window: BookingWindow,
    start: dt.datetime,
    end: dt.datetime,
    now: dt.datetime,
    in_the_way: list[BlockingSpan],
    member: Member | None = None,
    attendees: int = 1,
) -> Conflict:
    """The ``conflict`` answer: what is in the way, and the nearest free slots computed from
    the window already read plus what was found in the way since; one more read only when
    that window cannot prove them (bookings.selectors.booking_alternatives). Then
    ``similar``: free slots as long on similar resources ``member`` may book
    (bookings.similar, issue 12; a fixed number of queries). Then ``waitlist``: whether the
    member may join the slot's waitlist instead (bookings.waitlist)."""
    alternatives = booking_alternatives(
        window, start=start, end=end, now=now, in_the_way=in_the_way
    )
    conflicts = [Interval(b.start, b.end) for b in in_the_way]
    similar = (
        []
        if member is None
        else similar_answer(
            resource=window.resource,
            member=member,
            start=start,
            end=end,
            now=now,
            attendees=attendees,
        )
    )
    # The slot is taken and every rule held for the member: they may wait for it (issue 12,
    # bookings.waitlist).
    waitlist = {"can_join": member is not None}
    return Conflict(
        "conflict",
        conflicts=conflicts,
        alternatives=alternatives,
        similar=similar,
        waitlist=waitlist,
    )
