"""Quotas (issue 12): the scheduler's check that a booking keeps every quota of its
resource, and the reads that say how much is left.

Which quotas apply: those of the resource, and those of its kind (``Quota.kind``). Each
counts the booker's bookings (scope ``member``) or those of the booker's unit (scope
``unit``) on the same target: the resource, or every resource of the kind.

- ``hours`` and ``bookings`` per day, week (Monday to Sunday) or month count the blocking
  bookings (pending, approved, and completed: a used booking still used the quota) that
  START in the same local (Asia/Shanghai) period as the new booking.
- ``hours_ahead`` counts the hours of the pending and approved bookings that have not ended.

Concurrency (docs/bookings-concurrency.md, "Quotas"): quota_check runs inside
booking_create's transaction, after the resource's lock, and first locks the booker's unit
row (if a unit quota applies) and then the booker's member row (if a member quota applies):
always resource → unit → member. Two bookings on two resources of one kind thus queue on
the unit or member row, and the second one counts the first.

A resource with no quota pays nothing: the window's one read (bookings.hot_sql.resource_read)
says whether any quota applies (``has_quotas``), and only then is anything read here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection
from django.db.models import Q

from alliance.errors import ValidationFailed
from alliance.models import Member, Unit
from bookings.models import BLOCKING_STATUSES, Booking, BookingStatus
from bookings.quota_models import Quota, QuotaMeasure, QuotaPeriod, QuotaScope
from resources.models import Resource
from resources.rules_display import RuleLine, quota_left_text, quota_text
from resources.selectors import alliance_zone, local_midnight

#: What an ``hours_ahead`` quota counts: bookings still to come (a completed one has ended).
#: A waitlist hold counts like a pending booking (claiming it then adds nothing).
AHEAD_STATUSES = (BookingStatus.PENDING, BookingStatus.APPROVED, BookingStatus.HELD)
HOUR = dt.timedelta(hours=1)


@dataclass(frozen=True)
class QuotaUse:
    quota: Quota
    used: Decimal  # hours, or bookings
    left: Decimal  # never below 0

    def as_dict(self) -> dict:
        return {
            "quota_id": self.quota.pk,
            "scope": self.quota.scope,
            "measure": self.quota.measure,
            "period": self.quota.period,
            "limit": self.quota.limit,
            "used": float(self.used),
            "left": float(self.left),
        }


def quotas_for_resource(resource: Resource) -> list[Quota]:
    """The quotas that apply to bookings of ``resource``: its own and its kind's."""
    return list(
        Quota.objects.filter(
            Q(resource_id=resource.pk) | Q(resource__isnull=True, kind=resource.kind)
        ).order_by("pk")
    )


