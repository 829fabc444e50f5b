"""Every write of recurring bookings (issue 12): creating a series and acting on it.

A series' occurrences are ordinary Bookings (``series`` set), made under the resource's lock
(bookings.locking, docs/bookings-concurrency.md) in ONE durable transaction: the preview
(bookings.series_selectors.series_preview) is read again under the lock and decides; on
PostgreSQL the exclusion constraint still has the final word (a violation is answered as
a clash and nothing is stored). Two modes:

- ``all``: every occurrence or none; one clash refuses the lot (``series_clash`` naming the
  dates) and nothing is written.
- ``skip``: the free occurrences are booked; the others are reported with their reasons.

Acting on a series (approve, reject, cancel) takes one occurrence, it and the following, or
all; it never touches another member's booking, nor an occurrence that has started, nor
one whose status does not allow the action. One notice per action, not one per occurrence.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import IntegrityError, OperationalError, transaction
from django.utils import timezone, translation

from alliance.access import (
    member_can_cancel_booking,
    member_can_decide_booking,
    member_can_view_booking,
    member_refusal,
)
from alliance.actors import actor_require
from alliance.errors import Conflict, NotFound, ValidationFailed
from alliance.models import Member
from alliance.services import text_clean
from bookings.credit import credit_standing_get, credit_suspension_check
from bookings.figures.rollup import figures_days_mark
from bookings.lifecycle import CANCELLABLE, REASON_MAX_LENGTH, booking_cancel_is_late
from bookings.locking import (
    EXCLUSION_VIOLATION,
    busy_answer,
    constraint_name,
    sqlstate,
)
from bookings.models import BOOKING_NO_OVERLAP, Booking, BookingEvent, BookingStatus
from bookings.quotas import quota_check, quotas_for_resource
from bookings.rules import booking_units_check
from bookings.series_models import BookingSeries
from bookings.series_selectors import (
    OccurrencePreview,
    SeriesPreview,
    series_clash_dates,
    series_preview,
)
from bookings.window_rules import request_fields_clean
from notifications import messages
from notifications.models import Notification, NotificationKind
from notifications.selectors import booking_deciders_get
from resources.locking import resource_lock

MODES = ("all", "skip")
ACTIONS = ("approve", "reject", "cancel")
SCOPES = ("one", "following", "all")


@dataclass(frozen=True)
class SeriesCreated:
    series: BookingSeries
    bookings: list[Booking]
    skipped: list[OccurrencePreview]


@dataclass(frozen=True)
class SeriesActed:
    series: BookingSeries
    changed: list[Booking]


def _clash(preview: SeriesPreview) -> Conflict:
    return Conflict(
        "series_clash",
        params={"dates": series_clash_dates(preview)},
        occurrences=[
            {"start": o.start, "end": o.end, "code": o.code, "message": o.message}
            for o in preview.clashes
        ],
    )


def series_create(
    *,
    member: Member,
    resource_id: int,
    rule: str,
    start: dt.datetime,
    duration: dt.timedelta,
    purpose: str,
    attendees: int = 1,
    mode: str = "all",
    now: dt.datetime | None = None,
) -> SeriesCreated:
    """Book the occurrences of ``rule`` from ``start`` for ``member`` (see the module).

    Refusals write nothing: the whole-series rules as booking_create's (ValidationFailed),
    ``series_clash`` (mode ``all``, naming the dates and carrying each clash's reason),
    ``series_nothing_free`` (mode ``skip`` and no occurrence free), ``resource_busy`` (the
    lock not granted in time). Occurrences are pending where the resource needs approval
    (its deciders get ONE notice for the series), approved otherwise.
    """
    now = now or timezone.now()
    purpose = request_fields_clean(purpose=purpose, attendees=attendees)
    if mode not in MODES:
        raise ValidationFailed("invalid", fields={"mode": ["invalid_choice"]})
    ask = {
        "member": member,
        "resource_id": resource_id,
        "rule": rule,
        "start": start,
        "duration": duration,
        "attendees": attendees,
        "now": now,
    }
    # The member's credit suspension (issue 12) refuses a series as it does one booking.
    standing = credit_standing_get(member=member, now=now)
    credit_suspension_check(suspended_until=standing.suspended_until, now=now)
    preview = series_preview(**ask)  # refuse before the lock whatever can be refused
    _refuse(preview, mode)
    try:
        with transaction.atomic(durable=True):
            resource = resource_lock(resource_id)
            preview = series_preview(**ask)  # again, under the lock: this decides
            _refuse(preview, mode)
            series = BookingSeries.objects.create(
                resource=resource,
                member=member,
                unit=member.unit,
                rule=rule.strip(),
                first_start=preview.occurrences[0].start,
                duration_minutes=int(duration.total_seconds() // 60),
                purpose=purpose,
                attendees=attendees,
                created_at=now,
            )
            status = BookingStatus.PENDING if resource.requires_approval else BookingStatus.APPROVED
            occurrences = [
                Booking(
                    resource=resource,
                    member=member,
                    unit=member.unit,
                    start=o.start,
                    end=o.end,
                    blocked_until=o.end + resource.buffer,
                    purpose=purpose,
                    attendees=attendees,
                    status=status,
                    series=series,
                )
                for o in preview.free
            ]
            if quotas_for_resource(resource):
                # Quotas (issue 12) count every occurrence already stored: each is checked
                # and saved in turn, so a series never books past a quota; a refusal
                # (quota_exceeded) rolls the whole series back, whatever the mode.
                for booking in occurrences:
                    quota_check(
                        resource=resource,
                        member=member,
                        start=booking.start,
                        end=booking.end,
                        now=now,
                    )
                    booking.save()
                bookings = occurrences
            else:
                bookings = Booking.objects.bulk_create(occurrences)
                # bulk_create sends no signals: mark the figures' days here (rollup).
                figures_days_mark(spans=[(b.resource_id, b.start, b.end) for b in occurrences])
            if not all(b.pk for b in bookings):  # a backend without RETURNING ids
                bookings = list(series.occurrences.order_by("start"))
            BookingEvent.objects.bulk_create(
                BookingEvent(
                    booking=b,
                    action=BookingEvent.Action.CREATED,
                    from_status="",
                    to_status=status,
                    actor=member,
                    at=now,
                )
                for b in bookings
            )
            if status == BookingStatus.PENDING:
                _notify(
                    members=booking_deciders_get(booking=bookings[0]),
                    event=NotificationKind.REQUESTED,
                    series=series,
                    bookings=bookings,
                    now=now,
                )
    except IntegrityError as exc:  # the exclusion constraint's final word: nothing stored
        if sqlstate(exc) == EXCLUSION_VIOLATION and constraint_name(exc) == BOOKING_NO_OVERLAP:
            raise _clash(series_preview(**ask)) from None
        raise
    except OperationalError as exc:
        busy = busy_answer(exc)
        if busy is None:
            raise
        raise busy from None
    return SeriesCreated(series=series, bookings=bookings, skipped=preview.clashes)


def _refuse(preview: SeriesPreview, mode: str) -> None:
    if mode == "all" and preview.clashes:
        raise _clash(preview)
    if not preview.free:
        raise Conflict(
            "series_nothing_free",
            occurrences=[
                {"start": o.start, "end": o.end, "code": o.code, "message": o.message}
                for o in preview.clashes
            ],
        )


def _notify(
    *,
    members: list[Member],
    event: str,
    series: BookingSeries,
    bookings: list[Booking],
    now: dt.datetime,
    reason: str = "",
) -> None:
    """ONE inbox notice per member for a series action over ``bookings``, not one per
    occurrence (a kind of booking notice, tied to no single booking)."""
    rows = []
    for member in {m.pk: m for m in members}.values():
        with translation.override(messages.recipient_language(member)):
            title, body = messages.series_text(
                event=event,
                resource=series.resource.name,
                count=len(bookings),
                first=min(b.start for b in bookings),
                reason=reason,
            )
        rows.append(
            Notification(
                member=member,
                kind=event,
                title=messages.shorten(title, messages.TITLE_MAX_LENGTH),
                body=messages.shorten(body, messages.BODY_MAX_LENGTH),
                created_at=now,
            )
        )
    Notification.objects.bulk_create(rows)


# --- Acting on a series ---------------------------------------------------------------------

_TRANSITIONS = {
    # action: (to status, allowed from, history action, notice)
    "approve": (
        BookingStatus.APPROVED,
        (BookingStatus.PENDING,),
        BookingEvent.Action.APPROVED,
        NotificationKind.APPROVED,
    ),
    "reject": (
        BookingStatus.REJECTED,
        (BookingStatus.PENDING,),
        BookingEvent.Action.REJECTED,
        NotificationKind.REJECTED,
    ),
    "cancel": (
        BookingStatus.CANCELLED,
        CANCELLABLE,
        BookingEvent.Action.CANCELLED,
        NotificationKind.CANCELLED,
    ),
}


def series_act(
    *,
    actor: Member,
    series_id: int,
    action: str,
    scope: str = "all",
    booking_id: int | None = None,
    reason: str = "",
    now: dt.datetime | None = None,
) -> SeriesActed:
    """Approve, reject or cancel occurrences of a series: ``one`` (``booking_id``), that one
    and the ``following``, or ``all``. Only the series member's own occurrences that have
    not started and whose status allows the action are changed; the rest are left alone.

    Access is the single booking's (alliance.access): the booker or their unit's managers
    or the secretariat cancel, the resource unit's managers or the secretariat decide. A
    reason is required to reject, and to cancel someone else's series. NotFound for a
    series (or occurrence) the actor may not see; ``series_nothing_to_do`` when nothing
    would change (nothing written). One notice for the action.
    """
    now = now or timezone.now()
    actor_require(actor)
    if action not in ACTIONS:
        raise ValidationFailed("invalid", fields={"action": ["invalid_choice"]})
    if scope not in SCOPES:
        raise ValidationFailed("invalid", fields={"scope": ["invalid_choice"]})
    if scope != "all" and booking_id is None:
        raise ValidationFailed("invalid", fields={"booking": ["required"]})
    reason = text_clean(
        reason,
        field="reason",
        max_length=REASON_MAX_LENGTH,
        required=action == "reject",
        multiline=True,
    )
    to_status, allowed_from, history, notice = _TRANSITIONS[action]
    may = member_can_cancel_booking if action == "cancel" else member_can_decide_booking
    series = (
        BookingSeries.objects.select_related("resource__unit", "member", "unit")
        .filter(pk=series_id)
        .first()
    )
    if series is None:
        raise NotFound()
    with transaction.atomic(durable=True):
        resource_lock(series.resource_id)
        occurrences = list(
            Booking.objects.select_for_update(of=("self",))
            .select_related("resource__unit", "member", "unit")
            .filter(series=series, member_id=series.member_id)  # never another member's
            .order_by("start", "pk")
        )
        if not occurrences or not member_can_view_booking(actor, occurrences[0]):
            raise NotFound()
        if not may(actor, occurrences[0]):  # one member's, one resource's: one answer for all
            raise member_refusal(actor)
        if action == "cancel" and not reason and actor.pk != series.member_id:
            raise ValidationFailed("cancel_reason_required", fields={"reason": ["required"]})
        if scope != "all":
            anchor = next((b for b in occurrences if b.pk == booking_id), None)
            if anchor is None:
                raise NotFound()
            occurrences = (
                [anchor]
                if scope == "one"
                else [b for b in occurrences if (b.start, b.pk) >= (anchor.start, anchor.pk)]
            )
        changed = [
            b
            for b in occurrences
            if b.status in allowed_from and b.start > now  # never a started occurrence
        ]
        if not changed:
            raise Conflict("series_nothing_to_do")
        if action == "approve":
            booking_units_check(resource=series.resource, booker_unit=series.unit)
        events = []
        for booking in changed:
            from_status = booking.status
            booking.status = to_status
            fields = ["status", "updated_at"]
            if action == "cancel":
                booking.cancelled_late = booking_cancel_is_late(booking, now)
                fields.append("cancelled_late")
            booking.save(update_fields=fields)
            events.append(
                BookingEvent(
                    booking=booking,
                    action=history,
                    from_status=from_status,
                    to_status=to_status,
                    actor=actor,
                    reason=reason,
                    at=now,
                )
            )
        BookingEvent.objects.bulk_create(events)
        if not (action == "cancel" and actor.pk == series.member_id):
            _notify(
                members=[series.member],
                event=notice,
                series=series,
                bookings=changed,
                now=now,
                reason=reason,
            )
    return SeriesActed(series=series, changed=changed)
