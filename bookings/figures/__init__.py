"""Statistics of the alliance (issue 11): what is open, booked and used, the sharing
balance between units, the alliance-wide overview, the weekly heat map and the public
summary. Every figure is an aggregate query in the database (docs/figures.md defines them).

The public interface (other features build on it; keep the signatures stable):
``Period``/``period_parse``, ``resource_figures``, ``usage_hours`` (the one primitive for
recorded-use hours), ``unit_balance``, ``alliance_overview``, ``utilisation_heatmap``,
``public_summary``.
"""

from bookings.figures.per_resource import ResourceFigures, UnitHours, resource_figures
from bookings.figures.period import PERIOD_MAX_DAYS, Period, period_parse
from bookings.figures.units import UnitBalance, unit_balance
from bookings.figures.usage import UsageHours, usage_hours

__all__ = [
    "PERIOD_MAX_DAYS",
    "Period",
    "ResourceFigures",
    "UnitBalance",
    "UnitHours",
    "UsageHours",
    "period_parse",
    "resource_figures",
    "unit_balance",
    "usage_hours",
]
