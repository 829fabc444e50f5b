"""What the staff dashboard shows (issue 11, "Where people see it"), read in one call.

It composes the figures of bookings.figures (which check access with ``actor`` and compute
everything with aggregate queries) for one period, unit and kind, and adds the national
averages each instrument is set against. The web page, its tables and their downloads all
read this, so they show the same numbers.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from alliance.access import figures_unit_scope, member_is_secretariat
from alliance.actors import actor_require
from alliance.models import Unit
from bookings.figures import (
    Period,
    alliance_overview,
    resource_figures,
    unit_balance,
    utilisation_heatmap,
)

if TYPE_CHECKING:
    from bookings.figures import AllianceOverview, Heatmap, ResourceFigures, UnitBalance

#: The national open-sharing assessment's averages per instrument and year in its latest
#: round (2025): effective working hours (有效工作机时) and hours served outside the owning
#: unit (对外服务机时).
NATIONAL_ROUND = 2025
NATIONAL_EFFECTIVE_HOURS = 1599
NATIONAL_EXTERNAL_HOURS = 273


def national_average_hours(*, yearly: float, period: Period) -> float:
    """A yearly national average scaled to the period's length (in days of a 365-day year)."""
    return round(yearly * period.days / 365, 1)


@dataclass
class Dashboard:
    period: Period
    unit_id: int | None  # the unit the figures are narrowed to; None for the whole alliance
    kind: str | None
    units: list[tuple[int, str]]  # what the secretariat may narrow to; empty for a manager
    heatmap: Heatmap
    overview: AllianceOverview
    resources: list[ResourceFigures] = field(default_factory=list)
    balance: list[UnitBalance] = field(default_factory=list)
    national_effective_hours: float = 0.0
    national_external_hours: float = 0.0


def dashboard_get(
    *,
    actor,
    period: Period,
    unit_id: int | None = None,
    kind: str | None = None,
    now: dt.datetime | None = None,
) -> Dashboard:
    """The dashboard of the units the actor may read: the secretariat the whole alliance (or
    ``unit_id``), a unit manager their own unit. AccessDenied for anyone else, and for a
    manager asking for another unit."""
    actor_require(actor)
    scope = figures_unit_scope(actor, unit_id)
    units = []
    if member_is_secretariat(actor):
        units = list(Unit.objects.order_by("name", "pk").values_list("pk", "name"))
    return Dashboard(
        period=period,
        unit_id=scope,
        kind=kind,
        units=units,
        heatmap=utilisation_heatmap(actor=actor, period=period, unit_id=scope, kind=kind, now=now),
        overview=alliance_overview(actor=actor, period=period, unit_id=scope, kind=kind, now=now),
        resources=resource_figures(actor=actor, period=period, unit_id=scope, kind=kind, now=now),
        balance=unit_balance(actor=actor, period=period, unit_id=scope, now=now),
        national_effective_hours=national_average_hours(
            yearly=NATIONAL_EFFECTIVE_HOURS, period=period
        ),
        national_external_hours=national_average_hours(
            yearly=NATIONAL_EXTERNAL_HOURS, period=period
        ),
    )
