"""Lists as spreadsheets, the way staff expect them in Excel: yen and 和暦 number formats,
a frozen header row, column widths that fit Japanese text, and the one rule for formula
injection, which every writer of the portal uses (zaitaku_portal.exports names it too).

A text that starts with = + - @ (or a tab or carriage return) is run by Excel as a formula;
a name typed by a user must never run as one (CSV/formula injection, OWASP):

- xlsx (write_cell): a text is a string cell (t="inlineStr"), never a formula, holding the
  text exactly as typed, so Excel shows =1+1 and an upload reads back =1+1, not '=1+1
  (issue 23). The portal's own formulas are written with write_formula, on purpose.
- csv (escape_formula): a csv cell has no type, so such a text gets an apostrophe, which
  unescape_formula takes off again on import.

Numbers and dates are never touched: -5 stays a number."""

from __future__ import annotations

import csv
import datetime
import io
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# --- the rule for formula injection ----------------------------------------------------------


def looks_like_formula(value) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_PREFIXES)


def escape_formula(value):
    """For csv. A text that already starts with apostrophes before such a character gets one
    more too, so unescape_formula gives back exactly the text: '=1 → ''=1 → '=1."""
    if isinstance(value, str) and looks_like_formula(value.lstrip("'")):
        return "'" + value
    return value


# ECMA-376 ST_Xstring: a character XML cannot carry (CR would come back as LF) is written
# _xHHHH_, as Excel does; a literal _xHHHH_ in the text is written _x005F_xHHHH_.
_XSTRING_UNSAFE = re.compile(r"_(?=x[0-9A-Fa-f]{4}_)|[\x00-\x08\x0b\x0c\r\x0e-\x1f]")
_XSTRING_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")


def xlsx_text(text: str) -> str:
    return _XSTRING_UNSAFE.sub(lambda m: f"_x{ord(m.group()):04X}_", text)


def text_from_xlsx(value):
    """Undo xlsx_text (and Excel's own _x000D_) on a value read with openpyxl."""
    if not isinstance(value, str):
        return value
    return _XSTRING_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), value)


def write_cell(cell, value) -> None:
    """Every value a portal workbook holds goes in this way. A text is a string cell whatever
    it starts with (never a formula, nor an error value like #N/A); one that starts like a
    formula also gets quotePrefix, so editing it in Excel keeps it text. Nothing is added to
    the text itself: the round trip gives it back as typed."""
    if not isinstance(value, str):
        cell.value = value
        return
    cell.value = xlsx_text(value)
    cell.data_type = "s"
    if looks_like_formula(value):
        cell.quotePrefix = True


def write_formula(cell, formula: str) -> None:
    """A formula the portal writes on purpose (a total over its own cells), never user text."""
    if not formula.startswith("="):
        raise ValueError(f"not a formula: {formula!r}")
    cell.value = formula


def unescape_formula(value):
    """Undo escape_formula on import, so an exported sheet imports back unchanged."""
    if isinstance(value, str) and value.startswith("'") and looks_like_formula(value.lstrip("'")):
        return value[1:]
    return value


# --- the house style ---------------------------------------------------------------------------

YEN_FORMAT = '#,##0"円";"△"#,##0"円"'  # negative with △ (public accounts)
# [$-411] (Japanese, LCID 0x411) with ggge: Excel's own Japanese-era format, which Calc also
# renders as 令和8年5月1日 ([$-ja-JP-x-gannen] shows a serial number in Calc; issue 23).
WAREKI_DATE_FORMAT = '[$-411]ggge"年"m"月"d"日"'
WAREKI_DATETIME_FORMAT = '[$-411]ggge"年"m"月"d"日" hh:mm'
MAX_WIDTH = 60

Kind = Literal["text", "int", "yen", "date", "datetime"]


@dataclass(frozen=True)
class Column:
    """`number_format` overrides the kind's format for a number column: a count shown with its
    unit (PLACES_FORMAT: 2 → 「2か所」, 0 → 「未設置」) stays a number a user can sum."""

    header: str
    kind: Kind = "text"
    number_format: str | None = None


