"""Recorded-use hours (from UsageSession): THE primitive every figure of recorded use is
built on — the dashboard, the unit balance, the public summary and the national assessment
export (有效工作机时, 对外服务机时) all call :func:`usage_hours` or share its expressions, so
that their totals agree.

Definitions (docs/figures.md):

- **used hours**: the time of every recorded session within the period (a session running
  across the period's edge counts only its part inside; a session still running counts up
  to now).
- **effective hours** (有效工作机时): used hours of sessions that are not flagged. A flagged
  session is one the system had to close (left running past its booking's end plus grace,
  or superseded by the next booking): its stop time is not what happened. Once a manager
  corrects it the flag is cleared and it counts again.
- **external hours** (对外服务机时): effective hours of sessions whose user's unit
  (:func:`~bookings.figures.common.session_user_unit`) is not the resource's owning unit.
- **units served**: distinct units other than the owner with effective use.

Read from the rollup (bookings.figures.rolled), refreshed first, plus the sessions still
running from the raw rows: two queries of the rollup and two of the running sessions.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import F, Sum
from django.utils import timezone

from bookings.figures import rolled
from bookings.figures.common import EFFECTIVE, EXTERNAL, sessions_in_period
from bookings.figures.period import Period

__all__ = ["EFFECTIVE", "EXTERNAL", "UsageHours", "sessions_in_period", "usage_hours"]


@dataclass(frozen=True)
class UsageHours:
    resource_id: int
    used_hours: float
    effective_hours: float
    external_hours: float
    units_served: int


def served_pairs(
    period: Period, now: dt.datetime, *, resource_ids: list[int] | None = None
) -> set[tuple[int, int]]:
    """(resource id, unit id) for every unit other than the owner with effective use of the
    resource in the period: the rollup's days and the running sessions (two queries)."""
    rows = rolled.unit_days(period).filter(sessions__gt=0).exclude(unit_id=F("resource__unit_id"))
    live = rolled.running(period, now).filter(EXTERNAL)
    if resource_ids is not None:
        rows = rows.filter(resource_id__in=resource_ids)
        live = live.filter(resource_id__in=resource_ids)
    pairs = set(rows.values_list("resource_id", "unit_id").distinct())
    return pairs | set(live.values_list("resource_id", "user_unit").distinct())


def day_sums(
    *, period: Period, now: dt.datetime, resource_ids: list[int] | None = None
) -> dict[int, dict]:
    """Per resource id with anything in the period: the rollup's sums (booked, no_shows,
    late, used, effective, external: microseconds and counts) and the running sessions'
    (live_used, live_effective, live_external: durations). Two queries."""
    rows = rolled.days(period)
    live = rolled.running(period, now)
    if resource_ids is not None:
        rows = rows.filter(resource_id__in=resource_ids)
        live = live.filter(resource_id__in=resource_ids)
    sums: dict[int, dict] = {}
    for row in rows.values("resource_id").annotate(
        booked=Sum("booked"),
        no_shows=Sum("no_shows"),
        late=Sum("late_cancellations"),
        used=Sum("used"),
        effective=Sum("effective"),
        external=Sum("external"),
    ):
        sums[row.pop("resource_id")] = row
    for row in live.values("resource_id").annotate(
        live_used=Sum("within"),
        live_effective=Sum("within", filter=EFFECTIVE),
        live_external=Sum("within", filter=EXTERNAL),
    ):
        sums.setdefault(row.pop("resource_id"), {}).update(row)
    return sums


def usage_of(resource_id: int, sums: dict, served: int) -> UsageHours:
    return UsageHours(
        resource_id=resource_id,
        used_hours=rolled.hours_of(sums.get("used"), sums.get("live_used")),
        effective_hours=rolled.hours_of(sums.get("effective"), sums.get("live_effective")),
        external_hours=rolled.hours_of(sums.get("external"), sums.get("live_external")),
        units_served=served,
    )


def served_counts(period: Period, now: dt.datetime, resource_ids: list[int] | None) -> dict:
    served: dict[int, int] = {}
    for resource_id, _unit in served_pairs(period, now, resource_ids=resource_ids):
        served[resource_id] = served.get(resource_id, 0) + 1
    return served


def usage_hours(
    *,
    period: Period,
    resource_ids: Iterable[int] | None = None,
    now: dt.datetime | None = None,
) -> dict[int, UsageHours]:
    """Used, effective and external hours and units served per resource id. Resources
    without use in the period are absent (read them as zero)."""
    now = now or timezone.now()
    ids = None if resource_ids is None else list(resource_ids)
    rolled.fresh()
    sums = day_sums(period=period, now=now, resource_ids=ids)
    served = served_counts(period, now, ids)
    return {
        resource_id: usage_of(resource_id, row, served.get(resource_id, 0))
        for resource_id, row in sums.items()
        if row.get("used") or row.get("live_used") is not None
    }
