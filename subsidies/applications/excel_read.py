"""Upload of the application workbook (資料4-①②③, laid out in excel_layout).

Read every cell, normalise what can be read without guessing (全角数字, カンマ, 「円」, 千円
written as such, ◯/〇 for ○, R８/令和8年度 for R8〜) and show each normalisation; refuse with
the cell reference what cannot (wrong template, edited menu names or caps, moved or merged
cells, formulas, text in amount cells). Nothing is saved here: the caller shows the diff and
applies it through services.save_plan. read_workbook is a list of named steps: open the
upload, check it is this application's template, check the plan sheets' shape, read each
mapped line, refuse added rows, read the meeting sheet, validate the plan."""

from __future__ import annotations

import datetime
import re
import unicodedata
from decimal import Decimal

from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import from_excel

from subsidies.applications import reading
from subsidies.applications.excel_cells import (  # named here too (the survey imports them)
    _is_formula,
    _text,
    keep_if_same,
    parse_count,
)
from subsidies.applications.excel_counts import read_counts_sheet
from subsidies.applications.excel_layout import (
    COL,
    FIRST_EXPENSE_COL,
    FIRST_ROW,
    HEADER_ROW,
    MARKER,
    MEETING_CELLS,
    MEETING_SHEET,
    MEETING_START_YEARS,
    META_SHEET,
    ReadResult,
    applicable_columns,
    cap_thousands,
    counts_form,
    expense_categories,
    headers_for,
    line_sheets,
)
from subsidies.applications.excel_reference import check_reference
from subsidies.applications.plan_data import start_year_label
from subsidies.applications.rules import validate_plan
from zaitaku_portal.uploads import FormUploadRefused, open_form_workbook
from zaitaku_portal.wareki import fiscal_year_label, fiscal_year_of, wareki_date
from zaitaku_portal.workbook_bounds import SheetLimits, WorkbookLimits

WISH_TRUE = {"○", "◯", "〇", "o", "O", "1", "true", "TRUE", "True", "希望"}
WISH_FALSE = {"", "×", "-", "ー", "なし", "0"}


def _ref(sheet, row: int, col: int) -> str:
    return f"シート「{sheet.title}」セル{get_column_letter(col)}{row}"


def _thousands_format(number_format: str) -> bool:
    return "千円" in number_format or bool(re.search(r"0,(\"|$|;)", number_format or ""))


def parse_amount(
    value, number_format: str, where: str, label: str, result: ReadResult
) -> int | None:
    """A yen amount from one cell, normalised with a note, or None with an error. Read by
    zaitaku_portal.bounds.read_yen with what a cell may say (千円 written or as the cell's
    format, Excel's number notation); digits of other scripts, NaN, infinities and more than
    100億円 are refused."""
    from zaitaku_portal.bounds import read_yen

    if _is_formula(value):
        result.errors.append(
            f"{where}（{label}）に数式が入っています。数式ではなく金額を入力してください。"
        )
        return None
    reading = read_yen(
        value,
        thousands_suffix=True,
        number_in_thousands=_thousands_format(number_format),
        cell_notation=True,
    )
    if not reading.ok:
        result.errors.append(_amount_problem(reading.problem, value, where, label))
        return None
    if reading.thousands:
        result.notes.append(
            f"{where}（{label}）: 千円単位の「{value}」を{reading.amount:,}円として読み取りました。"
        )
    elif isinstance(value, str) and value.strip():
        result.notes.append(
            f"{where}（{label}）: 「{value}」を{reading.amount:,}円として読み取りました。"
        )
    return reading.amount


def _amount_problem(problem: str, value, where: str, label: str) -> str:
    from zaitaku_portal.bounds import YEN_MAX, shown

    messages = {
        "not_amount": f"は金額（円）を入力してください（入力: {value}）。",
        "unreadable": f"の「{shown(value)}」を金額として読めません。"
        "円単位の数字を入力してください。",
        "negative": f"に負の金額は入力できません（入力: {shown(value)}）。",
        "too_large": f"が大きすぎます。{YEN_MAX:,}円以下で入力してください"
        f"（入力: {shown(value)}）。",
        "fraction": f"に円未満の端数があります（入力: {shown(value)}）。",
    }
    return f"{where}（{label}）{messages[problem]}"


