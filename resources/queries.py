"""Reads of resources for lists and pages: the catalogue, one resource in full, and the
calendars of many resources at once.

Each function runs a fixed number of queries whatever the number of resources, so that list
endpoints stay flat (tests/api assert the counts).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db.models import Q, QuerySet

from alliance.errors import NotFound
from resources.intervals import Interval
from resources.models import Closure, MakeUpWorkingDay, Resource
from resources.selectors import (
    ClosureWindow,
    ResourceCalendar,
    alliance_zone,
    local_midnight,
    opening_intervals,
)

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
    """The calendar of each resource around [start, end), keyed by resource id.

    The same calendars as resources.selectors.resource_calendar_get gives one by one, in two
    queries for all of them (make-up days, closures). Precondition: the resources'
    ``opening_hours`` are prefetched, else each costs one more query.
    """
    zone = alliance_zone()
    first_day = start.astimezone(zone).date() - dt.timedelta(days=1)
    last_day = end.astimezone(zone).date() + dt.timedelta(days=1)
    span = Interval(local_midnight(first_day), local_midnight(last_day + dt.timedelta(days=1)))
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
