"""What seed 004's form shows a hub beside the input cells, in the plan workbook as read-only
sheets: per menu its 求められる事項, 取り組み例, 対象経費 as written, 補助額目安 (※), and for the
hub's menus the related 推進事業 items (ア)〜(キ) with the district medical associations' own
examples; below them the form's （※） footnote.

Why separate sheets (「4-①メニューの内容」, 「4-②メニューの内容」) and not more columns on the
input sheets: the input sheets already hold 11 fixed columns, one per expense category and the
amounts; five more columns of long text printed one A4 page wide would shrink every cell past
reading. The reference sheets print on their own, one page wide, with the hub and year.

They are locked (sheet protection, every cell locked) and never read into the plan. A user who
unlocks and edits one gets a note in the preview saying the sheet is not read (check_reference):
the change is not a change of the plan, and nothing is refused for it."""

from __future__ import annotations

import math

from openpyxl.styles import Alignment, Font, PatternFill

from subsidies.applications.excel_layout import (
    COUNTS_SHEET,
    HOSPITAL_SHEET,
    HUB_SHEET,
    META_SHEET,
    counts_form,
)
from subsidies.catalogue.choices import RecipientType
from subsidies.models import SubsidyMenu
from zaitaku_portal.exports import write_cell
from zaitaku_portal.spreadsheets import display_width, set_up_printing
from zaitaku_portal.wareki import fiscal_year_label

REFERENCE_SHEETS = {
    HUB_SHEET: "4-①メニューの内容",
    HOSPITAL_SHEET: "4-②メニューの内容",
}
RECIPIENT_OF = {HUB_SHEET: RecipientType.HUB, HOSPITAL_SHEET: RecipientType.HOSPITAL}
HEADER_ROW = 6
FIRST_ROW = 7
# (header, width in half-width characters); the hub's sheet adds the 推進事業 columns.
COMMON_COLUMNS = [
    ("求められる事項", 40),
    ("補助事業区分", 28),
    ("取り組み例", 34),
    ("対象経費", 34),
    ("補助額目安（※）", 16),
]
HUB_COLUMNS = [
    ("推進事業の内容（市町村事業・補助対象外）", 26),
    ("各地区医師会での主な取り組み（推進事業・参考）", 44),
]
HOSPITAL_COLUMNS = [("対象となる医療機関", 30)]
TITLES = {
    HUB_SHEET: "補助メニューの内容（資料4-①、在宅医療に必要な連携を担う拠点）",
    HOSPITAL_SHEET: "補助メニューの内容（資料4-②、在宅医療において積極的役割を担う医療機関）",
}
HEADER_FILL = PatternFill("solid", fgColor="DDE5F0")
LINE_HEIGHT = 15  # points per wrapped line of 11-point text


def columns_for(sheet_name: str) -> list[tuple[str, int]]:
    extra = HUB_COLUMNS if sheet_name == HUB_SHEET else HOSPITAL_COLUMNS
    return COMMON_COLUMNS + extra


def menus_for(application, sheet_name: str) -> list[SubsidyMenu]:
    return list(
        SubsidyMenu.objects.filter(
            fiscal_year=application.fiscal_year, recipient_type=RECIPIENT_OF[sheet_name]
        )
        .prefetch_related("requirement_items")
        .order_by("display_order", "pk")
    )


def _lines(items) -> str:
    return "\n".join(f"・{item}" for item in items)


def menu_row(menu: SubsidyMenu, sheet_name: str) -> list[str]:
    requirements = "\n".join(
        item.description or item.title for item in menu.requirement_items.all()
    )
    row = [
        requirements,
        menu.name,
        _lines(menu.example_lines()),
        menu.expense_note,
        menu.cap_label(),
    ]
    if sheet_name == HUB_SHEET:
        row += ["\n".join(menu.promotion_item_labels()), _lines(menu.promotion_example_lines())]
    else:
        row.append("\n".join([*menu.eligibility_notes(), menu.once_reading()]).strip())
    return row


def footnotes(menus: list[SubsidyMenu]) -> list[str]:
    """Each distinct line of the menus' 備考 once, as the form's （※）."""
    seen: list[str] = []
    for menu in menus:
        for line in menu.note.splitlines():
            if line.strip() and line.strip() not in seen:
                seen.append(line.strip())
    return [f"（※）{line}" for line in seen]


