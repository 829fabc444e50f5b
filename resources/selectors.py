"""Reads of the working calendar: when a resource is open, and when it is closed.

Opening hours are local wall-clock windows; this module turns them into aware instants for
a span of dates, taking make-up working days (调休) and closures into account, in a fixed
number of queries whatever the span.

Also the catalogue reads of the API: the resource list, one resource in full, and the
calendars of many resources at once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Prefetch, Q, QuerySet

from alliance.errors import NotFound
from resources.intervals import Interval, merge, subtract
from resources.models import MIDNIGHT, Closure, MakeUpWorkingDay, OpeningHours, Resource


def opening_hours_prefetch() -> Prefetch:
    """A resource's weekly hours in their own order, without OpeningHours.Meta.ordering,
    which orders by the resource (so by its unit's name) and joins both tables to do so."""
    return Prefetch(
        "opening_hours", queryset=OpeningHours.objects.order_by("weekday", "start_time")
    )


def alliance_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def local_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0, 0), tzinfo=alliance_zone())


@dataclass(frozen=True)
class ClosureWindow:
    start: dt.datetime
    end: dt.datetime
    reason: str


@dataclass(frozen=True)
class ResourceCalendar:
    """When a resource opens (by its weekly hours) and when it is closed, over a span."""

    span: Interval
    opening: list[Interval]
    closures: list[ClosureWindow]

    @property
    def open(self) -> list[Interval]:
        """Opening hours minus closures."""
        return subtract(self.opening, merge((c.start, c.end) for c in self.closures))


def opening_intervals(
    *,
    hours: list[OpeningHours],
    first_day: dt.date,
    last_day: dt.date,
    makeup_days: dict[dt.date, int],
) -> list[Interval]:
    """Merged opening intervals for the local dates first_day..last_day (inclusive).

    A window ending at 00:00 runs to the next midnight, so adjacent days merge into one
    interval across midnight. On a make-up working day the hours of ``opens_as`` apply.
    """
    by_weekday: dict[int, list[OpeningHours]] = {}
    for window in hours:
        by_weekday.setdefault(window.weekday, []).append(window)
    zone = alliance_zone()
    raw = []
    day = first_day
    while day <= last_day:
        weekday = makeup_days.get(day, day.weekday())
        for window in by_weekday.get(weekday, ()):
            start = dt.datetime.combine(day, window.start_time, tzinfo=zone)
            if window.end_time == MIDNIGHT:
                end = local_midnight(day + dt.timedelta(days=1))
            else:
                end = dt.datetime.combine(day, window.end_time, tzinfo=zone)
            raw.append((start, end))
        day += dt.timedelta(days=1)
    return merge(raw)


def calendar_days(start: dt.datetime, end: dt.datetime) -> tuple[dt.date, dt.date, Interval]:
    """The local dates a calendar around [start, end) is built for, one day wider on each
    side so that an interval running across the edge of the span is seen whole, and the
    span of instants they cover: (first_day, last_day, span)."""
    zone = alliance_zone()
    first_day = start.astimezone(zone).date() - dt.timedelta(days=1)
    last_day = end.astimezone(zone).date() + dt.timedelta(days=1)
    span = Interval(local_midnight(first_day), local_midnight(last_day + dt.timedelta(days=1)))
    return first_day, last_day, span


def resource_calendar_get(
    *, resource: Resource, start: dt.datetime, end: dt.datetime
) -> ResourceCalendar:
    """The calendar of ``resource`` around [start, end), in three queries (two if the
    caller prefetched ``opening_hours``). See resource_calendars_get."""
    return resource_calendars_get(resources=[resource], start=start, end=end)[resource.pk]


DETAIL_PREFETCH = ("opening_hours", "allowed_units")


def resource_list() -> QuerySet[Resource]:
    """Every resource with its owning unit joined, in catalogue order (unit, then name).

    Retired resources are included: callers that list for booking exclude them.
    """
    return Resource.objects.select_related("unit").order_by("unit__name", "name", "pk")


def resource_get(*, resource_id: int, prefetch: tuple[str, ...] = DETAIL_PREFETCH) -> Resource:
    """One resource with its unit and, by default, what its detail page shows (opening hours,
    allowed units); callers that need less pass ``prefetch``.

    Raises NotFound for an unknown id. Retired resources are found (their page says so).
    """
    resource = resource_list().prefetch_related(*prefetch).filter(pk=resource_id).first()
    if resource is None:
        raise NotFound()
    return resource


def closure_list_for_resource(*, resource_id: int) -> QuerySet[Closure]:
    """The resource's own closures, soonest first (alliance-wide ones are not its to edit)."""
    return Closure.objects.filter(resource_id=resource_id).order_by("start", "pk")


def resource_calendars_get(
    *, resources: Sequence[Resource], start: dt.datetime, end: dt.datetime
) -> dict[int, ResourceCalendar]:
    """The calendar of each resource around [start, end), keyed by resource id, in two
    queries for all of them (make-up days, closures).

    Opening intervals are computed for whole local days (calendar_days). Precondition: the
    resources' ``opening_hours`` are prefetched, else each costs one more query.
    """
    first_day, last_day, span = calendar_days(start, end)
    if not resources:
        return {}
    makeup_days = dict(
        MakeUpWorkingDay.objects.filter(date__gte=first_day, date__lte=last_day).values_list(
            "date", "opens_as"
        )
    )
    alliance_wide: list[ClosureWindow] = []
    own: dict[int, list[ClosureWindow]] = {}
    rows = (
        Closure.objects.filter(
            Q(resource_id__in=[r.pk for r in resources]) | Q(resource__isnull=True),
            start__lt=span.end,
            end__gt=span.start,
        )
        .order_by("start")
        .values_list("resource_id", "start", "end", "reason")
    )
    for resource_id, c_start, c_end, reason in rows:
        window = ClosureWindow(c_start, c_end, reason)
        if resource_id is None:
            alliance_wide.append(window)
        else:
            own.setdefault(resource_id, []).append(window)
    calendars = {}
    for resource in resources:
        opening = opening_intervals(
            hours=list(resource.opening_hours.all()),
            first_day=first_day,
            last_day=last_day,
            makeup_days=makeup_days,
        )
        closures = sorted(alliance_wide + own.get(resource.pk, []), key=lambda c: c.start)
        calendars[resource.pk] = ResourceCalendar(span=span, opening=opening, closures=closures)
    return calendars
