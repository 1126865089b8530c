"""Excel round trip of an application, laid out like seed 004 (資料4-①②③): the download.

Download: the hub's menus (4-①), each active hospital's menus (4-②) and the meeting
structure (4-③), pre-filled, with a hidden sheet naming the application and each row's line.
The upload (read_workbook) is subsidies.applications.excel_read, the layout both share
subsidies.applications.excel_layout; this module is the one callers import (views, tests),
so it names all three."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from subsidies.applications import reading
from subsidies.applications.excel_counts import write_counts_sheet
from subsidies.applications.excel_layout import (
    COL,
    FIRST_EXPENSE_COL,
    FIRST_ROW,
    HEADER_ROW,
    HOSPITAL_SHEET,
    HUB_SHEET,
    MARKER,
    MEETING_CELLS,
    MEETING_SHEET,
    MEETING_START_YEARS,
    META_SHEET,
    applicable_columns,
    cap_thousands,
    counts_form,
    expense_categories,
    headers_for,
    line_sheets,
)
from subsidies.applications.excel_read import (
    UPLOAD_MAX_BYTES,
    plan_from_json,
    read_workbook,
)
from subsidies.applications.excel_reference import (
    LINE_HEIGHT,
    wrapped_lines,
    write_reference_sheets,
)
from subsidies.applications.plan_data import start_year_label
from zaitaku_portal.exports import write_cell, write_formula
from zaitaku_portal.spreadsheets import YEN_FORMAT, set_up_printing
from zaitaku_portal.wareki import fiscal_year_label

__all__ = [  # the layout and the upload, named here for the callers of this module
    "COL",
    "FIRST_EXPENSE_COL",
    "FIRST_ROW",
    "HEADER_ROW",
    "HOSPITAL_SHEET",
    "HUB_SHEET",
    "MARKER",
    "MEETING_CELLS",
    "MEETING_SHEET",
    "META_SHEET",
    "UPLOAD_MAX_BYTES",
    "export_workbook",
    "get_column_letter",
    "plan_from_json",
    "read_workbook",
]

GREY = PatternFill("solid", fgColor="D9D9D9")
INPUT = PatternFill("solid", fgColor="FFF2CC")


def _sheet_rows(application):
    """[(sheet name, line)] in the order the workbook lists them (the hospitals' lines only
    where the year's form 4-② is lines)."""
    sheets = line_sheets(application)
    rows = []
    for line in reading.lines_of(application):
        sheet_name = HOSPITAL_SHEET if line.designation_id else HUB_SHEET
        if sheet_name in sheets:
            rows.append((sheet_name, line))
    return rows


# --- download ------------------------------------------------------------------------------


def export_workbook(application) -> bytes:
    """Every value goes in through write_cell (zaitaku_portal.exports): a text a user typed
    is a text cell whatever it starts with (=, +, -, @), read back by the upload as typed. The
    only formulas are the totals the portal writes itself (_write_total)."""
    view = reading.plan_view(application)
    all_categories = expense_categories()
    sheets = line_sheets(application)  # 4-①, and 4-② as lines unless it is counts
    workbook = Workbook()
    workbook.active.title = HUB_SHEET
    if HOSPITAL_SHEET in sheets:
        workbook.create_sheet(HOSPITAL_SHEET)
    workbook.create_sheet(MEETING_SHEET)
    meta = _write_meta(workbook, application)
    for sheet_name in sheets:
        _write_plan_heading(workbook[sheet_name], application, headers_for(all_categories))
    _write_lines(workbook, meta, application, view, all_categories)
    _write_meeting_sheet(workbook[MEETING_SHEET], view)
    choices = reading.start_year_choices(application.fiscal_year)
    for sheet_name in sheets:
        _add_validations(workbook[sheet_name], len(all_categories), choices)
    for sheet_name in (*sheets, MEETING_SHEET):
        _set_up_printing(workbook[sheet_name], application)
    if counts_form(application):
        write_counts_sheet(workbook, application, view.plan, 1, _page_header(application))
    write_reference_sheets(workbook, application, _page_header(application))
    for sheet_name in (*sheets, MEETING_SHEET):
        protection = workbook[sheet_name].protection
        protection.sheet = True
        protection.formatCells = False
        protection.formatColumns = False
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _put(sheet, row: int, col: int, value):
    cell = sheet.cell(row, col)
    write_cell(cell, value)
    return cell


def _write_meta(workbook, application):
    meta = workbook.create_sheet(META_SHEET)
    meta.sheet_state = "hidden"
    for row, value in enumerate(
        (
            MARKER,
            application.pk,
            application.fiscal_year.year,
            application.hub_id,
            application.version,
        ),
        start=1,
    ):
        _put(meta, row, 1, value)
    return meta


PLAN_TITLES = {
    HUB_SHEET: "在宅医療における連携を担う拠点に取り組み事項予定（資料4-①）",
    HOSPITAL_SHEET: "在宅医療において積極的役割を担う医療機関の取り組み予定（資料4-②）",
}


def _write_plan_heading(sheet, application, headers: list[str]) -> None:
    _put(sheet, 1, 1, PLAN_TITLES[sheet.title]).font = Font(bold=True, size=13)
    _put(sheet, 2, 1, f"【拠点名】{application.hub.name}")
    _put(sheet, 3, 1, f"{fiscal_year_label(application.fiscal_year.year)}　様式ID {application.pk}")
    _put(
        sheet,
        4,
        1,
        "「補助の希望」欄に○、「開始年度」欄に R8〜 のように記入してください。"
        "金額は円単位で、黄色のセルにのみ入力してください（灰色は対象外）。",
    )
    for col, header in enumerate(headers, start=1):
        cell = _put(sheet, HEADER_ROW, col, header)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for col, header in enumerate(headers, start=1):
        sheet.column_dimensions[get_column_letter(col)].width = _width_of(header)
    sheet.freeze_panes = sheet.cell(FIRST_ROW, 3)


# Widths in half-width characters: names and menus as seed 004 has them, amounts up to
# 10,000,000円 (13 wide) with room for the filter of a spreadsheet program.
WIDTHS = {
    "補助事業者": 24,
    "補助事業区分": 36,
    "補助額目安（千円）": 11,
    "上限の単位": 18,
    "補助の希望": 8,
    "取り組み事項": 30,
    "開始年度": 9,
    "受講者数": 8,
    "半日数": 8,
    "月数": 7,
    "交付見込額の備考": 30,
}
AMOUNT_WIDTH = 15


def _width_of(header: str) -> int:
    return WIDTHS.get(header, AMOUNT_WIDTH)


def _write_lines(workbook, meta, application, view, categories) -> None:
    """One row per line on its sheet, and in the hidden sheet which row is which line."""
    next_row = {HUB_SHEET: FIRST_ROW, HOSPITAL_SHEET: FIRST_ROW}
    for meta_row, (sheet_name, line) in enumerate(_sheet_rows(application), start=10):
        sheet = workbook[sheet_name]
        row = next_row[sheet_name]
        next_row[sheet_name] += 1
        key = reading.key_of(line)
        _write_line(sheet, row, line, view.plan["lines"].get(key, {}), application, categories)
        _write_amount(sheet, row, len(categories), view.amounts[key])
        for col, value in enumerate((sheet_name, row, key), start=1):
            _put(meta, meta_row, col, value)


TEXT_HEADERS = ("補助の希望", "取り組み事項", "開始年度")
READ_ONLY_HEADERS = ("補助事業者", "補助事業区分", "補助額目安（千円）", "上限の単位")
WRAPPED_HEADERS = ("補助事業者", "補助事業区分", "上限の単位", "取り組み事項")


def _write_line(sheet, row: int, line, data: dict, application, categories) -> None:
    recipient = line.designation.institution.name if line.designation_id else application.hub.name
    values = {
        "補助事業者": recipient,
        "補助事業区分": line.menu.name,
        "補助額目安（千円）": cap_thousands(line.menu),
        "上限の単位": line.menu.get_cap_unit_display(),
        "補助の希望": "○" if data.get("wish") else None,
        "取り組み事項": data.get("planned_actions") or None,
        "開始年度": start_year_label(data.get("start_year")) or None,
        "受講者数": data.get("trainees"),
        "半日数": data.get("half_days"),
        "月数": data.get("months"),
        "寄付金その他の収入（円）": data.get("other_income") or None,
    }
    applicable = applicable_columns(line, categories)
    lines = 1
    for header, value in values.items():
        cell = _put(sheet, row, COL[header], value)
        if isinstance(value, str) and header in WRAPPED_HEADERS:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            lines = max(lines, wrapped_lines(value, WIDTHS[header]))
        if header == "補助額目安（千円）" and isinstance(value, int | float):
            cell.number_format = "#,##0.###"
        if header in TEXT_HEADERS:
            cell.number_format = "@"  # typed 〇 and R9〜 stay text in Calc and Excel
        elif header == "寄付金その他の収入（円）":
            cell.number_format = YEN_FORMAT
        if header not in READ_ONLY_HEADERS:
            _style_input(cell, COL[header] in applicable)
    for offset, category in enumerate(categories):
        col = FIRST_EXPENSE_COL + offset
        cell = _put(sheet, row, col, data.get("expenses", {}).get(category.code) or None)
        cell.number_format = YEN_FORMAT
        _style_input(cell, col in applicable)
    _write_total(sheet, row, len(categories))
    if lines > 1:  # names and menus wrap, never cut (Calc keeps one line's height otherwise)
        sheet.row_dimensions[row].height = LINE_HEIGHT * min(lines, 12) + 3
    for cell in sheet[row]:  # a wrapped name and its amounts on the same first line
        cell.alignment = Alignment(wrap_text=cell.alignment.wrap_text, vertical="top")


def _write_total(sheet, row: int, category_count: int) -> None:
    """予定経費の合計: the one formula of the workbook, over the row's own expense cells."""
    first = get_column_letter(FIRST_EXPENSE_COL)
    last = get_column_letter(FIRST_EXPENSE_COL + category_count - 1)
    total = sheet.cell(row, FIRST_EXPENSE_COL + category_count)
    write_formula(total, f"=SUM({first}{row}:{last}{row})")
    total.number_format = YEN_FORMAT


def _write_amount(sheet, row: int, category_count: int, amount) -> None:
    """交付見込額 and its note after the total (read-only): a wished line's computed amount,
    0 with the reason for a line without money this year (R9〜, not eligible, no own cap)."""
    col = FIRST_EXPENSE_COL + category_count + 1
    if not amount.wish:
        return
    cell = _put(sheet, row, col, amount.computed_amount)
    cell.number_format = YEN_FORMAT
    _put(sheet, row, col + 1, amount.note or None).alignment = Alignment(wrap_text=True)


def _write_meeting_sheet(sheet, view) -> None:
    _put(sheet, 1, 1, "在宅医療に必要な連携を担う拠点の会議体（資料4-③）").font = Font(
        bold=True, size=13
    )
    sheet.column_dimensions["A"].width = 46  # the longest label is 44 half-width wide
    sheet.column_dimensions["B"].width = 70
    for name, (ref, label) in MEETING_CELLS.items():
        row = int(ref[1:])
        _put(sheet, row, 1, label).font = Font(bold=True)
        value = view.plan.get(name)
        if name in MEETING_START_YEARS:
            value = start_year_label(value) or None
        cell = _put(sheet, row, 2, value)
        _style_input(cell, True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if isinstance(value, str):  # Calc keeps one line's height for a wrapped cell
            lines = value.replace("\r\n", "\n").replace("\r", "\n").count("\n") + 1
            sheet.row_dimensions[row].height = 15 * min(lines, 20) + 3


def _style_input(cell, applicable: bool) -> None:
    cell.fill = INPUT if applicable else GREY
    cell.protection = Protection(locked=not applicable)


# --- what a spreadsheet program checks as a user types, and how it prints -----------------


def _column_range(sheet, col: int) -> str:
    letter = get_column_letter(col)
    return f"{letter}{FIRST_ROW}:{letter}{max(sheet.max_row, FIRST_ROW)}"


def _add_validations(sheet, category_count: int, choices: list[int]) -> None:
    """Drop-down lists for 補助の希望 (○ or blank) and 開始年度 (R8〜 …), whole numbers for
    the counts and yen. The upload still reads and checks every cell itself."""
    wish = DataValidation(type="list", formula1='"○"', allow_blank=True)
    wish.error = "「○」か空欄にしてください。"
    years = ",".join(start_year_label(year) for year in choices)
    start = DataValidation(type="list", formula1=f'"{years}"', allow_blank=True)
    start.error = f"{years.replace(',', '・')}のいずれかを選んでください。"
    counts = DataValidation(type="whole", operator="between", formula1="0", formula2="100000")
    counts.error = "0以上の整数を入力してください。"
    yen = DataValidation(type="whole", operator="between", formula1="0", formula2="10000000000")
    yen.error = "円単位の整数（0以上）を入力してください。"
    for validation in (wish, start, counts, yen):
        validation.errorTitle = "入力できない値です"
        validation.showErrorMessage = True
        sheet.add_data_validation(validation)
    wish.add(_column_range(sheet, COL["補助の希望"]))
    start.add(_column_range(sheet, COL["開始年度"]))
    for header in ("受講者数", "半日数", "月数"):
        counts.add(_column_range(sheet, COL[header]))
    yen.add(_column_range(sheet, COL["寄付金その他の収入（円）"]))
    for offset in range(category_count):
        yen.add(_column_range(sheet, FIRST_EXPENSE_COL + offset))


def _page_header(application) -> str:
    return f"{application.hub.name}　{fiscal_year_label(application.fiscal_year.year)}"


def _set_up_printing(sheet, application) -> None:
    """A4 landscape, one page wide, the header row on every page, the hub and the fiscal
    year in the page header of every printed page (zaitaku_portal.spreadsheets)."""
    header = _page_header(application)
    if sheet.title == MEETING_SHEET:
        set_up_printing(sheet, header)
        return
    set_up_printing(sheet, header, title_rows=f"{HEADER_ROW}:{HEADER_ROW}")
    sheet.row_dimensions[HEADER_ROW].height = 66  # four wrapped lines of the headers
