"""Figures per resource over a period (issue 11): open, booked, used, effective and external
hours, no-shows, late cancellations, utilisation, and hours by booking unit.

A fixed number of queries whatever the period or the number of bookings: the resources
(1), their weekly hours (1), make-up days and closures (2), bookings (1), hours by booking
unit (1) and recorded use (1). Open hours are worked out per day from the calendar
(resources.selectors), the rest are aggregate queries.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from alliance.access import figures_unit_scope
from alliance.actors import actor_require
from bookings.figures.common import clipped, hours, overlaps, ratio
from bookings.figures.period import Period
from bookings.figures.usage import UsageHours, usage_hours
from bookings.models import BLOCKING_STATUSES, Booking, BookingStatus
from resources.intervals import clip
from resources.models import Resource
from resources.selectors import opening_windows_get, resource_calendars_get


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


BOOKED = Q(status__in=BLOCKING_STATUSES)


def resources_in_scope(*, unit_id: int | None, kind: str | None) -> QuerySet[Resource]:
    resources = Resource.objects.order_by("unit__name", "name", "pk")
    if unit_id is not None:
        resources = resources.filter(unit_id=unit_id)
    if kind:
        resources = resources.filter(kind=kind)
    return resources


def open_hours_get(*, resources: list[Resource], period: Period) -> dict[int, float]:
    """Opening hours less closures (alliance-wide and the resource's own), with make-up
    working days opening as their weekday, within the period, per resource id."""
    if not resources:
        return {}
    calendars = resource_calendars_get(
        resources=resources,
        start=period.start,
        end=period.end,
        hours=opening_windows_get(resource_ids=[r.pk for r in resources]),
    )
    return {
        resource_id: hours(
            sum(
                (i.duration for i in clip(calendar.open, period.start, period.end)),
                dt.timedelta(),
            )
        )
        for resource_id, calendar in calendars.items()
    }


def booking_figures_get(*, period: Period, resource_ids: list[int]) -> dict[int, tuple]:
    """(booked timedelta, no-shows, late cancellations) per resource id, in one query.

    Booked: bookings that hold or held their slot (pending, approved, completed), their
    [start, end) clipped to the period. No-shows and late cancellations: those starting in
    the period."""
    starts_in_period = Q(start__gte=period.start)
    rows = (
        Booking.objects.order_by()
        .filter(
            overlaps("start", "end", lower=period.start, upper=period.end),
            resource_id__in=resource_ids,
        )
        .values("resource_id")
        .annotate(
            booked=Sum(
                clipped("start", "end", lower=period.start, upper=period.end), filter=BOOKED
            ),
            no_shows=Count("pk", filter=starts_in_period & Q(status=BookingStatus.NO_SHOW)),
            late=Count(
                "pk",
                filter=starts_in_period & Q(status=BookingStatus.CANCELLED, cancelled_late=True),
            ),
        )
        .values_list("resource_id", "booked", "no_shows", "late")
    )
    return {resource_id: (booked, no_shows, late) for resource_id, booked, no_shows, late in rows}


def hours_by_unit_get(*, period: Period, resource_ids: list[int]) -> dict[int, list[UnitHours]]:
    """Booked hours per resource and booking unit (the booker's unit when they booked)."""
    rows = (
        Booking.objects.order_by()
        .filter(
            BOOKED,
            overlaps("start", "end", lower=period.start, upper=period.end),
            resource_id__in=resource_ids,
        )
        .values("resource_id", "unit_id", "unit__name")
        .annotate(booked=Sum(clipped("start", "end", lower=period.start, upper=period.end)))
        .order_by("resource_id", "unit__name")
        .values_list("resource_id", "unit_id", "unit__name", "booked")
    )
    by_resource: dict[int, list[UnitHours]] = {}
    for resource_id, unit_id, unit_name, booked in rows:
        by_resource.setdefault(resource_id, []).append(UnitHours(unit_id, unit_name, hours(booked)))
    return by_resource


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
    bookings = booking_figures_get(period=period, resource_ids=ids)
    by_unit = hours_by_unit_get(period=period, resource_ids=ids)
    usage = usage_hours(period=period, resource_ids=ids, now=now)
    figures = []
    for resource in resources:
        booked, no_shows, late = bookings.get(resource.pk, (None, 0, 0))
        use = usage.get(resource.pk) or UsageHours(resource.pk, 0.0, 0.0, 0.0, 0)
        figures.append(
            ResourceFigures(
                resource_id=resource.pk,
                name=resource.name,
                kind=resource.kind,
                unit_id=resource.unit_id,
                unit_name=resource.unit.name,
                open_hours=open_hours.get(resource.pk, 0.0),
                booked_hours=hours(booked),
                used_hours=use.used_hours,
                effective_hours=use.effective_hours,
                external_hours=use.external_hours,
                units_served=use.units_served,
                no_shows=no_shows,
                late_cancellations=late,
                hours_by_unit=by_unit.get(resource.pk, []),
            )
        )
    return figures
