"""Excel workbooks to download (the assessment, the duplicate-purchase check): rows appended
as values only, never as formulas.

openpyxl stores a string that starts with ``=`` as a formula, so a member who names an
instrument ``=HYPERLINK(...)`` would have the spreadsheet run it when the secretariat opens
the export. :class:`SheetWriter` writes every string as text.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import Any

from openpyxl.cell.cell import Cell
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
BOLD = Font(bold=True)


class SheetWriter:
    """Writes a sheet row by row: strings stay text (never a formula), ``bold`` for headings
    and totals, :meth:`skip` leaves a blank row."""

    def __init__(self, sheet: Worksheet) -> None:
        self.sheet = sheet
        self.row = 0

    def append(self, values: Iterable[Any], *, bold: bool = False) -> list[Cell]:
        self.row += 1
        cells = []
        for column, value in enumerate(values, start=1):
            cell = self.sheet.cell(row=self.row, column=column, value=value)
            if isinstance(value, str):
                cell.data_type = "s"
            if bold:
                cell.font = BOLD
            cells.append(cell)
        return cells

    def skip(self) -> None:
        self.row += 1


def column_widths(sheet: Worksheet, widths: Iterable[int]) -> None:
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[sheet.cell(1, index).column_letter].width = width


def workbook_bytes(workbook: Any) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
