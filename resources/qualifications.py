"""Reads of qualifications, the gate's predicates, and the record of use.

The scheduler's gate (bookings.rules, ``not_qualified``) and every per-caller predicate
(``can_book``, the free-time search, the resource page) ask the same question through
:func:`qualification_valid_q`: a granted qualification whose ``lapses_at`` has not come.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Exists, OuterRef, Q, QuerySet

from alliance.access import member_can_view_qualification, qualifications_decidable_by
from alliance.errors import NotFound
from alliance.models import Member
from resources.models import OPEN_STATUSES, Qualification, QualificationStatus, Resource


def lapses_at_compute(
    *, resource: Resource, expires_at: dt.datetime | None, used_at: dt.datetime
) -> dt.datetime | None:
    """The earlier of the fixed validity's end and ``used_at`` (the last use, or the grant)
    plus the resource's idle days; None when neither limit is set."""
    limits = [expires_at] if expires_at is not None else []
    if resource.qualification_idle_days is not None:
        limits.append(used_at + dt.timedelta(days=resource.qualification_idle_days))
    return min(limits) if limits else None


def qualification_valid_q(now: dt.datetime, prefix: str = "") -> Q:
    """Granted and not yet lapsed at ``now`` (``prefix``: a relation path ending in __)."""
    return Q(**{f"{prefix}status": QualificationStatus.GRANTED}) & (
        Q(**{f"{prefix}lapses_at__isnull": True}) | Q(**{f"{prefix}lapses_at__gt": now})
    )


def member_qualified_exists(*, member: Member, now: dt.datetime) -> Exists:
    """An annotation for a Resource query: whether ``member`` holds a valid qualification
    for the row's resource (joined into the scheduler's one read of the resource)."""
    return Exists(
        Qualification.objects.filter(resource_id=OuterRef("pk"), member_id=member.pk).filter(
            qualification_valid_q(now)
        )
    )


def qualification_is_valid(qualification: Qualification | None, now: dt.datetime) -> bool:
    """The same test as qualification_valid_q, on a row already read."""
    if qualification is None or qualification.status != QualificationStatus.GRANTED:
        return False
    return qualification.lapses_at is None or qualification.lapses_at > now


def qualification_refusal(
    *, member: Member | None, resource: Resource, now: dt.datetime
) -> str | None:
    """``not_qualified`` when ``resource`` requires a qualification ``member`` does not hold
    at ``now``; else None. One query, only for a resource that requires one.

    For the per-caller predicates (``can_book``): resources.eligibility.booking_refusal
    should call it after its own checks (the integrator wires it in)."""
    if not resource.requires_qualification:
        return None
    if member is None or member.pk is None:
        return "not_qualified"
    valid = Qualification.objects.filter(member_id=member.pk, resource_id=resource.pk).filter(
        qualification_valid_q(now)
    )
    return None if valid.exists() else "not_qualified"


def qualified_resource_ids(
    *, member: Member | None, resource_ids: list[int], now: dt.datetime
) -> set[int]:
    """Of ``resource_ids``, those ``member`` holds a valid qualification for (one query)."""
    if member is None or member.pk is None or not resource_ids:
        return set()
    return set(
        Qualification.objects.filter(member_id=member.pk, resource_id__in=resource_ids)
        .filter(qualification_valid_q(now))
        .values_list("resource_id", flat=True)
    )


def qualification_mark_used(
    *, member_id: int, resource_id: int, now: dt.datetime
) -> Qualification | None:
    """Count a use of the resource by the member: the grant's ``last_used_at`` moves to
    ``now``, its idle limit restarts and a lapse reminder may be sent again. Returns the
    qualification, or None when the member holds no granted one (nothing written).

    Until recorded use (usage sessions) exists, a checked-in booking is the use: called by
    bookings.lifecycle.booking_check_in inside its transaction. Locks the row."""
    qualification = (
        Qualification.objects.select_for_update()
        .select_related("resource")
        .filter(member_id=member_id, resource_id=resource_id, status=QualificationStatus.GRANTED)
        .first()
    )
    if qualification is None:
        return None
    qualification.last_used_at = max(now, qualification.last_used_at or now)
    qualification.lapses_at = lapses_at_compute(
        resource=qualification.resource,
        expires_at=qualification.expires_at,
        used_at=qualification.last_used_at,
    )
    qualification.reminded_at = None
    qualification.save(update_fields=["last_used_at", "lapses_at", "reminded_at", "updated_at"])
    return qualification


# --- Lists ---------------------------------------------------------------------------------


def _joined(queryset: QuerySet[Qualification]) -> QuerySet[Qualification]:
    return queryset.select_related("member", "member__unit", "resource", "resource__unit")


def qualification_list_for_member(*, member: Member) -> QuerySet[Qualification]:
    """The member's own qualifications, newest first."""
    return _joined(Qualification.objects.filter(member_id=member.pk)).order_by("-created_at", "-pk")


def qualification_list_to_decide(
    *,
    member: Member | None,
    status: str | None = None,
    resource_id: int | None = None,
) -> QuerySet[Qualification]:
    """The qualifications ``member`` may decide (alliance.access), optionally one status or
    one resource's; undecided first, then newest."""
    queryset = Qualification.objects.filter(qualifications_decidable_by(member))
    if status:
        queryset = queryset.filter(status=status)
    if resource_id is not None:
        queryset = queryset.filter(resource_id=resource_id)
    return _joined(queryset).order_by("-created_at", "-pk")


def qualification_open_for(*, member: Member, resource_id: int) -> Qualification | None:
    """The member's open (requested, scheduled or granted) qualification for a resource."""
    return (
        Qualification.objects.filter(member_id=member.pk, resource_id=resource_id)
        .filter(status__in=OPEN_STATUSES)
        .order_by("-pk")
        .first()
    )


def qualification_get_for_member(*, member: Member | None, qualification_id: int) -> Qualification:
    """One qualification ``member`` may see (alliance.access.member_can_view_qualification:
    their own, or one they decide). NotFound for any other, so that ids reveal nothing."""
    found = (
        _joined(Qualification.objects.filter(pk=qualification_id))
        .prefetch_related("events__actor")
        .first()
    )
    if found is None or not member_can_view_qualification(member, found):
        raise NotFound()
    return found
