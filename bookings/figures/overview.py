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

from django.db import connection
from django.db.models import F, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from alliance.access import figures_unit_scope
from alliance.actors import actor_require
from bookings.figures import figures_sql, rolled
from bookings.figures.common import EFFECTIVE, EXTERNAL, clipped, ratio
from bookings.figures.per_resource import open_hours_get, resources_in_scope
from bookings.figures.period import Period
from bookings.figures.usage import day_sums

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


def totals_get(*, period: Period, kind: str | None, now: dt.datetime) -> AllianceTotals:
    """Alliance-wide totals: the rollup (1), the sessions still running (1), the resources
    (1)."""
    rows = rolled.days(period, kind=kind).aggregate(
        booked=Sum("booked"),
        no_shows=Sum("no_shows"),
        used=Sum("used"),
        effective=Sum("effective"),
        external=Sum("external"),
    )
    live = rolled.running(period, now, kind=kind).aggregate(
        used=Sum("within"),
        effective=Sum("within", filter=EFFECTIVE),
        external=Sum("within", filter=EXTERNAL),
    )
    return AllianceTotals(
        resources=resources_in_scope(unit_id=None, kind=kind).filter(is_retired=False).count(),
        booked_hours=rolled.hours_of(rows["booked"]),
        used_hours=rolled.hours_of(rows["used"], live["used"]),
        effective_hours=rolled.hours_of(rows["effective"], live["effective"]),
        external_hours=rolled.hours_of(rows["external"], live["external"]),
        no_shows=rows["no_shows"] or 0,
    )


def trend_get(
    *, period: Period, unit_id: int | None, kind: str | None, now: dt.datetime
) -> list[MonthTrend]:
    """Booked and used hours per calendar month, each clipped to its month: the rollup's
    days by month (1) and the running sessions, one conditional sum per month (1)."""
    months = period.months()
    by_month = {
        month: (booked, used)
        for month, booked, used in rolled.days(period, unit_id=unit_id, kind=kind)
        .annotate(month=TruncMonth("date"))
        .values("month")
        .annotate(b=Sum("booked"), u=Sum("used"))
        .values_list("month", "b", "u")
    }
    used_sums = {
        f"m{i}": Sum(
            clipped("started_at", F("stop"), lower=start, upper=end),
            filter=Q(started_at__lt=end, stop__gt=start),
        )
        for i, (_, start, end) in enumerate(months)
    }
    live = rolled.running(period, now, unit_id=unit_id, kind=kind).aggregate(**used_sums)
    trend = []
    for i, (first, _, _) in enumerate(months):
        booked, used = by_month.get(first, (0, 0))
        trend.append(
            MonthTrend(
                month=first,
                booked_hours=rolled.hours_of(booked),
                used_hours=rolled.hours_of(used, live[f"m{i}"]),
            )
        )
    return trend


def _scoped(queryset, prefix: str, unit_id: int | None, kind: str | None):
    if unit_id is not None:
        queryset = queryset.filter(**{f"{prefix}unit_id": unit_id})
    if kind:
        queryset = queryset.filter(**{f"{prefix}kind": kind})
    return queryset


def turnaround_get(*, period: Period, unit_id: int | None, kind: str | None) -> Turnaround:
    """Median and 90th percentile of the time to a decision, from the rollup's decisions
    (bookings.rollup_models.FiguresDecision, one row each): one query on PostgreSQL
    (percentile_disc), at most three elsewhere (a count and two ordered offsets)."""
    decisions = rolled.decisions(period, unit_id=unit_id, kind=kind)
    if connection.vendor == "postgresql":
        n, median, p90 = figures_sql.nearest_rank_percentiles(
            decisions.values("waited"), column="waited", fractions=(0.5, 0.9)
        )
        if not n:
            return Turnaround(0, None, None)
        return Turnaround(n, rolled.hours_of(median), rolled.hours_of(p90))
    n = decisions.count()
    if not n:
        return Turnaround(0, None, None)

    def nearest_rank(p: float) -> float:
        rank = max(1, math.ceil(p * n))
        waited = decisions.order_by("waited", "pk").values_list("waited", flat=True)[rank - 1]
        return rolled.hours_of(waited)

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
    rolled.fresh()
    # Used hours only (units served are not shown here): the days' sums, not usage_hours.
    sums = day_sums(period=period, now=now, resource_ids=[r.pk for r in resources])
    usage = {
        pk: rolled.hours_of(row.get("used"), row.get("live_used"))
        for pk, row in sums.items()
        if row.get("used") or row.get("live_used") is not None
    }
    uses = [
        ResourceUse(
            resource_id=r.pk,
            name=r.name,
            unit_name=r.unit.name,
            used_hours=usage.get(r.pk, 0.0),
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
