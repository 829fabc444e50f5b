"""Reads of the waitlist (issue 12): a member's own entries with their place in line."""

from __future__ import annotations

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from alliance.models import Member
from bookings.waitlist_models import ACTIVE_STATUSES, WaitlistEntry, WaitlistStatus


def _ahead() -> Subquery:
    """How many waiting entries of the same resource, for a slot meeting this one, joined
    before it (queue order: ``created_at``, then ``id``)."""
    ahead = (
        WaitlistEntry.objects.filter(
            resource_id=OuterRef("resource_id"),
            status=WaitlistStatus.WAITING,
            start__lt=OuterRef("end"),
            end__gt=OuterRef("start"),
        )
        .filter(
            Q(created_at__lt=OuterRef("created_at"))
            | Q(created_at=OuterRef("created_at"), pk__lt=OuterRef("pk"))
        )
        .order_by()
        .values("resource_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(ahead, output_field=IntegerField()), 0)


def waitlist_list_for_member(*, member: Member, active_only: bool = False) -> QuerySet:
    """``member``'s entries by slot (``active_only``: waiting and offered ones); each
    with ``ahead`` (waiting entries before it for a slot meeting its own) and its resource
    and hold. One query."""
    entries = WaitlistEntry.objects.filter(member=member)
    if active_only:
        entries = entries.filter(status__in=ACTIVE_STATUSES)
    return (
        entries.select_related("resource", "hold").annotate(ahead=_ahead()).order_by("start", "pk")
    )


def waitlist_entry_position(entry: WaitlistEntry) -> int | None:
    """The entry's place in line (1 = next to be offered) while waiting, else None.
    Reads ``ahead`` from waitlist_list_for_member."""
    if entry.status != WaitlistStatus.WAITING:
        return None
    return entry.ahead + 1