def count_format(unit: str, zero: str | None = None) -> str:
    """`#,##0"か所"`: a whole number shown with its unit; `zero` is what 0 shows instead."""
    shown = f'#,##0"{unit}"'
    return f'{shown};-{shown};"{zero}"' if zero else shown


PLACES_FORMAT = count_format("か所", zero="未設置")


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


def _shown_text(value: Any, column: Column) -> str:
    kind = column.kind
    if value is None:
        return ""
    if column.number_format and _is_number(value):
        return f"{int(value):,}〇〇〇"  # room for a unit or a zero text of three characters
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
    page_header: str = "",
) -> bytes:
    """One workbook, one sheet per (title, columns, rows); printed A4 landscape one page
    wide, the header row on every page and page_header (the hub and fiscal year, where the
    list has one) or the sheet's title at the top of every page."""
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
        set_up_printing(sheet, page_header or title, title_rows="1:1")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def set_up_printing(sheet, page_header: str, title_rows: str | None = None) -> None:
    """A4 landscape fitted to one page wide, the print area the written cells, title_rows
    repeated on every page and page_header (with the page number below) on every page."""
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = sheet.ORIENTATION_LANDSCAPE
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_area = f"A1:{get_column_letter(sheet.max_column)}{sheet.max_row}"
    if title_rows:
        sheet.print_title_rows = title_rows
    sheet.oddHeader.center.text = page_header.replace("&", "&&")
    sheet.oddFooter.center.text = "&P / &N"


def _write_header(sheet, columns: Sequence[Column]) -> None:
    header_fill = PatternFill("solid", fgColor="DDE5F0")
    for index, column in enumerate(columns, start=1):
        cell = sheet.cell(1, index)
        write_cell(cell, column.header)
        cell.font = Font(bold=True)
        cell.fill = header_fill
        cell.alignment = Alignment(vertical="center", wrap_text=True)
    # tall enough for a header wrapped to two lines (Calc keeps one line's height otherwise)
    sheet.row_dimensions[1].height = 36


def _write_rows(sheet, columns: Sequence[Column], rows: Iterable[Sequence[Any]]) -> list[int]:
    """Every value through write_cell (the one rule for formula injection); returns the
    widest shown text of each column."""
    widths = [display_width(column.header) for column in columns]
    for row_number, row in enumerate(rows, start=2):
        for index, (value, column) in enumerate(zip(row, columns, strict=True)):
            cell = sheet.cell(row_number, index + 1)
            write_cell(cell, _cell_value(value, column.kind))
            if column.number_format and _is_number(value):
                cell.number_format = column.number_format
            elif column.kind in NUMBER_FORMATS:
                cell.number_format = NUMBER_FORMATS[column.kind]
            shown = _shown_text(value, column)
            widths[index] = max(widths[index], display_width(shown))
            _wrap_if_long(sheet, cell, shown)
    return widths


LINE_HEIGHT = 15  # points per line of 11-point text


def _wrap_if_long(sheet, cell, shown: str) -> None:
    """A text wider than MAX_WIDTH (a formula of 計算の過程, a long reason) or on several
    lines wraps inside its column, on a row tall enough for it: Calc keeps one line's height
    for a row that does not say its own, and a text running past the last column is cut off
    at the edge of the printed page (issue 23)."""
    needed = sum(max(1, -(-display_width(line) // (MAX_WIDTH - 1))) for line in shown.split("\n"))
    if needed <= 1:
        return
    cell.alignment = Alignment(wrap_text=True, vertical="top")
    dimension = sheet.row_dimensions[cell.row]
    dimension.height = max(dimension.height or 0, LINE_HEIGHT * min(needed, 20) + 3)


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
    return _download(filename, content, XLSX_TYPE)


def csv_response(filename: str, content: bytes):
    return _download(filename, content, "text/csv; charset=utf-8")


def _download(filename: str, content: bytes, content_type: str):
    from django.http import HttpResponse

    from zaitaku_portal.filenames import content_disposition

    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition(filename)
    return response
