"""Reads of bookings as lists for people: a member's own bookings with their state, what
a member may decide (the approval queue), its conflicts and the requesters' records, and
the booking a scanned check-in is for. The scheduler's reads stay in bookings.selectors.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import reduce
from operator import or_

from django.conf import settings
from django.db.models import (
    Count,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
from django.utils import timezone

from alliance.access import bookings_decidable_by, bookings_visible_to
from alliance.errors import NotFound
from alliance.models import Member
from bookings.credit import credit_account_columns, credit_score_now, credit_standing_from_row
from bookings.models import BLOCKING_STATUSES, Booking, BookingEvent, BookingStatus
from resources.models import Closure


def booking_list_for_member(*, member: Member | None) -> QuerySet[Booking]:
    """The bookings ``member`` may see (alliance.access.bookings_visible_to), by start, with
    resource, booker, units and operator (assisted use) joined."""
    return (
        Booking.objects.filter(bookings_visible_to(member))
        .select_related("resource", "resource__unit", "member", "unit", "operator")
        .order_by("start", "pk")
    )


def booking_get_for_member(*, member: Member | None, booking_id: int) -> Booking:
    """One booking ``member`` may see. Raises NotFound for an unknown id and, so as to reveal
    nothing, for a booking outside the member's view as well."""
    booking = booking_list_for_member(member=member).filter(pk=booking_id).first()
    if booking is None:
        raise NotFound()
    return booking


def booking_status_reason() -> Subquery:
    """The reason given with a booking's last status change (approval, rejection,
    cancellation…), "" when none was given: a subquery, so a list costs no query per row.
    Entries that change no status (check-in, reminders) are not status changes."""
    return Subquery(
        BookingEvent.objects.filter(booking_id=OuterRef("pk"))
        .exclude(from_status=F("to_status"))
        .order_by("-at", "-pk")
        .values("reason")[:1]
    )


def booking_list_with_status_for_member(*, member: Member | None) -> QuerySet[Booking]:
    """booking_list_for_member, each booking with ``status_reason`` (booking_status_reason)."""
    return booking_list_for_member(member=member).annotate(status_reason=booking_status_reason())


def booking_detail_get_for_member(*, member: Member | None, booking_id: int) -> Booking:
    """One booking ``member`` may see, with ``status_reason`` and its history (``events``
    with their actors, oldest first) prefetched: three queries. NotFound as
    booking_get_for_member, so another's history is never shown."""
    booking = (
        booking_list_with_status_for_member(member=member)
        .prefetch_related(
            Prefetch(
                "events",
                queryset=BookingEvent.objects.select_related("actor").order_by("at", "pk"),
            )
        )
        .filter(pk=booking_id)
        .first()
    )
    if booking is None:
        raise NotFound()
    return booking


def booking_list_to_decide(*, member: Member | None) -> QuerySet[Booking]:
    """Pending bookings ``member`` may approve or reject, oldest request first."""
    return (
        Booking.objects.filter(bookings_decidable_by(member), status=BookingStatus.PENDING)
        .select_related("resource", "resource__unit", "member", "unit")
        .order_by("created_at", "pk")
    )


def booking_due_for_check_in(
    *, member: Member, resource_id: int, now: dt.datetime
) -> Booking | None:
    """The member's own approved booking of the resource that they may check in to now (the
    window of bookings.lifecycle.booking_check_in_window), earliest first; None otherwise.
    One query. The scanned check-in page asks it; booking_check_in decides again."""
    opens = dt.timedelta(minutes=settings.BOOKING_CHECKIN_OPENS_MINUTES)
    grace = dt.timedelta(minutes=settings.BOOKING_NO_SHOW_GRACE_MINUTES)
    return (
        Booking.objects.filter(
            member_id=member.pk,
            resource_id=resource_id,
            status=BookingStatus.APPROVED,
            checked_in_at__isnull=True,
            start__lte=now + opens,
            start__gte=now - grace,
            end__gte=now,
        )
        .select_related("resource", "resource__unit")
        .order_by("start", "pk")
        .first()
    )


