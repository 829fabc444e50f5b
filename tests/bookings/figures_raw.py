"""The figures as defined (docs/figures.md), computed straight from the raw bookings and
sessions: the selectors' code before the rollup, kept as the oracle the rollup is checked
against (tests/bookings/test_figures_rollup.py)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, F, Q, Sum

from bookings.figures import figures_sql
from bookings.figures.common import (
    EFFECTIVE,
    EXTERNAL,
    clipped,
    hours,
    overlaps,
    sessions_in_period,
)
from bookings.figures.period import Period
from bookings.models import BOOKED_STATUSES, Booking, BookingStatus

BOOKED = Q(status__in=BOOKED_STATUSES)


def raw_per_resource(period: Period, now: dt.datetime) -> dict[int, dict]:
    """{resource id: booked, no_shows, late, used, effective, external, served, by_unit}."""
    figures: dict[int, dict] = {}

    def row(resource_id):
        return figures.setdefault(
            resource_id,
            {
                "booked": 0.0,
                "no_shows": 0,
                "late": 0,
                "used": 0.0,
                "effective": 0.0,
                "external": 0.0,
                "served": 0,
                "by_unit": [],
            },
        )

    starts = Q(start__gte=period.start)
    for resource_id, booked, no_shows, late in (
        Booking.objects.order_by()
        .filter(overlaps("start", "end", lower=period.start, upper=period.end))
        .values("resource_id")
        .annotate(
            booked=Sum(
                clipped("start", "end", lower=period.start, upper=period.end), filter=BOOKED
            ),
            no_shows=Count("pk", filter=starts & Q(status=BookingStatus.NO_SHOW)),
            late=Count(
                "pk", filter=starts & Q(status=BookingStatus.CANCELLED, cancelled_late=True)
            ),
        )
        .values_list("resource_id", "booked", "no_shows", "late")
    ):
        row(resource_id).update(booked=hours(booked), no_shows=no_shows, late=late)
    for resource_id, unit_id, booked in (
        Booking.objects.order_by()
        .filter(BOOKED, overlaps("start", "end", lower=period.start, upper=period.end))
        .values("resource_id", "unit_id", "unit__name")
        .annotate(booked=Sum(clipped("start", "end", lower=period.start, upper=period.end)))
        .order_by("resource_id", "unit__name")
        .values_list("resource_id", "unit_id", "booked")
    ):
        row(resource_id)["by_unit"].append((unit_id, hours(booked)))
    for resource_id, used, effective, external, served in (
        sessions_in_period(period=period, now=now)
        .values("resource_id")
        .annotate(
            used=Sum("within"),
            effective=Sum("within", filter=EFFECTIVE),
            external=Sum("within", filter=EXTERNAL),
            served=Count("user_unit", filter=EXTERNAL, distinct=True),
        )
        .values_list("resource_id", "used", "effective", "external", "served")
    ):
        row(resource_id).update(
            used=hours(used), effective=hours(effective), external=hours(external), served=served
        )
    return figures


def raw_per_unit(period: Period, now: dt.datetime) -> dict[int, tuple]:
    """{unit id: (shared out, used of others, units served, settled, no-shows)}."""
    sessions = sessions_in_period(period=period, now=now).filter(EXTERNAL)
    shared = {
        r["resource__unit_id"]: (hours(r["h"]), r["served"])
        for r in sessions.values("resource__unit_id")
        .annotate(h=Sum("within"), served=Count("user_unit", distinct=True))
        .order_by()
    }
    used = {
        r["user_unit"]: hours(r["h"])
        for r in sessions.values("user_unit").annotate(h=Sum("within")).order_by()
    }
    settled = {
        r["unit_id"]: (r["n"], r["x"])
        for r in Booking.objects.order_by()
        .filter(
            start__gte=period.start,
            start__lt=period.end,
            status__in=(BookingStatus.COMPLETED, BookingStatus.NO_SHOW),
        )
        .values("unit_id")
        .annotate(n=Count("pk"), x=Count("pk", filter=Q(status=BookingStatus.NO_SHOW)))
    }
    units = set(shared) | set(used) | set(settled)
    return {
        u: (
            shared.get(u, (0.0, 0))[0],
            used.get(u, 0.0),
            shared.get(u, (0.0, 0))[1],
            *settled.get(u, (0, 0)),
        )
        for u in units
    }


def raw_heatmap(period: Period, now: dt.datetime) -> tuple[dict, dict]:
    from django.db.models import Value
    from django.db.models.functions import Greatest, Least

    lower, upper = Value(period.start), Value(period.end)
    bookings = Booking.objects.order_by().filter(
        BOOKED, overlaps("start", "end", lower=period.start, upper=period.end)
    )
    booked = bookings.annotate(s=Greatest(F("start"), lower), e=Least(F("end"), upper))
    used = sessions_in_period(period=period, now=now).annotate(
        s=Greatest(F("started_at"), lower), e=Least(F("stop"), upper)
    )
    return (
        figures_sql.hours_by_weekday_hour(booked.values("s", "e"), period=period),
        figures_sql.hours_by_weekday_hour(used.values("s", "e"), period=period),
    )
