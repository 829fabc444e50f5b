"""Reads of the working calendar: when a resource is open, and when it is closed.

Opening hours are local wall-clock windows; this module turns them into aware instants for
a span of dates, taking make-up working days (调休) and closures into account, in a fixed
number of queries whatever the span.

Also the catalogue reads of the API: the resource list, one resource in full, and the
calendars of many resources at once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import NamedTuple
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Case, OuterRef, Prefetch, Q, QuerySet, Subquery, When
from django.utils import timezone

from alliance.errors import NotFound
from alliance.models import Member
from resources.eligibility import booking_refusal
from resources.intervals import Interval, merge, subtract
from resources.models import (
    MIDNIGHT,
    Closure,
    MakeUpWorkingDay,
    OpeningHours,
    Resource,
    ResourcePhoto,
)
from resources.qualifications import member_qualified_exists
from resources.service_modes import modes_refusal


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


class OpeningWindow(NamedTuple):
    """A weekly opening window as opening_intervals reads it (an OpeningHours, or a row)."""

    weekday: int
    start_time: dt.time
    end_time: dt.time


def opening_windows_get(*, resource_ids: Sequence[int]) -> dict[int, list[OpeningWindow]]:
    """The weekly opening windows of many resources by id, in one query, as plain rows:
    building hundreds of model instances would cost more than the search they serve."""
    windows: dict[int, list[OpeningWindow]] = {}
    rows = (
        OpeningHours.objects.filter(resource_id__in=resource_ids)
        .order_by("resource_id", "weekday", "start_time")
        .values_list("resource_id", "weekday", "start_time", "end_time")
    )
    for resource_id, *window in rows:
        windows.setdefault(resource_id, []).append(OpeningWindow(*window))
    return windows


def opening_intervals(
    *,
    hours: Sequence[OpeningHours | OpeningWindow],
    first_day: dt.date,
    last_day: dt.date,
    makeup_days: dict[dt.date, int],
) -> list[Interval]:
    """Merged opening intervals for the local dates first_day..last_day (inclusive).

    A window ending at 00:00 runs to the next midnight, so adjacent days merge into one
    interval across midnight. On a make-up working day the hours of ``opens_as`` apply.
    """
    by_weekday: dict[int, list[OpeningHours | OpeningWindow]] = {}
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


def photos_prefetch() -> Prefetch:
    """A resource's photos in display order (one query for any number of resources)."""
    return Prefetch("photos", queryset=ResourcePhoto.objects.order_by("position", "pk"))


def allow_list_probe(*, unit_id: int | None) -> Subquery:
    """One unit id of the resource's allow-list as a scalar subquery: ``unit_id`` itself if
    it is on the list, else any unit on it, else NULL (an empty list: every unit may book).

    That one id answers alliance.access.member_unit_may_book for a member of ``unit_id``
    exactly as the whole list would, without loading the list of every resource.
    """
    through = Resource.allowed_units.through
    return Subquery(
        through.objects.filter(resource_id=OuterRef("pk"))
        .order_by(Case(When(unit_id=unit_id, then=0), default=1), "unit_id")
        .values("unit_id")[:1]
    )


def resources_for_caller(
    queryset: QuerySet[Resource], *, member: Member | None
) -> QuerySet[Resource]:
    """``queryset`` (resources with their unit joined) made ready for a caller's catalogue:
    each row knows whether ``member`` may book it (``allow_probe``, read by
    resource_booking_refusal) and carries its photos. A constant number of queries whatever
    the number of resources: the probe is a subquery of the same SELECT, photos one more.
    """
    unit_id = member.unit_id if member is not None else None
    annotations = {"allow_probe": allow_list_probe(unit_id=unit_id)}
    if member is not None and member.pk is not None:
        # Whether the member holds a valid qualification (issue 10), in the same SELECT.
        annotations["member_qualified"] = member_qualified_exists(member=member, now=timezone.now())
    return queryset.annotate(**annotations).prefetch_related(photos_prefetch())


def resource_booking_refusal(*, resource: Resource, member: Member | None) -> str | None:
    """Why ``member`` could book no time of ``resource`` (an alliance.errors code), or None.

    The scheduler's own predicate (resources.eligibility.booking_refusal) on a resource read
    by resources_for_caller: no query. ``member.unit`` must be loaded (one query per request).
    """
    probe = resource.allow_probe
    refusal = booking_refusal(
        member=member, resource=resource, allowed_unit_ids=set() if probe is None else {probe}
    )
    if refusal is not None:
        return refusal
    # The scheduler's next checks: the qualification gate, which assisted use is free of.
    qualified = getattr(resource, "member_qualified", False)
    return modes_refusal(
        resource=resource, qualified=not resource.requires_qualification or qualified
    )


