"""The sharing balance per unit (issue 11): hours a unit's resources served other units,
hours its people used of other units' resources, how many units it served, and its members'
no-show rate. A fixed number of queries whatever the data (the rollup, refreshed first, and
the sessions still running: bookings.figures.rolled).

- **shared out**: external hours (bookings.figures.usage) of the unit's resources.
- **used of others**: effective hours of sessions counted for the unit (the booking's unit,
  else the user's) on resources another unit owns.
- **units served**: distinct other units with effective use of the unit's resources.
- **no-show rate**: of the bookings made by the unit (Booking.unit) starting in the period
  that were due and settled (completed or no-show), the share of no-shows.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Q, Sum
from django.utils import timezone

from alliance.access import figures_unit_scope
from alliance.actors import actor_require
from alliance.models import Unit
from bookings.figures import rolled
from bookings.figures.common import EXTERNAL, ratio
from bookings.figures.period import Period


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
    unit manager: their own), by name. AccessDenied for anyone else.

    One query of the rollup (per owning unit and unit served: effective time, sessions,
    bookings settled and missed) and two of the sessions still running."""
    actor_require(actor)
    scope = figures_unit_scope(actor, unit_id)
    now = now or timezone.now()
    units = Unit.objects.order_by("name", "pk")
    if scope is not None:
        units = units.filter(pk=scope)
    units = list(units.values_list("pk", "name"))
    rolled.fresh()
    rows = rolled.unit_days(period)
    live = rolled.running(period, now).filter(EXTERNAL)
    if scope is not None:
        rows = rows.filter(Q(resource__unit_id=scope) | Q(unit_id=scope))
        live = live.filter(Q(resource__unit_id=scope) | Q(user_unit=scope))
    shared: dict[int, list] = defaultdict(lambda: [0, dt.timedelta(0)])
    used: dict[int, list] = defaultdict(lambda: [0, dt.timedelta(0)])
    served: dict[int, set] = defaultdict(set)
    settled: dict[int, list] = defaultdict(lambda: [0, 0])
    for owner, unit, effective, sessions, n, no_shows in (
        rows.values("resource__unit_id", "unit_id")
        .annotate(e=Sum("effective"), s=Sum("sessions"), n=Sum("settled"), x=Sum("no_shows"))
        .values_list("resource__unit_id", "unit_id", "e", "s", "n", "x")
    ):
        settled[unit][0] += n
        settled[unit][1] += no_shows
        if unit != owner:
            shared[owner][0] += effective
            used[unit][0] += effective
            if sessions:
                served[owner].add(unit)
    for owner, unit, within in (
        live.values("resource__unit_id", "user_unit")
        .annotate(h=Sum("within"))
        .values_list("resource__unit_id", "user_unit", "h")
    ):
        shared[owner][1] += within
        used[unit][1] += within
        served[owner].add(unit)
    balance = []
    for pk, name in units:
        n, no_shows = settled.get(pk, (0, 0))
        balance.append(
            UnitBalance(
                unit_id=pk,
                unit_name=name,
                shared_out_hours=rolled.hours_of(*shared.get(pk, (0, None))),
                used_of_others_hours=rolled.hours_of(*used.get(pk, (0, None))),
                units_served=len(served.get(pk, ())),
                bookings_settled=n,
                no_shows=no_shows,
            )
        )
    return balance
