"""The alliance-wide overview (issue 11): totals, the most and least used resources, the
idle ones, the trend by month and the approval turnaround.

Totals are alliance-wide (of ``kind`` if given) for everyone who may read figures: a unit
manager sets their unit against them. Everything else is of the actor's scope (their unit,
or for the secretariat all units or ``unit_id``'s).

Approval turnaround: for each decision (BookingEvent approved or rejected) in the period on a
resource in scope, the time from the booking's creation to the decision. Median and 90th
percentile by the nearest-rank method (the smallest value at least p % of the values are
at or below), read with ORDER BY … OFFSET in the database, so the same on SQLite and
PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from django.db.models import Count, DurationField, ExpressionWrapper, F, Q, Sum
from django.utils import timezone

from alliance.access import figures_unit_scope
from alliance.actors import actor_require
from bookings.figures.common import clipped, hours, overlaps, ratio
from bookings.figures.per_resource import BOOKED, open_hours_get, resources_in_scope
from bookings.figures.period import Period
from bookings.figures.usage import EFFECTIVE, EXTERNAL, sessions_in_period, usage_hours
from bookings.models import Booking, BookingEvent, BookingStatus

RANKED = 5


@dataclass(frozen=True)
class ResourceUse:
    resource_id: int
    name: str
    unit_name: str
    used_hours: float
    open_hours: float

    @property
    def used_utilisation(self) -> float | None:
        return ratio(self.used_hours, self.open_hours)


@dataclass(frozen=True)
class MonthTrend:
    month: dt.date
    booked_hours: float
    used_hours: float


@dataclass(frozen=True)
class Turnaround:
    decisions: int
    median_hours: float | None
    p90_hours: float | None


@dataclass(frozen=True)
class AllianceTotals:
    resources: int
    booked_hours: float
    used_hours: float
    effective_hours: float
    external_hours: float
    no_shows: int


@dataclass(frozen=True)
class AllianceOverview:
    totals: AllianceTotals
    most_used: list[ResourceUse]
    least_used: list[ResourceUse]
    idle: list[ResourceUse]
    trend: list[MonthTrend]
    turnaround: Turnaround


def _bookings(period: Period):
    return Booking.objects.order_by().filter(
        overlaps("start", "end", lower=period.start, upper=period.end)
    )


def _scoped(queryset, prefix: str, unit_id: int | None, kind: str | None):
    if unit_id is not None:
        queryset = queryset.filter(**{f"{prefix}unit_id": unit_id})
    if kind:
        queryset = queryset.filter(**{f"{prefix}kind": kind})
    return queryset


def totals_get(*, period: Period, kind: str | None, now: dt.datetime) -> AllianceTotals:
    """Alliance-wide totals (three queries)."""
    booked = _scoped(_bookings(period), "resource__", None, kind).aggregate(
        booked=Sum(clipped("start", "end", lower=period.start, upper=period.end), filter=BOOKED),
        no_shows=Count("pk", filter=Q(status=BookingStatus.NO_SHOW, start__gte=period.start)),
    )
    used = _scoped(sessions_in_period(period=period, now=now), "resource__", None, kind).aggregate(
        used=Sum("within"),
        effective=Sum("within", filter=EFFECTIVE),
        external=Sum("within", filter=EXTERNAL),
    )
    return AllianceTotals(
        resources=resources_in_scope(unit_id=None, kind=kind).filter(is_retired=False).count(),
        booked_hours=hours(booked["booked"]),
        used_hours=hours(used["used"]),
        effective_hours=hours(used["effective"]),
        external_hours=hours(used["external"]),
        no_shows=booked["no_shows"],
    )


def trend_get(
    *, period: Period, unit_id: int | None, kind: str | None, now: dt.datetime
) -> list[MonthTrend]:
    """Booked and used hours per calendar month, each clipped to its month (two queries:
    one conditional sum per month)."""
    months = period.months()
    booked_sums = {
        f"m{i}": Sum(
            clipped("start", "end", lower=start, upper=end),
            filter=BOOKED & overlaps("start", "end", lower=start, upper=end),
        )
        for i, (_, start, end) in enumerate(months)
    }
    used_sums = {
        f"m{i}": Sum(
            clipped("started_at", F("stop"), lower=start, upper=end),
            filter=Q(started_at__lt=end, stop__gt=start),
        )
        for i, (_, start, end) in enumerate(months)
    }
    booked = _scoped(_bookings(period), "resource__", unit_id, kind).aggregate(**booked_sums)
    used = _scoped(
        sessions_in_period(period=period, now=now), "resource__", unit_id, kind
    ).aggregate(**used_sums)
    return [
        MonthTrend(
            month=first, booked_hours=hours(booked[f"m{i}"]), used_hours=hours(used[f"m{i}"])
        )
        for i, (first, _, _) in enumerate(months)
    ]


def turnaround_get(*, period: Period, unit_id: int | None, kind: str | None) -> Turnaround:
    """Median and 90th percentile of the time to a decision (at most three queries)."""
    decisions = _scoped(
        BookingEvent.objects.order_by().filter(
            action__in=(BookingEvent.Action.APPROVED, BookingEvent.Action.REJECTED),
            at__gte=period.start,
            at__lt=period.end,
        ),
        "booking__resource__",
        unit_id,
        kind,
    ).annotate(
        waited=ExpressionWrapper(F("at") - F("booking__created_at"), output_field=DurationField())
    )
    n = decisions.count()
    if not n:
        return Turnaround(0, None, None)

    def nearest_rank(p: float) -> float:
        rank = max(1, math.ceil(p * n))
        waited = decisions.order_by("waited", "pk").values_list("waited", flat=True)[rank - 1]
        return hours(waited)

    return Turnaround(n, nearest_rank(0.5), nearest_rank(0.9))


def alliance_overview(
    *,
    actor,
    period: Period,
    unit_id: int | None = None,
    kind: str | None = None,
    now: dt.datetime | None = None,
) -> AllianceOverview:
    """The overview for the actor's scope (see the module docstring). AccessDenied for
    those who may not read figures."""
    actor_require(actor)
    scope = figures_unit_scope(actor, unit_id)
    now = now or timezone.now()
    resources = list(
        resources_in_scope(unit_id=scope, kind=kind)
        .filter(is_retired=False)
        .select_related("unit")
        .only("pk", "name", "unit__name")
    )
    open_hours = open_hours_get(resources=resources, period=period)
    usage = usage_hours(period=period, resource_ids=[r.pk for r in resources], now=now)
    uses = [
        ResourceUse(
            resource_id=r.pk,
            name=r.name,
            unit_name=r.unit.name,
            used_hours=usage[r.pk].used_hours if r.pk in usage else 0.0,
            open_hours=open_hours.get(r.pk, 0.0),
        )
        for r in resources
    ]
    used = [u for u in uses if u.resource_id in usage]
    most = sorted(used, key=lambda u: (-u.used_hours, u.name, u.resource_id))[:RANKED]
    least = sorted(used, key=lambda u: (u.used_hours, u.name, u.resource_id))[:RANKED]
    return AllianceOverview(
        totals=totals_get(period=period, kind=kind, now=now),
        most_used=most,
        least_used=least,
        idle=[u for u in uses if u.resource_id not in usage],
        trend=trend_get(period=period, unit_id=scope, kind=kind, now=now),
        turnaround=turnaround_get(period=period, unit_id=scope, kind=kind),
    )
