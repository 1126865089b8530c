"""Form 4-② as seed 004 lays it out, in the plan workbook when the fiscal year's form 4-② is
counts (hospital_counts.py): one row per hospital menu with its cap, and two input cells,
補助希望の医療機関数 (a whole number, shown 「3か所」) and 取り組み事項. The hub's answer for
its area; the hospitals' own lines are not in the workbook then.

Read back like the other sheets: the menu names and caps as downloaded (a moved or added row
is refused with its cell), a count through parse_count (全角 and 「3か所」 read with a note),
the text with line ends normalised, so an untouched download reads back as no change."""

from __future__ import annotations

from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.worksheet.datavalidation import DataValidation

from subsidies.applications import hospital_counts
from subsidies.applications.excel_cells import _text, keep_if_same, parse_count
from subsidies.applications.excel_layout import COUNTS_SHEET, ReadResult, cap_thousands
from zaitaku_portal.exports import write_cell
from zaitaku_portal.spreadsheets import count_format, set_up_printing

HEADER_ROW = 6
FIRST_ROW = 7
HEADERS = [
    "補助事業区分",
    "補助額目安（千円）",
    "上限の単位",
    "補助希望の医療機関数",
    "取り組み事項",
]
WIDTHS = [40, 11, 22, 12, 50]
COUNT_COL, ACTIONS_COL = 4, 5
TITLE = "積極的役割を担う医療機関の補助メニュー案（資料4-②）"
INSTRUCTIONS = (
    "・「補助希望の医療機関数」欄：各拠点において圏域内の積極的医療機関に確認のうえ"
    "{year}に実施希望のある医療機関数を入力してください。",
    "・「取り組み事項」欄：補助を活用し取り組む事項を記入してください。",
)
INPUT = PatternFill("solid", fgColor="FFF2CC")
LINE_HEIGHT = 15


def _put(sheet, row: int, col: int, value):
    cell = sheet.cell(row, col)
    write_cell(cell, value)
    return cell


def write_counts_sheet(workbook, application, plan: dict, index: int, page_header: str) -> None:
    from zaitaku_portal.wareki import fiscal_year_label

    sheet = workbook.create_sheet(COUNTS_SHEET, index)
    _put(sheet, 1, 1, TITLE).font = Font(bold=True, size=13)
    _put(sheet, 2, 1, f"【拠点名】{application.hub.name}")
    year = fiscal_year_label(application.fiscal_year.year)
    for row, text in enumerate(INSTRUCTIONS, start=3):
        _put(sheet, row, 1, text.format(year=year))
    for col, (header, width) in enumerate(zip(HEADERS, WIDTHS, strict=True), start=1):
        cell = _put(sheet, HEADER_ROW, col, header)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        sheet.column_dimensions[cell.column_letter].width = width
    answers = plan.get(hospital_counts.HOSPITAL_MENUS, {})
    menus = list(hospital_counts.hospital_menus(application.fiscal_year))
    for row, menu in enumerate(menus, start=FIRST_ROW):
        _write_row(sheet, row, menu, answers.get(menu.code, {}))
    _add_validation(sheet, len(menus))
    set_up_printing(sheet, page_header, title_rows=f"{HEADER_ROW}:{HEADER_ROW}")
    sheet.row_dimensions[HEADER_ROW].height = 36
    sheet.protection.sheet = True
    sheet.protection.formatCells = False
    sheet.protection.formatColumns = False


def _write_row(sheet, row: int, menu, answer: dict) -> None:
    from subsidies.applications.excel_reference import wrapped_lines

    _put(sheet, row, 1, menu.name)
    _put(sheet, row, 2, cap_thousands(menu)).number_format = "#,##0.###"
    _put(sheet, row, 3, menu.get_cap_unit_display())
    count = _put(sheet, row, COUNT_COL, answer.get("hospital_count"))
    count.number_format = count_format("か所")
    actions = _put(sheet, row, ACTIONS_COL, answer.get("planned_actions") or None)
    actions.number_format = "@"  # a typed 〇 or 1-2 stays text
    lines = max(wrapped_lines(menu.name, WIDTHS[0]), wrapped_lines(actions.value or "", WIDTHS[4]))
    for cell in sheet[row]:
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for cell in (count, actions):
        cell.fill = INPUT
        cell.protection = Protection(locked=False)
    if lines > 1:
        sheet.row_dimensions[row].height = LINE_HEIGHT * min(lines, 12) + 3


def _add_validation(sheet, menu_count: int) -> None:
    counts = DataValidation(type="whole", operator="between", formula1="0", formula2="9999")
    counts.error = "医療機関数は0以上の整数で入力してください。"
    counts.errorTitle = "入力できない値です"
    counts.showErrorMessage = True
    sheet.add_data_validation(counts)
    letter = sheet.cell(1, COUNT_COL).column_letter
    counts.add(f"{letter}{FIRST_ROW}:{letter}{FIRST_ROW + max(menu_count, 1) - 1}")


def read_counts_sheet(workbook, application, plan: dict, result: ReadResult) -> None:
    """Each hospital menu's row into plan["hospital_menus"]; refuses a moved or added row."""
    if COUNTS_SHEET not in workbook.sheetnames:
        result.errors.append(
            f"シート「{COUNTS_SHEET}」がありません。この画面からダウンロードした様式を使ってください。"
        )
        return
    sheet = workbook[COUNTS_SHEET]
    answers = plan.setdefault(hospital_counts.HOSPITAL_MENUS, {})
    menus = list(hospital_counts.hospital_menus(application.fiscal_year))
    for row, menu in enumerate(menus, start=FIRST_ROW):
        if not _same_menu(sheet, row, menu, result):
            return
        answer = answers.setdefault(menu.code, {"hospital_count": None, "planned_actions": ""})
        where = f"シート「{COUNTS_SHEET}」セル"
        answer["hospital_count"] = parse_count(
            sheet.cell(row, COUNT_COL).value,
            f"{where}{sheet.cell(row, COUNT_COL).coordinate}",
            "補助希望の医療機関数",
            result,
        )
        cell = sheet.cell(row, ACTIONS_COL)
        text = _text(cell, f"{where}{cell.coordinate}", "取り組み事項", result)
        if text is not None:
            answer["planned_actions"] = keep_if_same(answer.get("planned_actions"), text)
    _refuse_added_rows(sheet, FIRST_ROW + len(menus), result)


def _same_menu(sheet, row: int, menu, result: ReadResult) -> bool:
    name = sheet.cell(row, 1).value
    cap = sheet.cell(row, 2).value
    if name == menu.name and cap == cap_thousands(menu):
        return True
    result.errors.append(
        f"シート「{COUNTS_SHEET}」{row}行目の補助事業区分・補助額目安が様式の値"
        f"（「{menu.name}」）から変わっています（「{name or '空欄'}」）。"
        "行の移動・追加はできません。ダウンロードし直してください。"
    )
    return False


def _refuse_added_rows(sheet, first_free: int, result: ReadResult) -> None:
    for row in range(first_free, sheet.max_row + 1):
        if any(sheet.cell(row, col).value not in (None, "") for col in range(1, len(HEADERS) + 1)):
            result.errors.append(
                f"シート「{COUNTS_SHEET}」{row}行目: 様式にない行が追加されています。"
                "その他の取り組みは4-③の「積極的医療機関のその他取り組み事項」へ記入してください。"
            )
            return