def member_bookings_of_resource_between(
    *, member: Member, resource_id: int, start: dt.datetime, end: dt.datetime
) -> list[Booking]:
    """``member``'s own blocking bookings of a resource that meet [start, end), by start: what
    a resource's week grid marks as theirs (everyone else's time shows only as busy). One
    query, whatever the number of bookings; only the columns the grid shows are read."""
    return list(
        Booking.objects.filter(
            resource_id=resource_id,
            member=member,
            status__in=BLOCKING_STATUSES,
            start__lt=end,
            end__gt=start,
        )
        .order_by("start", "pk")
        .only("pk", "resource_id", "member_id", "start", "end", "status")
    )


# --- The approval queue: conflicts and the requesters' history (issue 9) ------------------
# booking_conflicts_get moved here from bookings.admin_views so that the web app's queue
# (which may not import the admin) and the back office's share one computation.


@dataclass
class BookingConflicts:
    """What stands in the way of one booking: other blocking bookings of its resource that
    overlap it (buffers included) and closures (its resource's or alliance-wide)."""

    bookings: list[Booking] = field(default_factory=list)
    closures: list[Closure] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.bookings or self.closures)


def booking_conflicts_get(bookings: list[Booking]) -> dict[int, BookingConflicts]:
    """Conflicts of each of ``bookings``, keyed by booking id, in two queries whatever the
    number of bookings (one for overlapping bookings, one for closures)."""
    if not bookings:
        return {}
    overlapping = reduce(
        or_,
        (
            Q(resource_id=b.resource_id, start__lt=b.blocked_until, blocked_until__gt=b.start)
            for b in bookings
        ),
    )
    others = list(
        Booking.objects.filter(overlapping, status__in=BLOCKING_STATUSES)
        .select_related("member", "unit")
        .order_by("start", "pk")
    )
    closed = reduce(
        or_,
        (
            (Q(resource_id=b.resource_id) | Q(resource__isnull=True))
            & Q(start__lt=b.end, end__gt=b.start)
            for b in bookings
        ),
    )
    closures = list(Closure.objects.filter(closed).order_by("start", "pk"))
    result = {}
    for b in bookings:
        result[b.pk] = BookingConflicts(
            bookings=[
                o
                for o in others
                if o.pk != b.pk
                and o.resource_id == b.resource_id
                and o.start < b.blocked_until
                and o.blocked_until > b.start
            ],
            closures=[
                c
                for c in closures
                if c.resource_id in (None, b.resource_id) and c.start < b.end and c.end > b.start
            ],
        )
    return result


@dataclass(frozen=True)
class RequesterHistory:
    """How a member has used their bookings so far: what a manager weighs before deciding."""

    no_shows: int = 0
    late_cancellations: int = 0
    cancellations: int = 0
    completed: int = 0
    #: The credit score now (issue 12; bookings.credit), and a suspension still running.
    credit_score: int | None = None
    suspended_until: dt.datetime | None = None


def requester_history_get(member_ids: Sequence[int]) -> dict[int, RequesterHistory]:
    """The history of each of ``member_ids`` (all their bookings, any resource), keyed by
    member id, in one aggregate query whatever the number of members; a member without
    bookings gets zeros. ``cancellations`` counts every cancellation, late ones included."""
    ids = sorted(set(member_ids))
    if not ids:
        return {}
    rows = (
        Booking.objects.filter(member_id__in=ids)
        .order_by()
        .values("member_id")
        .annotate(
            no_shows=Count("pk", filter=Q(status=BookingStatus.NO_SHOW)),
            late_cancellations=Count(
                "pk", filter=Q(status=BookingStatus.CANCELLED, cancelled_late=True)
            ),
            cancellations=Count("pk", filter=Q(status=BookingStatus.CANCELLED)),
            completed=Count("pk", filter=Q(status=BookingStatus.COMPLETED)),
            **credit_account_columns(),  # issue 12: the standing, in the same query
        )
    )
    now = timezone.now()
    history = {
        member_id: RequesterHistory(credit_score=credit_score_now(None, now)) for member_id in ids
    }
    for row in rows:
        member_id = row.pop("member_id")
        history[member_id] = RequesterHistory(**credit_standing_from_row(row, now), **row)
    return history


def booking_count_to_decide(*, member: Member | None) -> int:
    """How many bookings await ``member``'s decision (booking_list_to_decide): one COUNT
    query, none at all for whom the policy grants nothing (researchers, inactive units)."""
    return Booking.objects.filter(
        bookings_decidable_by(member), status=BookingStatus.PENDING
    ).count()
