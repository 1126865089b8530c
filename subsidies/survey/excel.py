"""The survey workbook in the seed-004 layout (資料4-①②③): the download, pre-filled with
the hub's answer, input cells yellow and unlocked, drop-downs for ○ and R8〜/R9〜/R10〜, a
hidden sheet naming the year, the hub and each row's menu. The upload is excel_read; this
module is the one the views import and names both."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from subsidies.applications.plan_data import start_year_label
from subsidies.survey.excel_layout import (
    ACTIONS_COL,
    CAP_COL,
    COUNT_COL,
    FIRST_ROW,
    HEADER_ROW,
    HEADERS,
    HOSPITAL_SHEET,
    HUB_SHEET,
    INSTRUCTIONS,
    MARKER,
    MEETING_CELLS,
    MEETING_SHEET,
    META_SHEET,
    NAME_COL,
    OTHER_LABEL,
    START_COL,
    TITLES,
    WISH_COL,
    cap_thousands,
)
from subsidies.survey.excel_read import read_workbook
from subsidies.survey.reading import is_hub_menu, start_year_choices
from zaitaku_portal.spreadsheets import display_width, set_up_printing, write_cell
from zaitaku_portal.wareki import fiscal_year_label

__all__ = ["export_workbook", "read_workbook"]

INPUT = PatternFill("solid", fgColor="FFF2CC")
HEADER = PatternFill("solid", fgColor="DDE5F0")
WRAP = Alignment(wrap_text=True, vertical="top")
WIDTHS = {
    HUB_SHEET: (34, 12, 10, 50, 10),
    HOSPITAL_SHEET: (34, 12, 14, 50),
    MEETING_SHEET: (24, 70),
}


def _put(sheet, row: int, col: int, value, editable: bool = False, wrap: bool = False):
    cell = sheet.cell(row, col)
    write_cell(cell, value)
    if wrap or editable:
        cell.alignment = WRAP
    if editable:
        cell.fill = INPUT
        cell.protection = Protection(locked=False)
    return cell


def export_workbook(fiscal_year, hub, data: dict, menus) -> bytes:
    workbook = Workbook()
    workbook.active.title = HUB_SHEET
    workbook.create_sheet(HOSPITAL_SHEET)
    workbook.create_sheet(MEETING_SHEET)
    meta = workbook.create_sheet(META_SHEET)
    meta.sheet_state = "hidden"
    for row, value in enumerate((MARKER, fiscal_year.year, hub.pk), start=1):
        _put(meta, row, 1, value)
    for name in (HUB_SHEET, HOSPITAL_SHEET, MEETING_SHEET):
        _heading(workbook[name], hub, fiscal_year)
    meta_row = 5
    rows = {HUB_SHEET: FIRST_ROW, HOSPITAL_SHEET: FIRST_ROW}
    for menu in menus:
        sheet = workbook[HUB_SHEET if is_hub_menu(menu) else HOSPITAL_SHEET]
        row = rows[sheet.title]
        _menu_row(sheet, row, menu, data["lines"][menu.code])
        for col, value in enumerate((sheet.title, row, menu.code), start=1):
            _put(meta, meta_row, col, value)
        rows[sheet.title] += 1
        meta_row += 1
    _other_rows(workbook, rows, data)
    _meeting_sheet(workbook[MEETING_SHEET], data)
    _validations(workbook, rows, fiscal_year)
    for name in (HUB_SHEET, HOSPITAL_SHEET, MEETING_SHEET):
        _finish(workbook[name], hub, fiscal_year)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _heading(sheet, hub, fiscal_year) -> None:
    _put(sheet, 1, 1, TITLES[sheet.title]).font = Font(bold=True, size=13)
    _put(sheet, 2, 1, f"【拠点名】{hub.name}　（{fiscal_year_label(fiscal_year.year)} 意向調査）")
    for offset, text in enumerate(INSTRUCTIONS[sheet.title]):
        _put(sheet, 3 + offset, 1, text)
    for col, header in enumerate(HEADERS.get(sheet.title, ()), start=1):
        cell = _put(sheet, HEADER_ROW, col, header, wrap=True)
        cell.font, cell.fill = Font(bold=True), HEADER
    sheet.row_dimensions[HEADER_ROW].height = 30


def _lines_needed(texts: list[tuple[str, int]]) -> int:
    """How many lines the longest of (text, column width) takes when wrapped."""

    def lines(text: str, width: int) -> int:
        return sum(max(1, -(-display_width(part) // width)) for part in text.split("\n"))

    return max((lines(text, width) for text, width in texts if text), default=1)


def _menu_row(sheet, row: int, menu, line: dict) -> None:
    widths = WIDTHS[sheet.title]
    lines = _lines_needed(
        [(menu.name, widths[NAME_COL - 1]), (line["planned_actions"], widths[ACTIONS_COL - 1])]
    )
    sheet.row_dimensions[row].height = 15 * lines + 3
    _put(sheet, row, NAME_COL, menu.name, wrap=True)
    _put(sheet, row, CAP_COL, cap_thousands(menu), wrap=True)
    if sheet.title == HUB_SHEET:
        _put(sheet, row, WISH_COL, "○" if line["wish"] else None, editable=True)
        _put(sheet, row, START_COL, start_year_label(line["start_year"]) or None, editable=True)
    else:
        _put(sheet, row, COUNT_COL, line["hospital_count"], editable=True)
    _put(sheet, row, ACTIONS_COL, line["planned_actions"] or None, editable=True)


def _other_rows(workbook, rows: dict, data: dict) -> None:
    """The row after the menus: その他取り組み事項 (4-① with its start year)."""
    hub_sheet, hospital_sheet = workbook[HUB_SHEET], workbook[HOSPITAL_SHEET]
    _put(hub_sheet, rows[HUB_SHEET], NAME_COL, OTHER_LABEL, wrap=True).font = Font(bold=True)
    _put(hub_sheet, rows[HUB_SHEET], ACTIONS_COL, data["other_actions"] or None, editable=True)
    start = start_year_label(data["other_actions_start_year"]) or None
    _put(hub_sheet, rows[HUB_SHEET], START_COL, start, editable=True)
    other = _put(hospital_sheet, rows[HOSPITAL_SHEET], NAME_COL, OTHER_LABEL, wrap=True)
    other.font = Font(bold=True)
    value = data["hospital_other_actions"] or None
    _put(hospital_sheet, rows[HOSPITAL_SHEET], ACTIONS_COL, value, editable=True)


def _meeting_sheet(sheet, data: dict) -> None:
    for name, reference, label in MEETING_CELLS:
        row = int(reference[1:])
        _put(sheet, row, 1, label, wrap=True).font = Font(bold=True)
        _put(sheet, row, 2, data[name] if data[name] not in ("", None) else None, editable=True)
        sheet.row_dimensions[row].height = 60 if name != "meeting_body_count" else 18


def _validations(workbook, rows: dict, fiscal_year) -> None:
    hub_sheet, hospital_sheet = workbook[HUB_SHEET], workbook[HOSPITAL_SHEET]
    last_hub, last_hospital = rows[HUB_SHEET], rows[HOSPITAL_SHEET] - 1
    wish = DataValidation(type="list", formula1='"○"', allow_blank=True)
    wish.error, wish.errorTitle = "「○」か空欄にしてください。", "補助の希望"
    years = ",".join(start_year_label(y) for y in start_year_choices(fiscal_year))
    start = DataValidation(type="list", formula1=f'"{years}"', allow_blank=True)
    start.error, start.errorTitle = f"{years} のいずれかを選んでください。", "開始年度"
    count = DataValidation(type="whole", operator="between", formula1="0", formula2="999")
    count.allow_blank = True
    count.error, count.errorTitle = "0〜999の整数を入力してください。", "補助希望の医療機関数"
    wish_col, start_col = get_column_letter(WISH_COL), get_column_letter(START_COL)
    wish.add(f"{wish_col}{FIRST_ROW}:{wish_col}{max(last_hub - 1, FIRST_ROW)}")
    start.add(f"{start_col}{FIRST_ROW}:{start_col}{last_hub}")
    count_col = get_column_letter(COUNT_COL)
    count.add(f"{count_col}{FIRST_ROW}:{count_col}{max(last_hospital, FIRST_ROW)}")
    for sheet, validation in ((hub_sheet, wish), (hub_sheet, start), (hospital_sheet, count)):
        sheet.add_data_validation(validation)


def _finish(sheet, hub, fiscal_year) -> None:
    for col, width in enumerate(WIDTHS[sheet.title], start=1):
        sheet.column_dimensions[get_column_letter(col)].width = width
    set_up_printing(
        sheet,
        f"{hub.name} {fiscal_year_label(fiscal_year.year)} 意向調査 {sheet.title}",
        title_rows=f"{HEADER_ROW}:{HEADER_ROW}" if sheet.title in HEADERS else None,
    )
    sheet.protection.sheet = True
    sheet.protection.formatCells = False
    sheet.protection.formatColumns = False
    sheet.protection.formatRows = False
