"""Excel round trip of an application, laid out like seed 004 (資料4-①②③).

Download: the hub's menus (4-①), each active hospital's menus (4-②) and the meeting
structure (4-③), pre-filled, with a hidden sheet naming the application and each row's line.
Upload: read every cell, normalise what can be read without guessing (全角数字, カンマ,
「円」, 千円 written as such, ◯/〇 for ○, R８/令和8年度 for R8〜) and show each
normalisation; refuse with the cell reference what cannot (wrong template, edited menu names
or caps, moved or merged cells, formulas, text in amount cells). Nothing is saved here: the
caller shows the diff and applies it through services.applications.save_plan."""

from __future__ import annotations

import datetime
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter

from subsidies.applications import services as service
from subsidies.applications.amounts import PER_MONTH, PER_PERSON_HALF_DAY
from subsidies.applications.plan_data import start_year_label
from subsidies.models import ExpenseCategory
from zaitaku_portal.exports import text_from_xlsx, write_cell, write_formula
from zaitaku_portal.uploads import check_xlsx_upload
from zaitaku_portal.wareki import fiscal_year_label
from zaitaku_portal.workbook_bounds import SheetLimits, WorkbookLimits

MARKER = "zaitaku-portal:application:v1"
HUB_SHEET = "4-①拠点"
HOSPITAL_SHEET = "4-②積極的医療機関"
MEETING_SHEET = "4-③会議体"
META_SHEET = "_meta"
HEADER_ROW = 6
FIRST_ROW = 7
FIXED_HEADERS = [
    "補助事業者",
    "補助事業区分",
    "補助額目安（千円）",
    "上限の単位",
    "補助の希望",
    "取り組み事項",
    "開始年度",
    "受講者数",
    "半日数",
    "月数",
    "寄付金その他の収入（円）",
]
COL = {name: index + 1 for index, name in enumerate(FIXED_HEADERS)}
FIRST_EXPENSE_COL = len(FIXED_HEADERS) + 1
MEETING_CELLS = {
    "district_policy": ("B3", "区割りの考え方"),
    "district_count": ("B4", "区割り数"),
    "meeting_body_count": ("B5", "会議体の数"),
    "meeting_members": ("B6", "会議体の構成員"),
    "planned_meetings": ("B7", "多職種連携会議の開催予定回数（年）"),
    "other_actions": ("B8", "その他取り組み事項"),
}
WISH_TRUE = {"○", "◯", "〇", "o", "O", "1", "true", "TRUE", "True", "希望"}
WISH_FALSE = {"", "×", "-", "ー", "なし", "0"}
GREY = PatternFill("solid", fgColor="D9D9D9")
INPUT = PatternFill("solid", fgColor="FFF2CC")


@dataclass
class ReadResult:
    plan: dict = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def _categories() -> list[ExpenseCategory]:
    return list(ExpenseCategory.objects.order_by("display_order", "pk"))


def _cap_thousands(menu):
    if menu.cap_amount is None:
        return "なし"
    value = Decimal(menu.cap_amount) / 1000
    return int(value) if value == value.to_integral() else float(value)


def _sheet_rows(application):
    """[(sheet name, line)] in the order the workbook lists them."""
    rows = []
    for line in service.lines_of(application):
        rows.append((HOSPITAL_SHEET if line.designation_id else HUB_SHEET, line))
    return rows


# --- download ------------------------------------------------------------------------------


def export_workbook(application) -> bytes:
    """Every value goes in through write_cell (zaitaku_portal.exports): a text a user typed
    is a text cell whatever it starts with (=, +, -, @), read back by the upload as typed. The
    only formulas are the totals the portal writes itself (_write_total)."""
    view = service.plan_view(application)
    categories = _categories()
    workbook = Workbook()
    workbook.active.title = HUB_SHEET
    workbook.create_sheet(HOSPITAL_SHEET)
    workbook.create_sheet(MEETING_SHEET)
    meta = _write_meta(workbook, application)
    headers = FIXED_HEADERS + [f"{c.name}（円）" for c in categories] + ["予定経費の合計（円）"]
    for sheet_name in (HUB_SHEET, HOSPITAL_SHEET):
        _write_plan_heading(workbook[sheet_name], application, headers)
    _write_lines(workbook, meta, application, view, categories)
    _write_meeting_sheet(workbook[MEETING_SHEET], view)
    for sheet_name in (HUB_SHEET, HOSPITAL_SHEET, MEETING_SHEET):
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
    sheet.column_dimensions["A"].width = 22
    sheet.column_dimensions["B"].width = 34
    sheet.column_dimensions["F"].width = 30
    sheet.freeze_panes = sheet.cell(FIRST_ROW, 3)


