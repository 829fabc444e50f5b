"""Expressions shared by the figures selectors: an interval clipped to the period, in the
database, and the unit a recorded use counts for."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import DurationField, ExpressionWrapper, F, Q, QuerySet, Value
from django.db.models.functions import Coalesce, Greatest, Least

from bookings.figures.period import Period
from bookings.usage_models import UsageSession


def hours(value: dt.timedelta | None) -> float:
    """A database sum of durations in hours, to the hundredth (None, an empty sum: 0)."""
    if not value:
        return 0.0
    return round(value.total_seconds() / 3600, 2)


def ratio(part: float, whole: float) -> float | None:
    """part ÷ whole to four places, or None when there is no whole to divide by."""
    if not whole:
        return None
    return round(part / whole, 4)


def clipped(start: str, end, *, lower: dt.datetime, upper: dt.datetime) -> ExpressionWrapper:
    """The length of [start, end) within [lower, upper), as an SQL duration. Callers filter
    to rows that overlap [lower, upper), so that it is never negative."""
    end_expr = F(end) if isinstance(end, str) else end
    return ExpressionWrapper(
        Least(end_expr, Value(upper)) - Greatest(F(start), Value(lower)),
        output_field=DurationField(),
    )


def overlaps(start: str, end: str, *, lower: dt.datetime, upper: dt.datetime) -> Q:
    return Q(**{f"{start}__lt": upper, f"{end}__gt": lower})


def session_stop(now: dt.datetime) -> Coalesce:
    """When a session stopped; a running one counts up to ``now``."""
    return Coalesce(F("stopped_at"), Value(now))


def session_user_unit() -> Coalesce:
    """The unit a recorded use counts for: the booking's unit (the booker's unit when they
    booked) when the session served a booking, otherwise the user's unit. An operator who
    ran the session for the user does not change it."""
    return Coalesce(F("booking__unit_id"), F("member__unit_id"))


EFFECTIVE = Q(flagged=False)
EXTERNAL = EFFECTIVE & ~Q(user_unit=F("resource__unit_id"))


def sessions_in_period(
    *, period: Period, now: dt.datetime, resource_ids: Iterable[int] | None = None
) -> QuerySet[UsageSession]:
    """Sessions overlapping the period, annotated with ``stop`` (a running one: now),
    ``user_unit`` and ``within`` (the duration within the period): the raw rows the
    figures define (the rollup counts the stopped ones; the assessment lists them)."""
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