def parse_wish(value, where: str, result: ReadResult) -> bool | None:
    if value is None:
        return False
    text = (
        unicodedata.normalize("NFKC", str(value)).strip()
        if not isinstance(value, bool)
        else str(value)
    )
    if text == "○":
        return True
    if _is_number(value) and value == 0:
        # Calc turns a 〇 typed into a cell not formatted as text into the number 0: read as
        # the wish it was, said in a note (issue 23), never dropped silently.
        result.notes.append(
            f"{where}（補助の希望）: 数値の「0」を○として読み取りました"
            "（表計算ソフトが〇を0に変えることがあります）。希望しない場合は空欄にしてください。"
        )
        return True
    if text in WISH_TRUE or value is True:
        result.notes.append(f"{where}（補助の希望）: 「{value}」を○として読み取りました。")
        return True
    if text in WISH_FALSE or value is False:
        if text:
            result.notes.append(
                f"{where}（補助の希望）: 「{value}」を空欄（希望なし）として読み取りました。"
            )
        return False
    result.errors.append(f"{where}（補助の希望）は「○」か空欄にしてください（入力: {value}）。")
    return None


def _is_number(value) -> bool:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


def parse_start_year(value, choices: list[int], where: str, result: ReadResult) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    labels = "・".join(f"「{start_year_label(y)}」" for y in choices)
    if isinstance(value, str) and (day := _typed_date(value)):
        value = day  # 2027/4/1 kept as text (a cell formatted as text, another locale)
    elif _is_number(value) and SERIAL_DAYS[0] <= value <= SERIAL_DAYS[1]:
        value = from_excel(value)  # a date whose cell lost its date format: a day serial
    if isinstance(value, datetime.date | datetime.time):
        return _start_year_from_date(value, choices, labels, where, result)
    text = unicodedata.normalize("NFKC", str(value)).strip().replace(" ", "")
    match = re.fullmatch(r"(?:R|r|令和)?(\d{1,2})(?:年度?)?[〜~～-]?", text)
    if not match:
        result.errors.append(
            f"{where}（開始年度）は{labels}のいずれかを入力してください（入力: {value}）。"
        )
        return None
    year = 2018 + int(match.group(1))
    if year not in choices:
        result.errors.append(
            f"{where}（開始年度）は{labels}のいずれかを入力してください（入力: {value}）。"
        )
        return None
    if text != start_year_label(year):
        result.notes.append(
            f"{where}（開始年度）: 「{value}」を{start_year_label(year)}として読み取りました。"
        )
    return year


# Day serials of 2000-01-01 and 2100-12-31: a number this size in 開始年度 is a date that
# lost its date format (R8 is 8), read as a date rather than refused as 46478.
SERIAL_DAYS = (36526, 73415)


def _typed_date(value: str) -> datetime.date | None:
    text = unicodedata.normalize("NFKC", value).strip()
    match = re.fullmatch(r"(\d{4})[/\-.](\d{1,2})[/\-.](\d{1,2})", text)
    try:
        return datetime.date(*map(int, match.groups())) if match else None
    except ValueError:
        return None


def _start_year_from_date(value, choices, labels: str, where: str, result) -> int | None:
    """A date typed into 開始年度 (Calc and Excel make one of 2026/4/1): its fiscal year, with
    a note; a time or a date outside the choices is refused in plain Japanese."""
    if not isinstance(value, datetime.date):
        result.errors.append(f"{where}（開始年度）は{labels}のいずれかを入力してください。")
        return None
    day = value.date() if isinstance(value, datetime.datetime) else value
    shown_day = wareki_date(day)
    year = fiscal_year_of(day)  # April–March: 2027-03-31 is 令和8年度
    if year not in choices:
        result.errors.append(
            f"{where}（開始年度）の日付「{shown_day}」は{fiscal_year_label(year)}です。"
            f"{labels}のいずれかを入力してください。"
        )
        return None
    result.notes.append(
        f"{where}（開始年度）: 日付「{shown_day}」を{start_year_label(year)}として読み取りました。"
    )
    return year


