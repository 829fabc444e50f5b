"""Reading the rollup (bookings.rollup_models) for a period: the figures selectors sum these
rows, refreshed first, and add the sessions still running from the raw rows.

- :func:`fresh`: recounts the days marked since the last read (bookings.figures.rollup);
- :func:`days` / :func:`unit_days`: the rollup rows of the period's local days, of a scope;
- :func:`running`: the sessions still running that overlap the period (few: at most one per
  resource), annotated as ``sessions_in_period`` annotates;
- :func:`hours_of`: microseconds (rollup) plus a duration (live) in hours, rounded as the
  raw figures round them.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from bookings.figures.common import hours, sessions_in_period
from bookings.figures.period import Period
from bookings.figures.rollup import figures_rollup_refresh
from bookings.rollup_models import FiguresDay, FiguresDecision, FiguresHours, FiguresUnitDay
from bookings.usage_models import UsageSession


def fresh() -> None:
    figures_rollup_refresh()


def _scoped(queryset: QuerySet, unit_id: int | None, kind: str | None) -> QuerySet:
    if unit_id is not None:
        queryset = queryset.filter(resource__unit_id=unit_id)
    if kind:
        queryset = queryset.filter(resource__kind=kind)
    return queryset


def days(period: Period, *, unit_id: int | None = None, kind: str | None = None) -> QuerySet:
    rows = FiguresDay.objects.order_by().filter(date__gte=period.first, date__lte=period.last)
    return _scoped(rows, unit_id, kind)


def unit_days(period: Period, *, unit_id: int | None = None, kind: str | None = None) -> QuerySet:
    rows = FiguresUnitDay.objects.order_by().filter(date__gte=period.first, date__lte=period.last)
    return _scoped(rows, unit_id, kind)


def hour_rows(period: Period, *, unit_id: int | None = None, kind: str | None = None):
    rows = FiguresHours.objects.order_by().filter(date__gte=period.first, date__lte=period.last)
    return _scoped(rows, unit_id, kind)


def decisions(period: Period, *, unit_id: int | None = None, kind: str | None = None):
    rows = FiguresDecision.objects.order_by().filter(date__gte=period.first, date__lte=period.last)
    return _scoped(rows, unit_id, kind)


def running(
    period: Period, now: dt.datetime, *, unit_id: int | None = None, kind: str | None = None
) -> QuerySet[UsageSession]:
    return _scoped(
        sessions_in_period(period=period, now=now).filter(stopped_at__isnull=True), unit_id, kind
    )


def micros(value: dt.timedelta | None) -> int:
    return (value or dt.timedelta(0)) // dt.timedelta(microseconds=1)


def hours_of(us: int | None, live: dt.timedelta | None = None) -> float:
    return hours(dt.timedelta(microseconds=us or 0) + (live or dt.timedelta(0)))
