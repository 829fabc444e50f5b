"""The staff dashboard's tables: what each chart shows, as rows with headings, and the same
table as a CSV or an Excel download. The page and the downloads are built by the same code
from the same figures, so a download's totals are the page's totals."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import openpyxl
from django.utils.translation import pgettext

from bookings.selectors_dashboard import (
    NATIONAL_EFFECTIVE_HOURS,
    NATIONAL_EXTERNAL_HOURS,
    NATIONAL_ROUND,
)
from resources.models import ResourceKind

if TYPE_CHECKING:
    from bookings.selectors_dashboard import Dashboard

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Column:
    heading: str
    numeric: bool = True


@dataclass
class Table:
    """One chart's table: ``key`` names it in URLs and file names."""

    key: str
    title: str
    columns: list[Column]
    rows: list[list[Any]] = field(default_factory=list)
    totals: list[Any] | None = None  # the footer row, the first cell its label

    @property
    def headings(self) -> list[str]:
        return [column.heading for column in self.columns]

    def _cells(self, row: list[Any]) -> list[tuple[Any, bool]]:
        return [(value, column.numeric) for value, column in zip(row, self.columns, strict=True)]

    @property
    def body(self) -> list[list[tuple[Any, bool]]]:
        """The rows for the page: each cell as (value, numeric)."""
        return [self._cells(row) for row in self.rows]

    @property
    def footer(self) -> list[tuple[Any, bool]]:
        return self._cells(self.totals) if self.totals is not None else []

    def lines(self) -> list[list[Any]]:
        """Rows then the totals row, as a download lists them."""
        return [*self.rows, *([self.totals] if self.totals is not None else [])]