def _write_lines(workbook, meta, application, view, categories) -> None:
    """One row per line on its sheet, and in the hidden sheet which row is which line."""
    next_row = {HUB_SHEET: FIRST_ROW, HOSPITAL_SHEET: FIRST_ROW}
    for meta_row, (sheet_name, line) in enumerate(_sheet_rows(application), start=10):
        sheet = workbook[sheet_name]
        row = next_row[sheet_name]
        next_row[sheet_name] += 1
        key = service.key_of(line)
        _write_line(sheet, row, line, view.plan["lines"].get(key, {}), application, categories)
        for col, value in enumerate((sheet_name, row, key), start=1):
            _put(meta, meta_row, col, value)


READ_ONLY_HEADERS = ("補助事業者", "補助事業区分", "補助額目安（千円）", "上限の単位")


def _write_line(sheet, row: int, line, data: dict, application, categories) -> None:
    recipient = line.designation.institution.name if line.designation_id else application.hub.name
    values = {
        "補助事業者": recipient,
        "補助事業区分": line.menu.name,
        "補助額目安（千円）": _cap_thousands(line.menu),
        "上限の単位": line.menu.get_cap_unit_display(),
        "補助の希望": "○" if data.get("wish") else None,
        "取り組み事項": data.get("planned_actions") or None,
        "開始年度": start_year_label(data.get("start_year")) or None,
        "受講者数": data.get("trainees"),
        "半日数": data.get("half_days"),
        "月数": data.get("months"),
        "寄付金その他の収入（円）": data.get("other_income") or None,
    }
    applicable = _applicable_columns(line, categories)
    for header, value in values.items():
        cell = _put(sheet, row, COL[header], value)
        if header not in READ_ONLY_HEADERS:
            _style_input(cell, COL[header] in applicable)
    for offset, category in enumerate(categories):
        col = FIRST_EXPENSE_COL + offset
        cell = _put(sheet, row, col, data.get("expenses", {}).get(category.code) or None)
        cell.number_format = "#,##0"
        _style_input(cell, col in applicable)
    _write_total(sheet, row, len(categories))


def _write_total(sheet, row: int, category_count: int) -> None:
    """予定経費の合計: the one formula of the workbook, over the row's own expense cells."""
    first = get_column_letter(FIRST_EXPENSE_COL)
    last = get_column_letter(FIRST_EXPENSE_COL + category_count - 1)
    total = sheet.cell(row, FIRST_EXPENSE_COL + category_count)
    write_formula(total, f"=SUM({first}{row}:{last}{row})")
    total.number_format = "#,##0"


