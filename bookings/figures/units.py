"""The sharing balance per unit (issue 11): hours a unit's resources served other units,
hours its people used of other units' resources, how many units it served, and its members'
no-show rate. Four queries whatever the data.

- **shared out**: external hours (bookings.figures.usage) of the unit's resources.
- **used of others**: effective hours of sessions counted for the unit (the booking's unit,
  else the user's) on resources another unit owns.
- **units served**: distinct other units with effective use of the unit's resources.
- **no-show rate**: of the bookings made by the unit (Booking.unit) starting in the period
  that were due and settled (completed or no-show), the share of no-shows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q, Sum
from django.utils import timezone

from alliance.access import figures_unit_scope
from alliance.actors import actor_require
from alliance.models import Unit
from bookings.figures.common import hours, ratio
from bookings.figures.period import Period
from bookings.figures.usage import EXTERNAL, sessions_in_period
from bookings.models import Booking, BookingStatus


@dataclass(frozen=True)
class UnitBalance:
    unit_id: int
    unit_name: str
    shared_out_hours: float
    used_of_others_hours: float
    units_served: int
    bookings_settled: int
    no_shows: int

    @property
    def balance_hours(self) -> float:
        """Shared out less used of others: positive for a net provider."""
        return round(self.shared_out_hours - self.used_of_others_hours, 2)

    @property
    def no_show_rate(self) -> float | None:
        return ratio(self.no_shows, self.bookings_settled)


def unit_balance(
    *, actor, period: Period, unit_id: int | None = None, now: dt.datetime | None = None
) -> list[UnitBalance]:
    """One row per unit the actor may read (the secretariat: every unit, or ``unit_id``; a
    unit manager: their own), by name. AccessDenied for anyone else."""
    actor_require(actor)
    scope = figures_unit_scope(actor, unit_id)
    now = now or timezone.now()
    units = Unit.objects.order_by("name", "pk")
    if scope is not None:
        units = units.filter(pk=scope)
    units = list(units.values_list("pk", "name"))
    sessions = sessions_in_period(period=period, now=now).filter(EXTERNAL)
    shared = sessions.values("resource__unit_id").annotate(
        h=Sum("within"), served=Count("user_unit", distinct=True)
    )
    used = sessions.values("user_unit").annotate(h=Sum("within"))
    settled = Booking.objects.order_by().filter(
        start__gte=period.start,
        start__lt=period.end,
        status__in=(BookingStatus.COMPLETED, BookingStatus.NO_SHOW),
    )
    if scope is not None:
        shared = shared.filter(resource__unit_id=scope)
        used = used.filter(user_unit=scope)
        settled = settled.filter(unit_id=scope)
    shared_by = {row["resource__unit_id"]: (row["h"], row["served"]) for row in shared.order_by()}
    used_by = {row["user_unit"]: row["h"] for row in used.order_by()}
    settled_by = {
        row["unit_id"]: (row["n"], row["no_shows"])
        for row in settled.values("unit_id").annotate(
            n=Count("pk"), no_shows=Count("pk", filter=Q(status=BookingStatus.NO_SHOW))
        )
    }
    rows = []
    for pk, name in units:
        shared_h, served = shared_by.get(pk, (None, 0))
        n, no_shows = settled_by.get(pk, (0, 0))
        rows.append(
            UnitBalance(
                unit_id=pk,
                unit_name=name,
                shared_out_hours=hours(shared_h),
                used_of_others_hours=hours(used_by.get(pk)),
                units_served=served,
                bookings_settled=n,
                no_shows=no_shows,
            )
        )
    return rows
