"""The credit score (信用积分, issue 12): costs, recovery, suspension and restoration.

Every member starts at ``CREDIT_SCORE_START``. A no-show, a late cancellation by the booker
(costing more the closer to the start: ``CREDIT_LATE_CANCEL_COSTS``) and misuse reported by
a manager cost points; the secretariat restores points with a reason. The score recovers
``CREDIT_RECOVERY_POINTS`` for each full ``CREDIT_RECOVERY_DAYS`` without a cost, up to
``CREDIT_SCORE_MAX``: lazily, counted from ``CreditAccount.recovered_at`` when read, and
written down (a ``recovered`` entry) at the next event.

A cost that leaves the score below ``CREDIT_SUSPEND_BELOW``, or a no-show that makes
``CREDIT_NO_SHOW_LIMIT`` no-shows in ``CREDIT_NO_SHOW_WINDOW_DAYS`` days, suspends booking
for ``CREDIT_SUSPENSION_DAYS`` days: the scheduler refuses (``booking_suspended``, with the
date it ends) from the account's ``suspended_until``, which the window's one read already
carries (bookings.hot_sql.resource_read), so the check costs no query.

Writes: the lifecycle's transitions call credit_booking_cost inside their transaction,
under the resource's and the booking's locks; it then locks the member's account row (the
last lock, always: resource → booking → account).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.db.models import OuterRef, Subquery
from django.utils import formats, timezone

from alliance.access import member_can_manage_resource, member_is_secretariat, member_refusal
from alliance.errors import NotFound, ValidationFailed
from alliance.models import Member
from alliance.services import text_clean
from bookings.models import Booking, CreditAccount, CreditEvent, CreditEventKind

REASON_MAX_LENGTH = 500


def _recovery_period() -> dt.timedelta:
    return dt.timedelta(days=settings.CREDIT_RECOVERY_DAYS)


@dataclass(frozen=True)
class CreditStanding:
    score: int
    suspended_until: dt.datetime | None
    recent_no_shows: int

    def suspended(self, now: dt.datetime) -> bool:
        return self.suspended_until is not None and self.suspended_until > now


def _recovered(account: CreditAccount, now: dt.datetime) -> tuple[int, int]:
    """(points the account has recovered by ``now``, full periods counted)."""
    periods = max(int((now - account.recovered_at) / _recovery_period()), 0)
    gained = min(
        periods * settings.CREDIT_RECOVERY_POINTS, settings.CREDIT_SCORE_MAX - account.score
    )
    return max(gained, 0), periods


def credit_score_now(account: CreditAccount | None, now: dt.datetime) -> int:
    if account is None:
        return settings.CREDIT_SCORE_START
    return account.score + _recovered(account, now)[0]


def credit_standing_get(*, member: Member, now: dt.datetime | None = None) -> CreditStanding:
    """A member's score now, suspension and recent no-shows (two reads)."""
    now = now or timezone.now()
    account = CreditAccount.objects.filter(member=member).first()
    window = now - dt.timedelta(days=settings.CREDIT_NO_SHOW_WINDOW_DAYS)
    no_shows = CreditEvent.objects.filter(
        member=member, kind=CreditEventKind.NO_SHOW, at__gt=window
    ).count()
    return CreditStanding(
        score=credit_score_now(account, now),
        suspended_until=account.suspended_until if account else None,
        recent_no_shows=no_shows,
    )


def credit_account_columns() -> dict:
    """Subqueries reading a member's account, for an aggregate keyed by ``member_id``
    (bookings.selectors_lists.requester_history_get): no extra query."""
    accounts = CreditAccount.objects.filter(member_id=OuterRef("member_id"))
    return {
        "_credit_score": Subquery(accounts.values("score")[:1]),
        "_credit_recovered_at": Subquery(accounts.values("recovered_at")[:1]),
        "_credit_suspended_until": Subquery(accounts.values("suspended_until")[:1]),
    }


def credit_standing_from_row(row: dict, now: dt.datetime) -> dict:
    """Pop credit_account_columns' values from ``row``: the score now and a suspension still
    running."""
    score, recovered_at = row.pop("_credit_score"), row.pop("_credit_recovered_at")
    until = row.pop("_credit_suspended_until")
    account = CreditAccount(score=score, recovered_at=recovered_at) if score is not None else None
    return {
        "credit_score": credit_score_now(account, now),
        "suspended_until": until if until is not None and until > now else None,
    }


def credit_history_list(*, member: Member, limit: int = 100) -> list[CreditEvent]:
    return list(CreditEvent.objects.filter(member=member).order_by("-at", "-pk")[:limit])


def credit_suspension_check(*, suspended_until: dt.datetime | None, now: dt.datetime) -> None:
    """The scheduler's rule: refuse (``booking_suspended``) while a suspension lasts."""
    if suspended_until is not None and suspended_until > now:
        day = timezone.localtime(suspended_until).date()
        raise ValidationFailed(
            "booking_suspended",
            params={"until": formats.date_format(day, "Y-m-d")},
            suspended_until=suspended_until,
        )


def _account_lock(member: Member, now: dt.datetime) -> CreditAccount:
    """Lock (creating it if need be) the member's account. Caller is inside atomic."""
    if not connection.in_atomic_block:
        raise RuntimeError("credit writes must run inside transaction.atomic")
    CreditAccount.objects.bulk_create(
        [CreditAccount(member=member, score=settings.CREDIT_SCORE_START, recovered_at=now)],
        ignore_conflicts=True,
    )
    return CreditAccount.objects.select_for_update().get(member=member)


