"""Utilisation by weekday and hour (issue 11): booked and used hours in each of the 7 × 24
local hours of the week (Monday = 0, hour 0–23, Asia/Shanghai), summed over the period.

Each booking (pending, approved, completed) and each recorded session is cut at the period's
edges and then into the local clock hours it touches; each piece adds its length to its cell.
The rollup holds each day's 24 hours (bookings.rollup_models.FiguresHours), summed here by
weekday in one query; the sessions still running are cut in the database (figures_sql:
PostgreSQL ``generate_series`` in local time, SQLite a recursive CTE). A fixed number of
queries whatever the data.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import F, Sum, Value
from django.db.models.functions import ExtractIsoWeekDay, Greatest, Least
from django.utils import timezone

from alliance.access import figures_unit_scope
from alliance.actors import actor_require
from bookings.figures import figures_sql, rolled
from bookings.figures.period import Period
from bookings.rollup_models import HOURS

Grid = list[list[float]]
HOUR_US = 3_600_000_000


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
    rolled.fresh()
    sums = {
        f"{kind}_h{h:02d}": Sum(f"{kind}_h{h:02d}") for kind in ("booked", "used") for h in HOURS
    }
    booked: dict[tuple[int, int], float] = {}
    used: dict[tuple[int, int], float] = {}
    for row in (
        rolled.hour_rows(period, unit_id=scope, kind=kind)
        .annotate(weekday=ExtractIsoWeekDay("date"))
        .values("weekday")
        .annotate(**sums)
    ):
        day = row["weekday"] - 1
        for h in HOURS:
            booked[day, h] = row[f"booked_h{h:02d}"] / HOUR_US
            used[day, h] = row[f"used_h{h:02d}"] / HOUR_US
    sessions = rolled.running(period, now, unit_id=scope, kind=kind)
    lower, upper = Value(period.start), Value(period.end)
    live = sessions.annotate(s=Greatest(F("started_at"), lower), e=Least(F("stop"), upper))
    for cell, h in figures_sql.hours_by_weekday_hour(live.values("s", "e"), period=period).items():
        used[cell] = used.get(cell, 0.0) + h
    return Heatmap(booked=_grid(booked), used=_grid(used))
