"""Lists as spreadsheets, the way staff expect them in Excel: yen and 和暦 number formats,
a frozen header row, column widths that fit Japanese text, and no cell that Excel would run
as a formula (CSV/formula injection: every value goes through zaitaku_portal.exports, a text
starting with = + - @ is a text cell in xlsx and gets an apostrophe in csv)."""

from __future__ import annotations

import csv
import datetime
import io
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from zaitaku_portal.exports import (  # the one rule for formula injection
    escape_formula,
    write_cell,
)

YEN_FORMAT = '#,##0"円"'
WAREKI_DATE_FORMAT = '[$-ja-JP-x-gannen]ggge"年"m"月"d"日"'
WAREKI_DATETIME_FORMAT = '[$-ja-JP-x-gannen]ggge"年"m"月"d"日" hh:mm'
MAX_WIDTH = 60

Kind = Literal["text", "int", "yen", "date", "datetime"]


@dataclass(frozen=True)
class Column:
    header: str
    kind: Kind = "text"


def display_width(text: str) -> int:
    """Width in half-width cells: Japanese (wide) characters count twice."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


def _cell_value(value: Any, kind: Kind) -> Any:
    if value is None:
        return None
    if kind in ("int", "yen"):
        return int(value)
    if kind == "datetime" and isinstance(value, datetime.datetime):
        from django.utils import timezone

        local = timezone.localtime(value) if timezone.is_aware(value) else value
        return local.replace(tzinfo=None)
    if kind in ("date", "datetime") or _is_number(value):
        return value  # a number in a text column stays a number (-5, not the text "-5")
    return str(value)  # written as a text cell by write_cell, whatever it starts with


def _shown_text(value: Any, kind: Kind) -> str:
    if value is None:
        return ""
    if kind == "yen":
        return f"{int(value):,}円"
    if kind == "date":
        return "令和00年00月00日"
    if kind == "datetime":
        return "令和00年00月00日 00:00"
    return str(value)


NUMBER_FORMATS = {
    "yen": YEN_FORMAT,
    "int": "#,##0",
    "date": WAREKI_DATE_FORMAT,
    "datetime": WAREKI_DATETIME_FORMAT,
}


def write_xlsx(
    sheets: Sequence[tuple[str, Sequence[Column], Iterable[Sequence[Any]]]],
) -> bytes:
    """One workbook, one sheet per (title, columns, rows)."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, columns, rows in sheets:
        sheet = workbook.create_sheet(title=title[:31])
        _write_header(sheet, columns)
        widths = _write_rows(sheet, columns, rows)
        _fit_columns(sheet, columns, widths)
        sheet.freeze_panes = "A2"
        if sheet.max_row > 1:
            sheet.auto_filter.ref = sheet.dimensions
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _write_header(sheet, columns: Sequence[Column]) -> None:
    header_fill = PatternFill("solid", fgColor="DDE5F0")
    for index, column in enumerate(columns, start=1):
        cell = sheet.cell(1, index)
        write_cell(cell, column.header)
        cell.font = Font(bold=True)
        cell.fill = header_fill
        cell.alignment = Alignment(vertical="center", wrap_text=True)


def _write_rows(sheet, columns: Sequence[Column], rows: Iterable[Sequence[Any]]) -> list[int]:
    """Every value through write_cell (the one rule for formula injection); returns the
    widest shown text of each column."""
    widths = [display_width(column.header) for column in columns]
    for row_number, row in enumerate(rows, start=2):
        for index, (value, column) in enumerate(zip(row, columns, strict=True)):
            cell = sheet.cell(row_number, index + 1)
            write_cell(cell, _cell_value(value, column.kind))
            if column.kind in NUMBER_FORMATS:
                cell.number_format = NUMBER_FORMATS[column.kind]
            widths[index] = max(widths[index], display_width(_shown_text(value, column.kind)))
    return widths


def _fit_columns(sheet, columns: Sequence[Column], widths: list[int]) -> None:
    for index in range(1, len(columns) + 1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = min(widths[index - 1] + 2, MAX_WIDTH)


def write_csv(columns: Sequence[Column], rows: Iterable[Sequence[Any]]) -> bytes:
    """CSV with a BOM so Excel opens the Japanese correctly; a text that starts like a
    formula gets an apostrophe (escape_formula), a number stays a number."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([column.header for column in columns])
    for row in rows:
        writer.writerow([_csv_value(v, c.kind) for v, c in zip(row, columns, strict=True)])
    return buffer.getvalue().encode("utf-8-sig")


def _csv_value(value: Any, kind: Kind) -> str:
    if value is None:
        return ""
    if kind in ("int", "yen"):
        return str(int(value))  # a negative amount stays a number
    if kind in ("date", "datetime"):
        return value.isoformat()
    if _is_number(value):
        return str(value)
    return escape_formula(str(value))


def xlsx_response(filename: str, content: bytes):
    return _download(
        filename,
        content,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


def csv_response(filename: str, content: bytes):
    return _download(filename, content, "text/csv; charset=utf-8")


def _download(filename: str, content: bytes, content_type: str):
    from django.http import HttpResponse

    from zaitaku_portal.filenames import content_disposition

    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition(filename)
    return response
