"""The staff dashboard's tables: what each chart shows, as rows with headings, and the same
table as a CSV or an Excel download. The page and the downloads are built by the same code
from the same figures, so a download's totals are the page's totals."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import Any

import openpyxl

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