def period_bounds(period: str, moment: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """The local day, week (from Monday) or month holding ``moment``, as aware instants."""
    day = moment.astimezone(alliance_zone()).date()
    if period == QuotaPeriod.DAY:
        first, last = day, day + dt.timedelta(days=1)
    elif period == QuotaPeriod.WEEK:
        first = day - dt.timedelta(days=day.weekday())
        last = first + dt.timedelta(days=7)
    elif period == QuotaPeriod.MONTH:
        first = day.replace(day=1)
        last = (first + dt.timedelta(days=32)).replace(day=1)
    else:
        raise ValueError(period)
    return local_midnight(first), local_midnight(last)


def _counted(quota: Quota, *, member: Member, start: dt.datetime, now: dt.datetime):
    bookings = Booking.objects.all()
    if quota.resource_id is not None:
        bookings = bookings.filter(resource_id=quota.resource_id)
    else:
        bookings = bookings.filter(resource__kind=quota.kind)
    if quota.scope == QuotaScope.MEMBER:
        bookings = bookings.filter(member_id=member.pk)
    else:
        bookings = bookings.filter(unit_id=member.unit_id)
    if quota.measure == QuotaMeasure.HOURS_AHEAD:
        return bookings.filter(status__in=AHEAD_STATUSES, end__gt=now)
    first, last = period_bounds(quota.period, start)
    return bookings.filter(status__in=BLOCKING_STATUSES, start__gte=first, start__lt=last)


def quota_use(quota: Quota, *, member: Member, start: dt.datetime, now: dt.datetime) -> QuotaUse:
    """How much of ``quota`` ``member`` (or their unit) has used for a booking at
    ``start``: one read."""
    rows = list(_counted(quota, member=member, start=start, now=now).values_list("start", "end"))
    if quota.measure == QuotaMeasure.BOOKINGS:
        used = Decimal(len(rows))
    elif quota.measure == QuotaMeasure.HOURS_AHEAD:
        used = _hours(sum((end - max(begin, now) for begin, end in rows), dt.timedelta()))
    else:
        used = _hours(sum((end - begin for begin, end in rows), dt.timedelta()))
    return QuotaUse(quota=quota, used=used, left=max(Decimal(quota.limit) - used, Decimal(0)))


def _hours(duration: dt.timedelta) -> Decimal:
    return (Decimal(duration.total_seconds()) / Decimal(3600)).quantize(Decimal("0.01"))


def _needs(quota: Quota, *, start: dt.datetime, end: dt.datetime, now: dt.datetime) -> Decimal:
    if quota.measure == QuotaMeasure.BOOKINGS:
        return Decimal(1)
    if quota.measure == QuotaMeasure.HOURS_AHEAD:
        return _hours(end - max(start, now))
    return _hours(end - start)


def quota_locks(*, quotas: list[Quota], member: Member) -> None:
    """Lock the rows the quotas are counted under: the unit's, then the member's.

    Caller must be inside ``transaction.atomic`` and already hold the resource's lock (the
    order is resource → unit → member; docs/bookings-concurrency.md)."""
    if not connection.in_atomic_block:
        raise RuntimeError("quota_locks must run inside transaction.atomic")
    scopes = {quota.scope for quota in quotas}
    if QuotaScope.UNIT in scopes and member.unit_id is not None:
        list(Unit.objects.select_for_update(no_key=True).filter(pk=member.unit_id).values("pk"))
    if QuotaScope.MEMBER in scopes:
        list(Member.objects.select_for_update(no_key=True).filter(pk=member.pk).values("pk"))


#: A seam for the race suite's lock-free control.
_quota_locks = quota_locks


def quota_check(
    *,
    resource: Resource,
    member: Member,
    start: dt.datetime,
    end: dt.datetime,
    now: dt.datetime,
) -> None:
    """Refuse (``quota_exceeded``) a booking of [start, end) that would break a quota.

    Caller must be inside booking_create's transaction holding the resource's lock; this
    takes the quota locks (quota_locks) and then counts. The refusal names the quota in
    words (``quota``), what is left (``left``), and carries every number in ``quota``'s
    structured detail (``quota_detail``)."""
    quotas = quotas_for_resource(resource)
    if not quotas:
        return
    _quota_locks(quotas=quotas, member=member)
    for quota in quotas:
        use = quota_use(quota, member=member, start=start, now=now)
        if use.used + _needs(quota, start=start, end=end, now=now) > quota.limit:
            raise ValidationFailed(
                "quota_exceeded",
                params={"quota": quota_text(**quota_words(quota)), "left": left_text(use)},
                quota_detail=use.as_dict(),
            )


def quota_fits(
    *,
    resource: Resource,
    member: Member,
    start: dt.datetime,
    end: dt.datetime,
    now: dt.datetime,
) -> bool:
    """Whether a booking of [start, end) keeps every quota, read without the quota locks:
    the waitlist's pre-check (bookings.waitlist_offer), which takes the locks and asks
    quota_check only for the one entry it then offers."""
    for quota in quotas_for_resource(resource):
        use = quota_use(quota, member=member, start=start, now=now)
        if use.used + _needs(quota, start=start, end=end, now=now) > quota.limit:
            return False
    return True


def quota_words(quota: Quota) -> dict:
    """The arguments of resources.rules_display.quota_text for ``quota``."""
    return {
        "kind": quota.get_kind_display() if quota.resource_id is None else "",
        "scope": quota.scope,
        "measure": quota.measure,
        "period": quota.period,
        "limit": quota.limit,
    }


def left_text(use: QuotaUse) -> str:
    return quota_left_text(measure=use.quota.measure, left=use.left)


def quota_lines(resource: Resource) -> list[str]:
    """The quotas of ``resource`` in words, for its rules (one read)."""
    return [quota_text(**quota_words(quota)) for quota in quotas_for_resource(resource)]


def quota_rule_lines(resource: Resource) -> list[RuleLine]:
    """The quotas as lines of the resource's rules (resources.rules_display), ``quota``."""
    return [RuleLine(rule="quota", text=text) for text in quota_lines(resource)]