UPLOAD_MAX_BYTES = 5 * 1024 * 1024  # the form is a few dozen KB; 5 MB is generous
PLAN_LIMITS = WorkbookLimits(
    # A hub with 40 hospitals and all six hospital menus is 240 lines on 4-②; the columns:
    # 11 fixed, one per expense category and the total. Past that nothing is the form's,
    # and read_workbook's row checks would build every cell up to sheet.max_row.
    sheet=SheetLimits(max_row=500, max_column=64),
    max_cells=50_000,
    max_part_bytes=20 * 1024 * 1024,
)


class _Refused(Exception):
    """A step found the upload unusable; its message is already in the result."""


def read_workbook(application, upload) -> ReadResult:
    result = ReadResult()
    try:
        workbook = _open_upload(upload, result)
        _check_template(workbook, application, result)
        categories = expense_categories()
        headers = headers_for(categories)
        _check_plan_sheets(workbook, line_sheets(application), headers, result)
    except _Refused:
        return result
    plan = reading.current_plan(application)
    mapped_rows = _read_mapped_lines(workbook, application, categories, plan, result)
    _refuse_added_rows(workbook, mapped_rows, len(headers), result)
    if counts_form(application):  # form 4-② as counts per hospital menu
        read_counts_sheet(workbook, application, plan, result)
    choices = reading.start_year_choices(application.fiscal_year)
    _read_meeting_sheet(workbook[MEETING_SHEET], plan, choices, result)
    check_reference(workbook, application, result)  # read-only sheets: a note, never read
    if not result.errors:
        result.errors.extend(validate_plan(application, plan))
    result.plan = plan if result.ok else {}
    return result


def _refuse(result: ReadResult, message: str):
    result.errors.append(message)
    raise _Refused


def _open_upload(upload, result: ReadResult):
    try:
        return open_form_workbook(upload, max_bytes=UPLOAD_MAX_BYTES, limits=PLAN_LIMITS)
    except FormUploadRefused as refused:
        _refuse(result, str(refused))


def _check_template(workbook, application, result: ReadResult) -> None:
    """The four sheets, the marker and this application's id, year and hub in _meta."""
    expected = (*line_sheets(application), MEETING_SHEET, META_SHEET)
    missing = [s for s in expected if s not in workbook.sheetnames]
    if missing:
        _refuse(
            result,
            "この申請の様式ではありません（シート"
            + "・".join(f"「{s}」" for s in missing)
            + "がありません）。この画面からダウンロードした様式を使ってください。",
        )
    meta = workbook[META_SHEET]
    if meta["A1"].value != MARKER:
        _refuse(
            result,
            "この申請の様式ではありません（様式の識別情報がありません）。この画面からダウンロードした様式を使ってください。",
        )
    if (meta["A2"].value, meta["A3"].value, meta["A4"].value) != (
        application.pk,
        application.fiscal_year.year,
        application.hub_id,
    ):
        _refuse(
            result,
            "別の申請（拠点または年度が違う）の様式です。"
            f"{application.hub.name}の{fiscal_year_label(application.fiscal_year.year)}の画面からダウンロードした様式を使ってください。",
        )


def _check_plan_sheets(workbook, sheets, headers: list[str], result: ReadResult) -> None:
    """No merged cell from the header row down, and the header row as downloaded."""
    for sheet_name in sheets:
        sheet = workbook[sheet_name]
        for merged in sheet.merged_cells.ranges:
            if merged.max_row >= HEADER_ROW:
                result.errors.append(
                    f"シート「{sheet_name}」セル{merged.coord}が結合されています。セルの結合を解除してください。"
                )
        for col, header in enumerate(headers, start=1):
            if sheet.cell(HEADER_ROW, col).value != header:
                result.errors.append(
                    f"{_ref(sheet, HEADER_ROW, col)}の見出しが「{header}」ではありません"
                    f"（「{sheet.cell(HEADER_ROW, col).value or '空欄'}」）。"
                    "列の挿入・削除・移動はできません。"
                )
                break
    if result.errors:
        raise _Refused


