"""Upload of the survey workbook (excel_layout): every cell the hub may fill is read and
normalised the way the plan's upload does it (subsidies/applications/excel_read.py: ○ and
its look-alikes, R８/令和8年度/a date for R8〜, 全角数字), each normalisation said; what
cannot be read is refused with the sheet and cell; nothing is saved here (the view shows
the diff, services.save_answer applies it). read_workbook is a list of named steps: open
the upload (size, zip bombs, bounds: zaitaku_portal/uploads.py), check it is this hub's and
year's form, check the headers and the menu names, read each menu row, refuse added rows,
read the meeting sheet, validate the answer."""

from __future__ import annotations

from openpyxl.utils import get_column_letter

from subsidies.applications.excel_cells import keep_if_same, normalise_line_ends, parse_count
from subsidies.applications.excel_layout import ReadResult
from subsidies.applications.excel_read import parse_start_year, parse_wish
from subsidies.survey.excel_layout import (
    ACTIONS_COL,
    COUNT_COL,
    FIRST_ROW,
    HEADER_ROW,
    HEADERS,
    HOSPITAL_SHEET,
    HUB_SHEET,
    MARKER,
    MEETING_CELLS,
    MEETING_SHEET,
    META_SHEET,
    NAME_COL,
    OTHER_LABEL,
    START_COL,
    WISH_COL,
)
from subsidies.survey.reading import LINE_FIELDS, answer_data, start_year_choices
from subsidies.survey.rules import validate_answer
from zaitaku_portal.spreadsheets import text_from_xlsx
from zaitaku_portal.uploads import FormUploadRefused, open_form_workbook
from zaitaku_portal.wareki import fiscal_year_label
from zaitaku_portal.workbook_bounds import SheetLimits, WorkbookLimits

UPLOAD_MAX_BYTES = 2 * 1024 * 1024  # the form is ~10 KB
LIMITS = WorkbookLimits(
    # a catalogue has a dozen menus; 200 rows × 10 columns is far beyond the form
    sheet=SheetLimits(max_row=200, max_column=10),
    max_cells=5_000,
    max_part_bytes=5 * 1024 * 1024,
)
FORMAT_HINT = "この画面からダウンロードした様式に記入して、.xlsx のまま保存してください。"


class _Refused(Exception):
    pass


def _ref(sheet, row: int, col: int) -> str:
    return f"シート「{sheet.title}」セル{get_column_letter(col)}{row}"


def _refuse(result: ReadResult, message: str):
    result.errors.append(message)
    raise _Refused


def read_workbook(fiscal_year, hub, answer, menus, upload) -> ReadResult:
    """The answer the workbook holds (result.plan), or the errors; starts from the stored
    answer so a cell the portal wrote reads back unchanged."""
    result = ReadResult()
    try:
        workbook = _open(upload, result)
        _check_form(workbook, fiscal_year, hub, result)
        _check_headers(workbook, result)
        rows = _mapped_rows(workbook, menus, result)
    except _Refused:
        return result
    data = answer_data(answer, menus)
    choices = start_year_choices(fiscal_year)
    for (sheet_name, row), menu in rows.items():
        _read_menu_row(workbook[sheet_name], row, menu, data["lines"][menu.code], choices, result)
    other_rows = _other_rows(workbook, rows)
    _refuse_added_rows(workbook, rows, other_rows, result)
    _read_other_rows(workbook, other_rows, data, choices, result)
    _read_meeting_sheet(workbook[MEETING_SHEET], data, result)
    if not result.errors:
        result.errors.extend(validate_answer(data, menus, fiscal_year))
    result.plan = data if result.ok else {}
    return result


def _open(upload, result: ReadResult):
    try:
        return open_form_workbook(
            upload, max_bytes=UPLOAD_MAX_BYTES, limits=LIMITS, format_hint=FORMAT_HINT
        )
    except FormUploadRefused as refused:
        _refuse(result, str(refused))


def _check_form(workbook, fiscal_year, hub, result: ReadResult) -> None:
    sheets = (HUB_SHEET, HOSPITAL_SHEET, MEETING_SHEET, META_SHEET)
    missing = [s for s in sheets if s not in workbook.sheetnames]
    if missing:
        _refuse(
            result,
            "意向調査の様式ではありません（シート"
            + "・".join(f"「{s}」" for s in missing)
            + f"がありません）。{FORMAT_HINT}",
        )
    meta = workbook[META_SHEET]
    if meta["A1"].value != MARKER:
        _refuse(
            result, f"意向調査の様式ではありません（様式の識別情報がありません）。{FORMAT_HINT}"
        )
    if (meta["A2"].value, meta["A3"].value) != (fiscal_year.year, hub.pk):
        _refuse(
            result,
            "別の拠点または年度の様式です。"
            f"{hub.name}の{fiscal_year_label(fiscal_year.year)}の画面からダウンロードした様式を使ってください。",
        )


def _check_headers(workbook, result: ReadResult) -> None:
    for sheet_name, headers in HEADERS.items():
        sheet = workbook[sheet_name]
        for merged in sheet.merged_cells.ranges:
            if merged.max_row >= HEADER_ROW:
                result.errors.append(
                    f"シート「{sheet_name}」セル{merged.coord}が結合されています。セルの結合を解除してください。"
                )
        for col, header in enumerate(headers, start=1):
            found = sheet.cell(HEADER_ROW, col).value
            if found != header:
                result.errors.append(
                    f"{_ref(sheet, HEADER_ROW, col)}の見出しが「{header}」ではありません"
                    f"（「{found or '空欄'}」）。列の挿入・削除・移動はできません。"
                )
                break
    if result.errors:
        raise _Refused