def resource_get_for_caller(*, resource_id: int, member: Member | None) -> Resource:
    """One resource in full (resource_get) as resources_for_caller reads it for ``member``.

    Raises NotFound for an unknown id."""
    resource = (
        resources_for_caller(resource_list(), member=member)
        .prefetch_related(*DETAIL_PREFETCH)
        .filter(pk=resource_id)
        .first()
    )
    if resource is None:
        raise NotFound()
    return resource


def closure_list_for_resource(*, resource_id: int) -> QuerySet[Closure]:
    """The resource's own closures, soonest first (alliance-wide ones are not its to edit)."""
    return Closure.objects.filter(resource_id=resource_id).order_by("start", "pk")


def resource_calendars_get(
    *,
    resources: Sequence[Resource],
    start: dt.datetime,
    end: dt.datetime,
    hours: dict[int, list[OpeningWindow]] | None = None,
) -> dict[int, ResourceCalendar]:
    """The calendar of each resource around [start, end), keyed by resource id, in two
    queries for all of them (make-up days, closures).

    Opening intervals are computed for whole local days (calendar_days: one day wider on
    each side, so that an interval running across the edge of the span is seen whole).
    Precondition: the resources' ``opening_hours`` are prefetched, else each costs one more
    query; or ``hours`` gives them by resource id (opening_windows_get: rows, not model
    instances, for many resources at once).
    """
    first_day, last_day, span = calendar_days(start, end)
    if not resources:
        return {}
    makeup_days = dict(
        MakeUpWorkingDay.objects.filter(date__gte=first_day, date__lte=last_day).values_list(
            "date", "opens_as"
        )
    )
    rows = (
        Closure.objects.filter(
            Q(resource_id__in=[r.pk for r in resources]) | Q(resource__isnull=True),
            start__lt=span.end,
            end__gt=span.start,
        )
        .order_by("start")
        .values_list("resource_id", "start", "end", "reason")
    )
    if hours is None:
        hours = {resource.pk: list(resource.opening_hours.all()) for resource in resources}
    return calendars_from_rows(
        resource_ids=[r.pk for r in resources],
        start=start,
        end=end,
        hours=hours,
        makeup_days=makeup_days,
        closures=rows,
    )


def calendars_from_rows(
    *,
    resource_ids: Sequence[int],
    start: dt.datetime,
    end: dt.datetime,
    hours: dict[int, list[OpeningWindow]] | dict[int, list[OpeningHours]],
    makeup_days: dict[dt.date, int],
    closures: Iterable[tuple[int | None, dt.datetime, dt.datetime, str]],
) -> dict[int, ResourceCalendar]:
    """The calendars of resource_calendars_get from what it read, however it was read
    (bookings.similar_reads reads the same rows in one round trip): each resource's weekly
    hours, the make-up days of calendar_days(start, end), and the closures meeting that
    span as (resource id or None for alliance-wide, start, end, reason), soonest first."""
    first_day, last_day, span = calendar_days(start, end)
    alliance_wide: list[ClosureWindow] = []
    own: dict[int, list[ClosureWindow]] = {}
    for resource_id, c_start, c_end, reason in closures:
        window = ClosureWindow(c_start, c_end, reason)
        if resource_id is None:
            alliance_wide.append(window)
        else:
            own.setdefault(resource_id, []).append(window)
    calendars = {}
    # Resources often share their weekly hours (weekdays 08:00–20:00, around the clock):
    # each pattern's intervals are computed once per call.
    by_pattern: dict[tuple, list[Interval]] = {}
    for resource_id in resource_ids:
        windows = hours.get(resource_id, [])
        pattern = tuple((w.weekday, w.start_time, w.end_time) for w in windows)
        if pattern not in by_pattern:
            by_pattern[pattern] = opening_intervals(
                hours=windows, first_day=first_day, last_day=last_day, makeup_days=makeup_days
            )
        opening = list(by_pattern[pattern])
        windows = sorted(alliance_wide + own.get(resource_id, []), key=lambda c: c.start)
        calendars[resource_id] = ResourceCalendar(span=span, opening=opening, closures=windows)
    return calendars
