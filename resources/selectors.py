"""Reads of the working calendar: when a resource is open, and when it is closed.

Opening hours are local wall-clock windows; this module turns them into aware instants for
a span of dates, taking make-up working days (调休) and closures into account, in a fixed
number of queries whatever the span.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Q

from resources.intervals import Interval, merge, subtract
from resources.models import MIDNIGHT, Closure, MakeUpWorkingDay, OpeningHours, Resource


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


def resource_calendar_get(
    *, resource: Resource, start: dt.datetime, end: dt.datetime
) -> ResourceCalendar:
    """The calendar of ``resource`` around [start, end), in three queries.

    Opening intervals are computed for whole local days, one day wider on each side so that
    an interval running across the edge of the span is seen whole.
    Uses ``resource.opening_hours`` prefetched if the caller prefetched it.
    """
    zone = alliance_zone()
    first_day = start.astimezone(zone).date() - dt.timedelta(days=1)
    last_day = end.astimezone(zone).date() + dt.timedelta(days=1)
    hours = list(resource.opening_hours.all())
    makeup_days = dict(
        MakeUpWorkingDay.objects.filter(date__gte=first_day, date__lte=last_day).values_list(
            "date", "opens_as"
        )
    )
    opening = opening_intervals(
        hours=hours, first_day=first_day, last_day=last_day, makeup_days=makeup_days
    )
    closures = [
        ClosureWindow(c_start, c_end, reason)
        for c_start, c_end, reason in Closure.objects.filter(
            Q(resource=resource) | Q(resource__isnull=True),
            start__lt=local_midnight(last_day + dt.timedelta(days=1)),
            end__gt=local_midnight(first_day),
        )
        .order_by("start")
        .values_list("start", "end", "reason")
    ]
    span = Interval(local_midnight(first_day), local_midnight(last_day + dt.timedelta(days=1)))
    return ResourceCalendar(span=span, opening=opening, closures=closures)