def _mapped_rows(workbook, menus, result: ReadResult) -> dict[tuple[str, int], object]:
    """(sheet, row) → menu, from _meta; each row's menu name as downloaded."""
    by_code = {menu.code: menu for menu in menus}
    rows = {}
    for sheet_name, row, code in workbook[META_SHEET].iter_rows(
        min_row=5, max_col=3, values_only=True
    ):
        menu = by_code.get(code)
        if sheet_name not in HEADERS or not isinstance(row, int) or menu is None:
            _refuse(
                result,
                f"様式の識別情報が壊れているか、この年度の補助メニューと合いません。{FORMAT_HINT}",
            )
        sheet = workbook[sheet_name]
        if sheet.cell(row, NAME_COL).value != menu.name:
            result.errors.append(
                f"{_ref(sheet, row, NAME_COL)}の補助事業区分が「{menu.name}」ではありません"
                f"（「{sheet.cell(row, NAME_COL).value or '空欄'}」）。"
                "行の挿入・削除・並べ替えはできません。"
            )
        rows[(sheet_name, row)] = menu
    if result.errors:
        raise _Refused
    return rows


def _text(cell, where: str, label: str, result: ReadResult) -> str | None:
    value = cell.value
    if value is None:
        return ""
    if cell.data_type == "f":
        result.errors.append(f"{where}（{label}）に数式が入っています。文字を入力してください。")
        return None
    return normalise_line_ends(text_from_xlsx(str(value))).strip()


def _read_menu_row(sheet, row: int, menu, line: dict, choices, result: ReadResult) -> None:
    def where(col):
        return _ref(sheet, row, col)

    actions = _text(sheet.cell(row, ACTIONS_COL), where(ACTIONS_COL), "取り組み事項", result)
    if actions is not None:
        line["planned_actions"] = keep_if_same(line["planned_actions"], actions)
    if sheet.title == HUB_SHEET:
        wish = parse_wish(sheet.cell(row, WISH_COL).value, where(WISH_COL), result)
        if wish is not None:
            line["wish"] = wish
        start = sheet.cell(row, START_COL).value
        line["start_year"] = parse_start_year(start, choices, where(START_COL), result)
    else:
        label = LINE_FIELDS["hospital_count"]
        value = sheet.cell(row, COUNT_COL).value
        count = parse_count(value, where(COUNT_COL), label, result)
        line["hospital_count"] = count
        line["wish"] = bool(count)


def _other_rows(workbook, rows) -> dict[str, int]:
    """The その他取り組み事項 row of 4-① and 4-②: the row after each sheet's menus."""
    last = {HUB_SHEET: FIRST_ROW - 1, HOSPITAL_SHEET: FIRST_ROW - 1}
    for sheet_name, row in rows:
        last[sheet_name] = max(last[sheet_name], row)
    return {name: row + 1 for name, row in last.items()}


def _refuse_added_rows(workbook, rows, other_rows, result: ReadResult) -> None:
    for sheet_name, columns in HEADERS.items():
        sheet = workbook[sheet_name]
        other = other_rows[sheet_name]
        if sheet.cell(other, NAME_COL).value != OTHER_LABEL:
            result.errors.append(
                f"{_ref(sheet, other, NAME_COL)}が「{OTHER_LABEL}」ではありません。"
                "行の挿入・削除はできません。"
            )
        for row in range(other + 1, sheet.max_row + 1):
            for col in range(1, len(columns) + 1):
                if sheet.cell(row, col).value not in (None, ""):
                    result.errors.append(
                        f"{_ref(sheet, row, col)}に様式にない行が追加されています。"
                        "追加した行を削除してください（メニューの行は増やせません）。"
                    )
                    return


def _read_other_rows(workbook, other_rows, data: dict, choices, result: ReadResult) -> None:
    fields = (
        (HUB_SHEET, "other_actions", "other_actions_start_year"),
        (HOSPITAL_SHEET, "hospital_other_actions", None),
    )
    for sheet_name, text_field, year_field in fields:
        sheet, row = workbook[sheet_name], other_rows[sheet_name]
        cell = sheet.cell(row, ACTIONS_COL)
        text = _text(cell, _ref(sheet, row, ACTIONS_COL), OTHER_LABEL, result)
        if text is not None:
            data[text_field] = keep_if_same(data[text_field], text)
        if year_field:
            value = sheet.cell(row, START_COL).value
            where = _ref(sheet, row, START_COL)
            data[year_field] = parse_start_year(value, choices, where, result)


def _read_meeting_sheet(sheet, data: dict, result: ReadResult) -> None:
    for name, reference, label in MEETING_CELLS:
        cell = sheet[reference]
        where = f"シート「{sheet.title}」セル{reference}"
        if sheet.cell(cell.row, 1).value != label:
            result.errors.append(
                f"シート「{sheet.title}」セルA{cell.row}が「{label}」ではありません。"
            )
            continue
        if name == "meeting_body_count":
            data[name] = parse_count(cell.value, where, label, result)
            continue
        text = _text(cell, where, label, result)
        if text is not None:
            data[name] = keep_if_same(data[name], text)
