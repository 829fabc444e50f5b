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
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, F, Q, QuerySet, Sum
from django.utils import timezone

from bookings.figures.common import clipped, hours, session_stop, session_user_unit
from bookings.figures.period import Period
from bookings.usage_models import UsageSession


@dataclass(frozen=True)
class UsageHours:
    resource_id: int
    used_hours: float
    effective_hours: float
    external_hours: float
    units_served: int


EFFECTIVE = Q(flagged=False)
EXTERNAL = EFFECTIVE & ~Q(user_unit=F("resource__unit_id"))


def sessions_in_period(
    *, period: Period, now: dt.datetime, resource_ids: Iterable[int] | None = None
) -> QuerySet[UsageSession]:
    """Sessions overlapping the period, annotated with ``stop`` (a running one: now),
    ``user_unit`` and ``seconds`` (the duration within the period)."""
    sessions = (
        UsageSession.objects.order_by()
        .annotate(stop=session_stop(now), user_unit=session_user_unit())
        .filter(started_at__lt=min(period.end, now), stop__gt=period.start)
    )
    if resource_ids is not None:
        sessions = sessions.filter(resource_id__in=list(resource_ids))
    return sessions.annotate(
        within=clipped("started_at", F("stop"), lower=period.start, upper=period.end)
    )


def usage_hours(
    *,
    period: Period,
    resource_ids: Iterable[int] | None = None,
    now: dt.datetime | None = None,
) -> dict[int, UsageHours]:
    """Used, effective and external hours and units served per resource id, in one query.
    Resources without use in the period are absent (read them as zero)."""
    now = now or timezone.now()
    rows = (
        sessions_in_period(period=period, now=now, resource_ids=resource_ids)
        .values("resource_id")
        .annotate(
            used=Sum("within"),
            effective=Sum("within", filter=EFFECTIVE),
            external=Sum("within", filter=EXTERNAL),
            served=Count("user_unit", filter=EXTERNAL, distinct=True),
        )
        .values_list("resource_id", "used", "effective", "external", "served")
    )
    return {
        resource_id: UsageHours(
            resource_id=resource_id,
            used_hours=hours(used),
            effective_hours=hours(effective),
            external_hours=hours(external),
            units_served=served,
        )
        for resource_id, used, effective, external, served in rows
    }
