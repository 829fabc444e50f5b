"""Utilisation by weekday and hour (issue 11): booked and used hours in each of the 7 × 24
local hours of the week (Monday = 0, hour 0–23, Asia/Shanghai), summed over the period.

Each booking (pending, approved, completed) and each recorded session is cut at the period's
edges and then into the local clock hours it touches; each piece adds its length to its cell.
The cutting happens in the database (figures_sql): PostgreSQL expands each interval with
``generate_series`` in local time (``AT TIME ZONE``), SQLite with a recursive CTE on local
wall-clock strings. Two queries whatever the data.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import F, Value
from django.db.models.functions import Greatest, Least
from django.utils import timezone

from alliance.access import figures_unit_scope
from alliance.actors import actor_require
from bookings.figures import figures_sql
from bookings.figures.common import overlaps
from bookings.figures.per_resource import BOOKED
from bookings.figures.period import Period
from bookings.figures.usage import sessions_in_period
from bookings.models import Booking

Grid = list[list[float]]


@dataclass(frozen=True)
class Heatmap:
    """``booked[weekday][hour]`` and ``used[weekday][hour]`` in hours (to the hundredth)."""

    booked: Grid
    used: Grid


def _grid(cells: dict[tuple[int, int], float]) -> Grid:
    return [[round(cells.get((day, hour), 0.0), 2) for hour in range(24)] for day in range(7)]


def utilisation_heatmap(
    *,
    actor,
    period: Period,
    unit_id: int | None = None,
    kind: str | None = None,
    now: dt.datetime | None = None,
) -> Heatmap:
    actor_require(actor)
    scope = figures_unit_scope(actor, unit_id)
    now = now or timezone.now()
    bookings = Booking.objects.order_by().filter(
        BOOKED, overlaps("start", "end", lower=period.start, upper=period.end)
    )
    sessions = sessions_in_period(period=period, now=now)
    if scope is not None:
        bookings = bookings.filter(resource__unit_id=scope)
        sessions = sessions.filter(resource__unit_id=scope)
    if kind:
        bookings = bookings.filter(resource__kind=kind)
        sessions = sessions.filter(resource__kind=kind)
    lower, upper = Value(period.start), Value(period.end)
    booked = bookings.annotate(s=Greatest(F("start"), lower), e=Least(F("end"), upper))
    used = sessions.annotate(s=Greatest(F("started_at"), lower), e=Least(F("stop"), upper))
    return Heatmap(
        booked=_grid(figures_sql.hours_by_weekday_hour(booked.values("s", "e"), period=period)),
        used=_grid(figures_sql.hours_by_weekday_hour(used.values("s", "e"), period=period)),
    )
