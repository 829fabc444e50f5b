"""Figures per resource over a period (issue 11): open, booked, used, effective and external
hours, no-shows, late cancellations, utilisation, and hours by booking unit.

A fixed number of queries whatever the period or the number of bookings: the resources
(1), their weekly hours (1), make-up days and closures (2), then the rollup (refreshed
first, bookings.figures.rolled): the days' sums (1), hours by booking unit and units served
(1), and the sessions still running (2). Open hours are worked out from the weekly
hours and the calendar (open_hours_get), the rest are aggregate queries.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet, Sum
from django.utils import timezone

from alliance.access import figures_unit_scope
from alliance.actors import actor_require
from bookings.figures import rolled
from bookings.figures.common import EXTERNAL, ratio
from bookings.figures.period import Period
from bookings.figures.usage import day_sums, usage_of
from bookings.models import BOOKED_STATUSES
from resources.intervals import clip, merge
from resources.models import MIDNIGHT, Closure, MakeUpWorkingDay, Resource
from resources.selectors import (
    OpeningWindow,
    alliance_zone,
    opening_intervals,
    opening_windows_get,
)


@dataclass(frozen=True)
class UnitHours:
    unit_id: int
    unit_name: str
    hours: float


@dataclass(frozen=True)
class ResourceFigures:
    resource_id: int
    name: str
    kind: str
    unit_id: int
    unit_name: str
    open_hours: float
    booked_hours: float
    used_hours: float
    effective_hours: float
    external_hours: float
    units_served: int
    no_shows: int
    late_cancellations: int
    hours_by_unit: list[UnitHours] = field(default_factory=list)

    @property
    def booked_utilisation(self) -> float | None:
        return ratio(self.booked_hours, self.open_hours)

    @property
    def used_utilisation(self) -> float | None:
        return ratio(self.used_hours, self.open_hours)


BOOKED = Q(status__in=BOOKED_STATUSES)  # not a waitlist hold (issue 12)


def resources_in_scope(*, unit_id: int | None, kind: str | None) -> QuerySet[Resource]:
    resources = Resource.objects.order_by("unit__name", "name", "pk")
    if unit_id is not None:
        resources = resources.filter(unit_id=unit_id)
    if kind:
        resources = resources.filter(kind=kind)
    return resources


def _window_hours(window: OpeningWindow) -> float:
    start = window.start_time.hour * 60 + window.start_time.minute
    end = (
        24 * 60
        if window.end_time == MIDNIGHT
        else window.end_time.hour * 60 + window.end_time.minute
    )
    return (end - start) / 60


def weekday_counts(period: Period, makeup_days: dict[dt.date, int]) -> list[int]:
    """How many days of the period open as each weekday (Monday = 0): calendar weekdays,
    with each make-up working day counted as the weekday it opens as."""
    weeks, rest = divmod(period.days, 7)
    counts = [weeks] * 7
    for offset in range(rest):
        counts[(period.first.weekday() + offset) % 7] += 1
    for day, opens_as in makeup_days.items():
        if period.first <= day <= period.last:
            counts[day.weekday()] -= 1
            counts[opens_as] += 1
    return counts


def open_hours_get(*, resources: list[Resource], period: Period) -> dict[int, float]:
    """Opening hours less closures (alliance-wide and the resource's own), with make-up
    working days opening as their weekday, within the period, per resource id. Three
    queries (weekly hours, make-up days, closures).

    Worked out per weekday rather than per day: a window never runs past midnight (an end
    of 00:00 is midnight), so the weekly hours times the number of days opening as each
    weekday is the opening time; from it each closure takes the opening hours it covers,
    computed on the calendar of its own days only (resources.selectors.opening_intervals).
    The days of Asia/Shanghai are all 24 hours long (no daylight saving)."""
    if not resources:
        return {}
    ids = [r.pk for r in resources]
    windows = opening_windows_get(resource_ids=ids)
    makeup_days = dict(
        MakeUpWorkingDay.objects.filter(date__gte=period.first, date__lte=period.last).values_list(
            "date", "opens_as"
        )
    )
    counts = weekday_counts(period, makeup_days)
    alliance_wide: list[tuple[dt.datetime, dt.datetime]] = []
    own: dict[int, list[tuple[dt.datetime, dt.datetime]]] = {}
    closures = Closure.objects.filter(
        Q(resource_id__in=ids) | Q(resource__isnull=True),
        start__lt=period.end,
        end__gt=period.start,
    ).values_list("resource_id", "start", "end")
    for resource_id, start, end in closures:
        span = (max(start, period.start), min(end, period.end))
        (alliance_wide if resource_id is None else own.setdefault(resource_id, [])).append(span)
    zone = alliance_zone()
    open_hours = {}
    for resource_id in ids:
        hours_of = windows.get(resource_id, [])
        weekly = [0.0] * 7
        for window in hours_of:
            weekly[window.weekday] += _window_hours(window)
        total = sum(n * h for n, h in zip(counts, weekly, strict=True))
        for hole in merge(alliance_wide + own.get(resource_id, [])):
            opening = opening_intervals(
                hours=hours_of,
                first_day=hole.start.astimezone(zone).date(),
                last_day=hole.end.astimezone(zone).date(),
                makeup_days=makeup_days,
            )
            covered = sum((i.duration for i in clip(opening, hole.start, hole.end)), dt.timedelta())
            total -= covered.total_seconds() / 3600
        open_hours[resource_id] = round(total, 2)
    return open_hours


def units_get(
    *, period: Period, resource_ids: list[int], now: dt.datetime
) -> tuple[dict[int, list[UnitHours]], dict[int, int]]:
    """Booked hours per resource and booking unit (the booker's unit when they booked), and
    the units served per resource: one query of the rollup's unit days and the sessions
    still running (usage.served_pairs' definition)."""
    rows = (
        rolled.unit_days(period)
        .filter(resource_id__in=resource_ids)
        .values("resource_id", "unit_id", "unit__name", "resource__unit_id")
        .annotate(booked=Sum("booked"), sessions=Sum("sessions"))
        .order_by("resource_id", "unit__name")
        .values_list(
            "resource_id", "unit_id", "unit__name", "resource__unit_id", "booked", "sessions"
        )
    )
    by_resource: dict[int, list[UnitHours]] = {}
    served: set[tuple[int, int]] = set()
    for resource_id, unit_id, unit_name, owner_id, booked, sessions in rows:
        if booked:
            by_resource.setdefault(resource_id, []).append(
                UnitHours(unit_id, unit_name, rolled.hours_of(booked))
            )
        if sessions and unit_id != owner_id:
            served.add((resource_id, unit_id))
    live = rolled.running(period, now).filter(EXTERNAL, resource_id__in=resource_ids)
    served |= set(live.values_list("resource_id", "user_unit").distinct())
    counts: dict[int, int] = {}
    for resource_id, _unit in served:
        counts[resource_id] = counts.get(resource_id, 0) + 1
    return by_resource, counts


def resource_figures(
    *,
    actor,
    period: Period,
    unit_id: int | None = None,
    kind: str | None = None,
    now: dt.datetime | None = None,
) -> list[ResourceFigures]:
    """The figures of every resource the actor may read (the secretariat: all, or
    ``unit_id``'s; a unit manager: their own unit's), optionally of one ``kind``, ordered by
    unit and name. AccessDenied for anyone else."""
    actor_require(actor)
    scope = figures_unit_scope(actor, unit_id)
    now = now or timezone.now()
    resources = list(
        resources_in_scope(unit_id=scope, kind=kind)
        .select_related("unit")
        .only("pk", "name", "kind", "unit_id", "unit__name")
    )
    ids = [r.pk for r in resources]
    if not ids:
        return []
    open_hours = open_hours_get(resources=resources, period=period)
    rolled.fresh()
    sums = day_sums(period=period, now=now, resource_ids=ids)
    by_unit, served = units_get(period=period, resource_ids=ids, now=now)
    figures = []
    for resource in resources:
        row = sums.get(resource.pk, {})
        booked, no_shows, late = row.get("booked"), row.get("no_shows"), row.get("late")
        use = usage_of(resource.pk, row, served.get(resource.pk, 0))
        figures.append(
            ResourceFigures(
                resource_id=resource.pk,
                name=resource.name,
                kind=resource.kind,
                unit_id=resource.unit_id,
                unit_name=resource.unit.name,
                open_hours=open_hours.get(resource.pk, 0.0),
                booked_hours=rolled.hours_of(booked),
                used_hours=use.used_hours,
                effective_hours=use.effective_hours,
                external_hours=use.external_hours,
                units_served=use.units_served,
                no_shows=no_shows or 0,
                late_cancellations=late or 0,
                hours_by_unit=by_unit.get(resource.pk, []),
            )
        )
    return figures