def table_csv(table: Table) -> bytes:
    """UTF-8 with a byte-order mark, so that Excel opens the Chinese headings right."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(table.headings)
    for line in table.lines():
        writer.writerow(["" if value is None else value for value in line])
    return buffer.getvalue().encode("utf-8-sig")


def table_workbook(table: Table) -> bytes:
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet(table.title[:31])
    sheet.append(table.headings)
    for line in table.lines():
        sheet.append(line)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- The dashboard's tables and charts ----------------------------------------------------


@dataclass
class Section:
    """One chart and its table: ``chart`` is the JSON dashboard.js draws."""

    table: Table
    chart: dict[str, Any]
    note: str = ""
    tall: bool = False

    @property
    def chart_id(self) -> str:
        return f"chart-{self.table.key}"


def _percent(value: float | None) -> str:
    return "" if value is None else f"{value * 100:.1f}%"


def _sum(values: list[float]) -> float:
    return round(sum(values), 2)


def balance_section(dashboard: Dashboard) -> Section:
    rows = dashboard.balance
    table = Table(
        key="balance",
        title=pgettext("dashboard", "Sharing balance by unit"),
        columns=[
            Column(pgettext("dashboard", "Unit"), numeric=False),
            Column(pgettext("dashboard", "Hours shared out")),
            Column(pgettext("dashboard", "Hours used of other units")),
            Column(pgettext("dashboard", "Balance (hours)")),
            Column(pgettext("dashboard", "Units served")),
            Column(pgettext("dashboard", "No-show rate"), numeric=False),
        ],
        rows=[
            [
                row.unit_name,
                row.shared_out_hours,
                row.used_of_others_hours,
                row.balance_hours,
                row.units_served,
                _percent(row.no_show_rate),
            ]
            for row in rows
        ],
        totals=[
            pgettext("dashboard", "Total"),
            _sum([row.shared_out_hours for row in rows]),
            _sum([row.used_of_others_hours for row in rows]),
            _sum([row.balance_hours for row in rows]),
            sum(row.units_served for row in rows),
            "",
        ],
    )
    chart = {
        "type": "bar",
        "unit": pgettext("dashboard", "hours"),
        "categories": [row.unit_name for row in rows],
        "series": [
            {
                "name": pgettext("dashboard", "Hours shared out"),
                "data": [row.shared_out_hours for row in rows],
            },
            {
                "name": pgettext("dashboard", "Hours used of other units"),
                "data": [row.used_of_others_hours for row in rows],
            },
        ],
    }
    return Section(
        table=table,
        chart=chart,
        note=pgettext("dashboard", "Recorded use; the kind filter does not apply."),
    )


def instruments_section(dashboard: Dashboard) -> Section:
    rows = [row for row in dashboard.resources if row.kind == ResourceKind.EQUIPMENT]
    effective, external = dashboard.national_effective_hours, dashboard.national_external_hours
    table = Table(
        key="instruments",
        title=pgettext("dashboard", "Instruments against the national averages"),
        columns=[
            Column(pgettext("dashboard", "Instrument"), numeric=False),
            Column(pgettext("dashboard", "Unit"), numeric=False),
            Column(pgettext("dashboard", "Effective hours")),
            Column(pgettext("dashboard", "External service hours")),
            Column(pgettext("dashboard", "National average effective hours")),
            Column(pgettext("dashboard", "National average external hours")),
            Column(pgettext("dashboard", "Effective hours against the average"), numeric=False),
        ],
        rows=[
            [
                row.name,
                row.unit_name,
                row.effective_hours,
                row.external_hours,
                effective,
                external,
                _percent(row.effective_hours / effective if effective else None),
            ]
            for row in rows
        ],
        totals=[
            pgettext("dashboard", "Total"),
            "",
            _sum([row.effective_hours for row in rows]),
            _sum([row.external_hours for row in rows]),
            "",
            "",
            "",
        ],
    )
    chart = {
        "type": "bar",
        "unit": pgettext("dashboard", "hours"),
        "categories": [row.name for row in rows],
        "series": [
            {
                "name": pgettext("dashboard", "Effective hours"),
                "data": [row.effective_hours for row in rows],
                "mark": effective,
                "markName": pgettext("dashboard", "National average"),
            },
            {
                "name": pgettext("dashboard", "External service hours"),
                "data": [row.external_hours for row in rows],
                "mark": external,
                "markName": pgettext("dashboard", "National average"),
            },
        ],
    }
    note = pgettext(
        "dashboard",
        "National averages of the %(year)s round (%(effective)s effective and %(external)s "
        "external hours a year), scaled to the %(days)s days of the period.",
    ) % {
        "year": NATIONAL_ROUND,
        "effective": f"{NATIONAL_EFFECTIVE_HOURS:,}",
        "external": NATIONAL_EXTERNAL_HOURS,
        "days": dashboard.period.days,
    }
    return Section(table=table, chart=chart, note=note, tall=len(rows) > 6)


def _weekdays() -> list[str]:
    return [
        pgettext("dashboard", "Monday"),
        pgettext("dashboard", "Tuesday"),
        pgettext("dashboard", "Wednesday"),
        pgettext("dashboard", "Thursday"),
        pgettext("dashboard", "Friday"),
        pgettext("dashboard", "Saturday"),
        pgettext("dashboard", "Sunday"),
    ]


def heatmap_section(dashboard: Dashboard) -> Section:
    """Used hours (recorded use) in each local hour of the week, summed over the period."""
    grid = dashboard.heatmap.used
    hours = [f"{hour:02d}:00" for hour in range(24)]
    weekdays = _weekdays()
    table = Table(
        key="heatmap",
        title=pgettext("dashboard", "Use by weekday and hour"),
        columns=[
            Column(pgettext("dashboard", "Weekday"), numeric=False),
            *(Column(h) for h in hours),
            Column(pgettext("dashboard", "Total")),
        ],
        rows=[[weekdays[day], *grid[day], _sum(grid[day])] for day in range(7)],
        totals=[
            pgettext("dashboard", "Total"),
            *(_sum([grid[day][hour] for day in range(7)]) for hour in range(24)),
            _sum([_sum(grid[day]) for day in range(7)]),
        ],
    )
    chart = {
        "type": "heatmap",
        "name": pgettext("dashboard", "Used hours"),
        "x": hours,
        "y": weekdays,
        "data": [[hour, day, grid[day][hour]] for day in range(7) for hour in range(24)],
        "max": max((value for row in grid for value in row), default=0),
    }
    note = pgettext(
        "dashboard",
        "Hours of recorded use in each hour of the week (Beijing time), over the period.",
    )
    return Section(table=table, chart=chart, note=note)


def trend_section(dashboard: Dashboard) -> Section:
    months = dashboard.overview.trend
    table = Table(
        key="trend",
        title=pgettext("dashboard", "Trend by month"),
        columns=[
            Column(pgettext("dashboard", "Month"), numeric=False),
            Column(pgettext("dashboard", "Booked hours")),
            Column(pgettext("dashboard", "Used hours")),
        ],
        rows=[[m.month.strftime("%Y-%m"), m.booked_hours, m.used_hours] for m in months],
        totals=[
            pgettext("dashboard", "Total"),
            _sum([m.booked_hours for m in months]),
            _sum([m.used_hours for m in months]),
        ],
    )
    chart = {
        "type": "line",
        "unit": pgettext("dashboard", "hours"),
        "categories": [m.month.strftime("%Y-%m") for m in months],
        "series": [
            {
                "name": pgettext("dashboard", "Booked hours"),
                "data": [m.booked_hours for m in months],
            },
            {"name": pgettext("dashboard", "Used hours"), "data": [m.used_hours for m in months]},
        ],
    }
    return Section(table=table, chart=chart)


def dashboard_sections(dashboard: Dashboard) -> list[Section]:
    return [
        heatmap_section(dashboard),
        balance_section(dashboard),
        trend_section(dashboard),
        instruments_section(dashboard),
    ]


TABLE_KEYS = ("heatmap", "balance", "trend", "instruments")