def _record(account, *, kind, points, now, booking=None, actor=None, reason="") -> CreditEvent:
    return CreditEvent.objects.create(
        member_id=account.member_id,
        kind=kind,
        points=points,
        score_after=account.score,
        booking=booking,
        actor=actor,
        reason=reason,
        at=now,
    )


def _apply(
    member: Member,
    *,
    kind: str,
    points: int,
    now: dt.datetime,
    booking: Booking | None = None,
    actor: Member | None = None,
    reason: str = "",
) -> CreditEvent:
    """Write down recovery so far, apply ``points``, record, and suspend if due."""
    account = _account_lock(member, now)
    gained, periods = _recovered(account, now)
    if gained:
        account.score += gained
        _record(account, kind=CreditEventKind.RECOVERED, points=gained, now=now)
    if periods:
        account.recovered_at += periods * _recovery_period()
    account.score = min(account.score + points, settings.CREDIT_SCORE_MAX)
    if points < 0:
        account.recovered_at = now  # recovery counts from the last cost
    event = _record(
        account, kind=kind, points=points, now=now, booking=booking, actor=actor, reason=reason
    )
    if points < 0 and _suspension_due(account, kind=kind, now=now):
        until = now + dt.timedelta(days=settings.CREDIT_SUSPENSION_DAYS)
        if account.suspended_until is None or account.suspended_until < until:
            account.suspended_until = until
            _record(account, kind=CreditEventKind.SUSPENDED, points=0, now=now)
    account.save()
    return event


def _suspension_due(account: CreditAccount, *, kind: str, now: dt.datetime) -> bool:
    if account.score < settings.CREDIT_SUSPEND_BELOW:
        return True
    if kind != CreditEventKind.NO_SHOW:
        return False
    window = now - dt.timedelta(days=settings.CREDIT_NO_SHOW_WINDOW_DAYS)
    no_shows = CreditEvent.objects.filter(
        member_id=account.member_id, kind=CreditEventKind.NO_SHOW, at__gt=window
    ).count()
    return no_shows >= settings.CREDIT_NO_SHOW_LIMIT


def late_cancel_cost(*, booking: Booking, now: dt.datetime) -> int:
    """Points a cancellation at ``now`` costs: the first tier of ``CREDIT_LATE_CANCEL_COSTS``
    ((hours before the start, points), closest first) that ``now`` falls in; 0 outside."""
    left = booking.start - now
    for hours, points in sorted(settings.CREDIT_LATE_CANCEL_COSTS):
        if left <= dt.timedelta(hours=hours):
            return points
    return 0


def credit_booking_cost(*, booking: Booking, actor: Member | None, now: dt.datetime) -> None:
    """Charge the booker for a no-show or for their own late cancellation, inside the
    transition's transaction (bookings.lifecycle). A cancellation by someone else (a
    manager, the secretariat) costs the booker nothing."""
    if booking.status == Booking.Status.NO_SHOW:
        _apply(
            booking.member,
            kind=CreditEventKind.NO_SHOW,
            points=-settings.CREDIT_NO_SHOW_POINTS,
            now=now,
            booking=booking,
        )
    elif booking.status == Booking.Status.CANCELLED and booking.cancelled_late:
        if actor is None or actor.pk != booking.member_id:
            return
        points = late_cancel_cost(booking=booking, now=now)
        if points:
            _apply(
                booking.member,
                kind=CreditEventKind.LATE_CANCEL,
                points=-points,
                now=now,
                booking=booking,
            )


def _points(points) -> int:
    if not isinstance(points, int) or isinstance(points, bool) or not 1 <= points <= 100:
        raise ValidationFailed("invalid", fields={"points": ["out_of_range"]})
    return points


def credit_misuse_report(
    *, actor: Member, booking_id: int, points: int, reason: str, now: dt.datetime | None = None
) -> CreditEvent:
    """A manager of the booking's resource (or the secretariat) reports misuse: the booker
    loses ``points`` (1 to 100), with a reason."""
    now = now or timezone.now()
    points = _points(points)
    reason = text_clean(reason, field="reason", max_length=REASON_MAX_LENGTH, required=True)
    booking = Booking.objects.select_related("resource", "member").filter(pk=booking_id).first()
    if booking is None:
        raise NotFound()
    if not member_can_manage_resource(actor, booking.resource):
        raise member_refusal(actor)
    with transaction.atomic(durable=True):
        return _apply(
            booking.member,
            kind=CreditEventKind.MISUSE,
            points=-points,
            now=now,
            booking=booking,
            actor=actor,
            reason=reason,
        )


def credit_restore(
    *,
    actor: Member,
    member: Member,
    points: int,
    reason: str,
    lift_suspension: bool = False,
    now: dt.datetime | None = None,
) -> CreditEvent:
    """The secretariat gives back ``points`` (1 to 100, the score never above the maximum),
    with a reason; ``lift_suspension`` also ends a suspension now."""
    now = now or timezone.now()
    if not member_is_secretariat(actor):
        raise member_refusal(actor)
    points = _points(points)
    reason = text_clean(reason, field="reason", max_length=REASON_MAX_LENGTH, required=True)
    with transaction.atomic(durable=True):
        event = _apply(
            member,
            kind=CreditEventKind.RESTORED,
            points=points,
            now=now,
            actor=actor,
            reason=reason,
        )
        if lift_suspension:
            CreditAccount.objects.filter(member=member, suspended_until__gt=now).update(
                suspended_until=now
            )
    return event