def _read_mapped_lines(workbook, application, categories, plan, result) -> dict[str, set[int]]:
    """Each row _meta names, read into its line of the plan; returns the rows read per sheet."""
    lines = {reading.key_of(line): line for line in reading.lines_of(application)}
    choices = reading.start_year_choices(application.fiscal_year)
    mapped_rows: dict[str, set[int]] = {name: set() for name in line_sheets(application)}
    for sheet_name, row, key in workbook[META_SHEET].iter_rows(
        min_row=10, max_col=3, values_only=True
    ):
        if sheet_name is None:
            break
        if key not in lines and "@" in str(key) and sheet_name in mapped_rows:
            _refuse_unpicked(workbook[sheet_name], row, key, application, result)
            continue
        if key not in lines or sheet_name not in mapped_rows:
            continue
        mapped_rows[sheet_name].add(row)
        data = plan["lines"].setdefault(key, {})
        _read_line(workbook[sheet_name], row, lines[key], categories, data, choices, result)
    return mapped_rows


def _refuse_unpicked(sheet, row, key: str, application, result: ReadResult) -> None:
    """A row of a hospital that is not in the plan (removed since the download, or never
    picked): refused, naming the row; a hospital not active in the year says so."""
    from hospitals.models import ActiveHospitalDesignation
    from subsidies.applications import hospital_lines

    try:
        designation_pk = int(str(key).split("@", 1)[1])
    except ValueError:
        designation_pk = None
    designation = (
        ActiveHospitalDesignation.objects.filter(pk=designation_pk)
        .select_related("institution")
        .first()
    )
    where = f"{_ref(sheet, row, COL['補助事業者'])}"
    if designation is None:
        result.errors.append(f"{where}: 様式にない医療機関の行です。ダウンロードし直してください。")
        return
    reason = hospital_lines.refusal(application, designation)
    result.errors.append(
        f"{where}（{designation.institution.name}）: "
        + (
            reason
            or "この医療機関は計画にありません（計画の画面で「医療機関を追加」してから、"
            "様式をダウンロードし直してください）。"
        )
    )


def _refuse_added_rows(workbook, mapped_rows, column_count: int, result: ReadResult) -> None:
    for sheet_name, rows in mapped_rows.items():
        sheet = workbook[sheet_name]
        last = max(rows, default=FIRST_ROW - 1)
        for row in range(last + 1, sheet.max_row + 1):
            if any(sheet.cell(row, col).value not in (None, "") for col in range(1, column_count)):
                result.errors.append(
                    f"シート「{sheet_name}」{row}行目: 様式にない行が追加されています。"
                    "行の追加・移動はできません（その他の取り組みは4-③の「その他取り組み事項」へ）。"
                )
                break


MEETING_COUNTS = ("district_count", "meeting_body_count", "planned_meetings")


def _read_meeting_sheet(meeting, plan: dict, choices: list[int], result: ReadResult) -> None:
    for field_name, (ref, label) in MEETING_CELLS.items():
        label_cell = meeting.cell(int(ref[1:]), 1)
        where = f"シート「{MEETING_SHEET}」セル{ref}"
        if label_cell.value != label:
            result.errors.append(
                f"シート「{MEETING_SHEET}」セルA{ref[1:]}の見出しが「{label}」ではありません。行の挿入・削除はできません。"
            )
            continue
        if field_name in MEETING_COUNTS:
            _read_meeting_count(meeting[ref].value, field_name, where, label, plan, result)
        elif field_name in MEETING_START_YEARS:
            plan[field_name] = parse_start_year(meeting[ref].value, choices, where, result)
        else:
            text = _text(meeting[ref], where, label, result)
            if text is not None:
                plan[field_name] = keep_if_same(plan.get(field_name), text)
    for merged in meeting.merged_cells.ranges:
        if merged.max_row >= 3:
            result.errors.append(
                f"シート「{MEETING_SHEET}」セル{merged.coord}が結合されています。セルの結合を解除してください。"
            )