def _input_sheet(application, sheet_name: str) -> str:
    if sheet_name == HOSPITAL_SHEET and counts_form(application):
        return COUNTS_SHEET
    return sheet_name


def expected_cells(application, sheet_name: str) -> dict[tuple[int, int], str]:
    """{(row, col): text} of everything the sheet holds: what check_reference compares."""
    menus = menus_for(application, sheet_name)
    input_sheet = _input_sheet(application, sheet_name)
    cells = {
        (1, 1): TITLES[sheet_name],
        (2, 1): f"【拠点名】{application.hub.name}",
        (3, 1): fiscal_year_label(application.fiscal_year.year),
        (4, 1): f"読み取り専用の説明です。入力は「{input_sheet}」シートにしてください"
        "（このシートを変更しても取り込まれません）。",
    }
    for col, (header, _width) in enumerate(columns_for(sheet_name), start=1):
        cells[(HEADER_ROW, col)] = header
    row = FIRST_ROW
    for row, menu in enumerate(menus, start=FIRST_ROW):
        for col, text in enumerate(menu_row(menu, sheet_name), start=1):
            if text:
                cells[(row, col)] = text
    for offset, note in enumerate(footnotes(menus), start=2):
        cells[(row + offset, 1)] = note
    return cells


def write_reference_sheets(workbook, application, page_header: str) -> None:
    """A locked sheet for 4-① and one for 4-②, after the three input sheets (whose order the
    form keeps) and before the hidden _meta."""
    for sheet_name, title in REFERENCE_SHEETS.items():
        sheet = workbook.create_sheet(title, workbook.sheetnames.index(META_SHEET))
        _write_reference(sheet, application, sheet_name)
        set_up_printing(sheet, page_header, title_rows=f"{HEADER_ROW}:{HEADER_ROW}")
        sheet.protection.sheet = True  # every cell is locked (openpyxl's default style)


def _write_reference(sheet, application, sheet_name: str) -> None:
    columns = columns_for(sheet_name)
    for col, (_header, width) in enumerate(columns, start=1):
        sheet.column_dimensions[sheet.cell(1, col).column_letter].width = width
    heights: dict[int, int] = {}
    for (row, col), text in expected_cells(application, sheet_name).items():
        cell = sheet.cell(row, col)
        write_cell(cell, text)
        if row < HEADER_ROW:
            cell.font = Font(bold=True, size=13) if row == 1 else Font()
            continue
        if row == HEADER_ROW:
            cell.font = Font(bold=True)
            cell.fill = HEADER_FILL
        if col <= len(columns) and not text.startswith("（※）"):
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            heights[row] = max(heights.get(row, 1), wrapped_lines(text, columns[col - 1][1]))
    for row, lines in heights.items():
        sheet.row_dimensions[row].height = LINE_HEIGHT * lines + 3


def wrapped_lines(text: str, width: int) -> int:
    """Lines a wrapped cell of `width` needs (Calc keeps one line's height for a wrapped cell
    unless the row says otherwise). A column width counts the digit 0 of the default font, and
    a Japanese character printed by Calc is about 1.6 of them, not 2 (display_width): measured
    on the demo's hospital names, 32 display-width fits a column of 24 on one line."""
    usable = max(int(width * 1.25), 1)
    return sum(max(1, math.ceil(display_width(line) / usable)) for line in text.split("\n"))


def check_reference(workbook, application, result) -> None:
    """A note (never an error) when a reference sheet was edited: it is not read."""
    for sheet_name, title in REFERENCE_SHEETS.items():
        if title not in workbook.sheetnames:
            continue
        sheet = workbook[title]
        for (row, col), text in expected_cells(application, sheet_name).items():
            value = sheet.cell(row, col).value
            shown = "" if value is None else str(value).replace("\r\n", "\n").strip()
            if shown != text.strip():
                result.notes.append(
                    f"シート「{title}」セル{sheet.cell(row, col).coordinate}が変更されていますが、"
                    "このシートは読み取り専用の説明のため取り込みません（申請の内容は変わりません）。"
                )
                break