def _write_meeting_sheet(sheet, view) -> None:
    _put(sheet, 1, 1, "在宅医療に必要な連携を担う拠点の会議体（資料4-③）").font = Font(
        bold=True, size=13
    )
    sheet.column_dimensions["A"].width = 26
    sheet.column_dimensions["B"].width = 70
    for name, (ref, label) in MEETING_CELLS.items():
        row = int(ref[1:])
        _put(sheet, row, 1, label).font = Font(bold=True)
        cell = _put(sheet, row, 2, view.plan.get(name))
        _style_input(cell, True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")


def _style_input(cell, applicable: bool) -> None:
    cell.fill = INPUT if applicable else GREY
    cell.protection = Protection(locked=not applicable)


def _applicable_columns(line, categories) -> set[int]:
    cols = {
        COL["補助の希望"],
        COL["取り組み事項"],
        COL["開始年度"],
        COL["寄付金その他の収入（円）"],
    }
    if line.menu.cap_unit == PER_PERSON_HALF_DAY:
        cols |= {COL["受講者数"], COL["半日数"]}
    if line.menu.cap_unit == PER_MONTH:
        cols.add(COL["月数"])
    allowed = {c.code for c in line.menu.expense_categories.all()}
    for offset, category in enumerate(categories):
        if category.code in allowed:
            cols.add(FIRST_EXPENSE_COL + offset)
    return cols


# --- upload --------------------------------------------------------------------------------


def _ref(sheet, row: int, col: int) -> str:
    return f"シート「{sheet.title}」セル{get_column_letter(col)}{row}"


def _is_formula(value) -> bool:
    if isinstance(value, str):
        return value.startswith("=")
    return not isinstance(
        value, int | float | str | bool | datetime.date | datetime.time | type(None)
    )


def _thousands_format(number_format: str) -> bool:
    return "千円" in number_format or bool(re.search(r"0,(\"|$|;)", number_format or ""))


def parse_amount(
    value, number_format: str, where: str, label: str, result: ReadResult
) -> int | None:
    """A yen amount from one cell, normalised with a note, or None with an error.
    Digits of other scripts, NaN, infinities and more than 100億円 are refused
    (zaitaku_portal/bounds.py)."""
    from zaitaku_portal.bounds import YEN_MAX, shown

    if value is None or (isinstance(value, str) and not value.strip()):
        return 0
    if _is_formula(value):
        result.errors.append(
            f"{where}（{label}）に数式が入っています。数式ではなく金額を入力してください。"
        )
        return None
    if isinstance(value, bool | datetime.date | datetime.time):
        result.errors.append(f"{where}（{label}）は金額（円）を入力してください（入力: {value}）。")
        return None
    thousands = _thousands_format(number_format) and not isinstance(value, str)
    if isinstance(value, str):
        text = unicodedata.normalize("NFKC", value).strip().replace(" ", "")
        if text.endswith("千円") or text.endswith("千"):
            thousands = True
            text = text.removesuffix("千円").removesuffix("千")
        text = text.removesuffix("円").replace(",", "").lstrip("¥￥")
        try:
            number = Decimal(text) if text.isascii() else Decimal("NaN")
        except InvalidOperation:
            number = Decimal("NaN")
    else:
        number = Decimal(str(value))
    if not number.is_finite():
        result.errors.append(
            f"{where}（{label}）の「{shown(value)}」を金額として読めません。円単位の数字を入力してください。"
        )
        return None
    if thousands:
        number *= 1000
    if number < 0:
        result.errors.append(
            f"{where}（{label}）に負の金額は入力できません（入力: {shown(value)}）。"
        )
        return None
    if number > YEN_MAX:
        result.errors.append(
            f"{where}（{label}）が大きすぎます。{YEN_MAX:,}円以下で入力してください"
            f"（入力: {shown(value)}）。"
        )
        return None
    if number != number.to_integral_value():
        result.errors.append(
            f"{where}（{label}）に円未満の端数があります（入力: {shown(value)}）。"
        )
        return None
    amount = int(number)
    if thousands:
        result.notes.append(
            f"{where}（{label}）: 千円単位の「{value}」を{amount:,}円として読み取りました。"
        )
    elif isinstance(value, str):
        result.notes.append(f"{where}（{label}）: 「{value}」を{amount:,}円として読み取りました。")
    return amount


def parse_count(value, where: str, label: str, result: ReadResult) -> int | None:
    """A count bounded as the model field of the same label says (zaitaku_portal/bounds.py)."""
    from subsidies.models import Application, MenuPlan
    from zaitaku_portal.bounds import PEOPLE_MAX, max_value_by_label, shown

    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if _is_formula(value):
        result.errors.append(f"{where}（{label}）に数式が入っています。数値を入力してください。")
        return None
    if isinstance(value, bool | datetime.date | datetime.time):
        result.errors.append(f"{where}（{label}）は整数で入力してください（入力: {value}）。")
        return None
    text = unicodedata.normalize("NFKC", str(value)).strip()
    text = re.sub(r"(人|回|か月|ヶ月|カ月|月|半日|区割り?|件)$", "", text)
    try:
        number = Decimal(text) if text.isascii() else Decimal("NaN")
    except InvalidOperation:
        number = Decimal("NaN")
    if not number.is_finite():
        result.errors.append(
            f"{where}（{label}）の「{shown(value)}」を数として読めません。整数を入力してください。"
        )
        return None
    if number < 0 or number != number.to_integral_value():
        result.errors.append(
            f"{where}（{label}）は0以上の整数で入力してください（入力: {shown(value)}）。"
        )
        return None
    maximum = max_value_by_label(label, Application, MenuPlan) or PEOPLE_MAX
    if number > maximum:
        result.errors.append(
            f"{where}（{label}）が大きすぎます。{maximum:,}以下で入力してください"
            f"（入力: {shown(value)}）。"
        )
        return None
    if isinstance(value, str):
        result.notes.append(f"{where}（{label}）: 「{value}」を{int(number)}として読み取りました。")
    return int(number)


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


def parse_start_year(value, choices: list[int], where: str, result: ReadResult) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    text = unicodedata.normalize("NFKC", str(value)).strip().replace(" ", "")
    match = re.fullmatch(r"(?:R|r|令和)?(\d{1,2})(?:年度?)?[〜~～-]?", text)
    labels = "・".join(f"「{start_year_label(y)}」" for y in choices)
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


def _text(cell, where: str, label: str, result: ReadResult) -> str | None:
    """A text as typed. The download writes =1+1 as a text cell, so only a real formula
    cell (data_type "f") is refused; _x000D_ is read back as the CR it stands for."""
    value = cell.value
    if value is None:
        return ""
    if cell.data_type == "f" or (not isinstance(value, str) and _is_formula(value)):
        result.errors.append(f"{where}（{label}）に数式が入っています。文字を入力してください。")
        return None
    from subsidies.models import Application, MenuPlan
    from zaitaku_portal.bounds import max_length_by_label

    text = text_from_xlsx(str(value)).strip()
    limit = max_length_by_label(label, Application, MenuPlan)
    if limit is not None and len(text) > limit:
        result.errors.append(
            f"{where}（{label}）は{limit:,}文字以内で入力してください（入力は{len(text):,}文字）。"
        )
        return None
    return text


UPLOAD_MAX_BYTES = 5 * 1024 * 1024  # the form is a few dozen KB; 5 MB is generous
PLAN_LIMITS = WorkbookLimits(
    # A hub with 40 hospitals and all six hospital menus is 240 lines on 4-②; the columns:
    # 11 fixed, one per expense category and the total. Past that nothing is the form's,
    # and read_workbook's row checks would build every cell up to sheet.max_row.
    sheet=SheetLimits(max_row=500, max_column=64),
    max_cells=50_000,
    max_part_bytes=20 * 1024 * 1024,
)


def read_workbook(application, upload) -> ReadResult:
    result = ReadResult()
    name = getattr(upload, "name", "") or ""
    data = upload.read()
    problem = check_xlsx_upload(
        io.BytesIO(data),
        name,
        len(data),
        max_bytes=UPLOAD_MAX_BYTES,
        limits=PLAN_LIMITS,
        empty_hint="ダウンロードした様式に記入したファイルを選んでください。",
        format_hint="ダウンロードした様式に記入して、.xlsx のまま保存してください。",
    )
    if problem:
        result.errors.append(f"「{name}」: {problem}")
        return result
    if not name.lower().endswith(".xlsx") or not zipfile.is_zipfile(io.BytesIO(data)):
        result.errors.append(
            f"「{name}」をExcelファイル（.xlsx）として読み込めません。"
            "ダウンロードした様式に記入して、.xlsx のまま保存してください。"
        )
        return result
    try:
        workbook = load_workbook(io.BytesIO(data), data_only=False)
    except Exception:  # openpyxl raises many kinds on a damaged file
        result.errors.append(f"「{name}」は壊れているか、Excelの様式として読み込めません。")
        return result
    missing = [
        s
        for s in (HUB_SHEET, HOSPITAL_SHEET, MEETING_SHEET, META_SHEET)
        if s not in workbook.sheetnames
    ]
    if missing:
        result.errors.append(
            "この申請の様式ではありません（シート"
            + "・".join(f"「{s}」" for s in missing)
            + "がありません）。この画面からダウンロードした様式を使ってください。"
        )
        return result
    meta = workbook[META_SHEET]
    if meta["A1"].value != MARKER:
        result.errors.append(
            "この申請の様式ではありません（様式の識別情報がありません）。この画面からダウンロードした様式を使ってください。"
        )
        return result
    if (meta["A2"].value, meta["A3"].value, meta["A4"].value) != (
        application.pk,
        application.fiscal_year.year,
        application.hub_id,
    ):
        result.errors.append(
            "別の申請（拠点または年度が違う）の様式です。"
            f"{application.hub.name}の{fiscal_year_label(application.fiscal_year.year)}の画面からダウンロードした様式を使ってください。"
        )
        return result

    categories = _categories()
    headers = FIXED_HEADERS + [f"{c.name}（円）" for c in categories] + ["予定経費の合計（円）"]
    lines = {service.key_of(line): line for line in service.lines_of(application)}
    plan = service.current_plan(application)
    choices = service.start_year_choices(application.fiscal_year)

    for sheet_name in (HUB_SHEET, HOSPITAL_SHEET):
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
        return result

    mapped_rows: dict[str, set[int]] = {HUB_SHEET: set(), HOSPITAL_SHEET: set()}
    for meta_row in meta.iter_rows(min_row=10, max_col=3, values_only=True):
        sheet_name, row, key = meta_row
        if sheet_name is None:
            break
        if key not in lines:
            continue
        line = lines[key]
        sheet = workbook[sheet_name]
        mapped_rows[sheet_name].add(row)
        _read_line(sheet, row, line, categories, plan["lines"].setdefault(key, {}), choices, result)

    for sheet_name, rows in mapped_rows.items():
        sheet = workbook[sheet_name]
        last = max(rows, default=FIRST_ROW - 1)
        for row in range(last + 1, sheet.max_row + 1):
            if any(sheet.cell(row, col).value not in (None, "") for col in range(1, len(headers))):
                result.errors.append(
                    f"シート「{sheet_name}」{row}行目: 様式にない行が追加されています。"
                    "行の追加・移動はできません（その他の取り組みは4-③の「その他取り組み事項」へ）。"
                )
                break

    meeting = workbook[MEETING_SHEET]
    for field_name, (ref, label) in MEETING_CELLS.items():
        label_cell = meeting.cell(int(ref[1:]), 1)
        where = f"シート「{MEETING_SHEET}」セル{ref}"
        if label_cell.value != label:
            result.errors.append(
                f"シート「{MEETING_SHEET}」セルA{ref[1:]}の見出しが「{label}」ではありません。行の挿入・削除はできません。"
            )
            continue
        value = meeting[ref].value
        if field_name in ("district_count", "meeting_body_count", "planned_meetings"):
            number = parse_count(value, where, label, result)
            if field_name == "district_count" and number is not None and number < 1:
                result.errors.append(f"{where}（区割り数）は1以上で入力してください。")
            plan[field_name] = number if number is not None or field_name != "district_count" else 1
        else:
            text = _text(meeting[ref], where, label, result)
            if text is not None:
                plan[field_name] = text
    for merged in meeting.merged_cells.ranges:
        if merged.max_row >= 3:
            result.errors.append(
                f"シート「{MEETING_SHEET}」セル{merged.coord}が結合されています。セルの結合を解除してください。"
            )
    if not result.errors:
        for message in service.validate_plan(application, plan):
            result.errors.append(message)
    result.plan = plan if result.ok else {}
    return result


def _read_line(sheet, row, line, categories, data: dict, choices, result: ReadResult) -> None:
    def cell(header):
        return sheet.cell(row, COL[header])

    expected_recipient = (
        line.designation.institution.name if line.designation_id else line.application.hub.name
    )
    checks = (
        ("補助事業者", expected_recipient, "補助事業者名"),
        ("補助事業区分", line.menu.name, "補助メニュー名"),
        ("補助額目安（千円）", _cap_thousands(line.menu), "補助額目安（上限額）"),
    )
    for header, expected, label in checks:
        actual = cell(header).value
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
            return
    applicable = _applicable_columns(line, categories)
    where = lambda col: _ref(sheet, row, col)  # noqa: E731
    for col in range(COL["補助の希望"], FIRST_EXPENSE_COL + len(categories)):
        value = sheet.cell(row, col).value
        if col not in applicable and value not in (None, "", 0):
            header = sheet.cell(HEADER_ROW, col).value
            result.errors.append(
                f"{where(col)}（{header}）は「{line.menu.name}」の対象外です（灰色のセル）。値を消してください。"
            )
    wish = parse_wish(cell("補助の希望").value, where(COL["補助の希望"]), result)
    if wish is not None:
        data["wish"] = wish
    text = _text(cell("取り組み事項"), where(COL["取り組み事項"]), "取り組み事項", result)
    if text is not None:
        data["planned_actions"] = text
    data["start_year"] = parse_start_year(
        cell("開始年度").value, choices, where(COL["開始年度"]), result
    )
    for header, key in (("受講者数", "trainees"), ("半日数", "half_days"), ("月数", "months")):
        if COL[header] in applicable:
            data[key] = parse_count(cell(header).value, where(COL[header]), header, result)
    income_cell = cell("寄付金その他の収入（円）")
    income = parse_amount(
        income_cell.value,
        income_cell.number_format,
        where(COL["寄付金その他の収入（円）"]),
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
        amount = parse_amount(target.value, target.number_format, where(col), category.name, result)
        if amount:
            expenses[category.code] = amount
    data["expenses"] = expenses


def plan_from_json(plan: dict) -> dict:
    """The plan kept in the session between preview and confirm (JSON keeps ints as ints)."""
    return plan