def _read_meeting_count(value, field_name, where, label, plan: dict, result) -> None:
    number = parse_count(value, where, label, result)
    if field_name == "district_count" and number is not None and number < 1:
        result.errors.append(f"{where}（区割り数）は1以上で入力してください。")
    plan[field_name] = number if number is not None or field_name != "district_count" else 1


def _read_line(sheet, row, line, categories, data: dict, choices, result: ReadResult) -> None:
    if _fixed_cells_changed(sheet, row, line, result):
        return
    applicable = applicable_columns(line, categories)
    _refuse_grey_cells(sheet, row, line, applicable, len(categories), result)

    def cell(header):
        return sheet.cell(row, COL[header])

    def where(col):
        return _ref(sheet, row, col)

    wish = parse_wish(cell("補助の希望").value, where(COL["補助の希望"]), result)
    if wish is not None:
        data["wish"] = wish
    text = _text(cell("取り組み事項"), where(COL["取り組み事項"]), "取り組み事項", result)
    if text is not None:
        data["planned_actions"] = keep_if_same(data.get("planned_actions"), text)
    data["start_year"] = parse_start_year(
        cell("開始年度").value, choices, where(COL["開始年度"]), result
    )
    for header, key in (("受講者数", "trainees"), ("半日数", "half_days"), ("月数", "months")):
        if COL[header] in applicable:
            data[key] = parse_count(cell(header).value, where(COL[header]), header, result)
    _read_line_amounts(sheet, row, categories, applicable, data, result)


def _fixed_cells_changed(sheet, row, line, result: ReadResult) -> bool:
    """補助事業者, 補助事業区分 and 補助額目安 as downloaded: a changed one means the row moved."""
    expected_recipient = (
        line.designation.institution.name if line.designation_id else line.application.hub.name
    )
    checks = (
        ("補助事業者", expected_recipient, "補助事業者名"),
        ("補助事業区分", line.menu.name, "補助メニュー名"),
        ("補助額目安（千円）", cap_thousands(line.menu), "補助額目安（上限額）"),
    )
    for header, expected, label in checks:
        actual = sheet.cell(row, COL[header]).value
        if actual != expected and not (
            isinstance(expected, int | float)
            and isinstance(actual, int | float)
            and actual == expected
        ):
            shown = f"{expected:,}千円" if isinstance(expected, int | float) else f"「{expected}」"
            result.errors.append(
                f"{_ref(sheet, row, COL[header])}の{label}が様式の値（{shown}）から変わっています"
                f"（「{actual if actual is not None else '空欄'}」）。{label}は変更できません"
                "（行を移動・追加した場合は、ダウンロードし直してください）。"
            )
            return True
    return False


def _refuse_grey_cells(sheet, row, line, applicable, category_count: int, result) -> None:
    for col in range(COL["補助の希望"], FIRST_EXPENSE_COL + category_count):
        value = sheet.cell(row, col).value
        if col not in applicable and value not in (None, "", 0):
            header = sheet.cell(HEADER_ROW, col).value
            result.errors.append(
                f"{_ref(sheet, row, col)}（{header}）は「{line.menu.name}」の対象外です"
                "（灰色のセル）。値を消してください。"
            )


def _read_line_amounts(sheet, row, categories, applicable, data: dict, result) -> None:
    income_col = COL["寄付金その他の収入（円）"]
    income_cell = sheet.cell(row, income_col)
    income = parse_amount(
        income_cell.value,
        income_cell.number_format,
        _ref(sheet, row, income_col),
        "寄付金その他の収入",
        result,
    )
    if income is not None:
        data["other_income"] = income
    expenses = {}
    for offset, category in enumerate(categories):
        col = FIRST_EXPENSE_COL + offset
        if col not in applicable:
            continue
        target = sheet.cell(row, col)
        where = _ref(sheet, row, col)
        amount = parse_amount(target.value, target.number_format, where, category.name, result)
        if amount:
            expenses[category.code] = amount
    data["expenses"] = expenses


def plan_from_json(plan: dict) -> dict:
    """The plan kept in the session between preview and confirm (JSON keeps ints as ints)."""
    return plan
