"""Excel round trip of the results report's expense part (実支出額).

Download: one row per decided line (the hub's menus, each hospital's menus), one column per
expense category, then A 総事業費, B 寄附金その他の収入額 and the excluded part; a second sheet
holds the report's 更新番号 so an upload made from an old download is refused (the same
optimistic concurrency as the web form). Upload: every cell is read back into the same plain
data the form produces and goes through subsidies.results.services.save_report, so the same
checks apply and an upload with any error saves nothing."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from subsidies.models import ExcludedSource, ExpenseCategory
from subsidies.results import columns as seisan
from subsidies.results import rules as claims
from zaitaku_portal.exports import text_from_xlsx
from zaitaku_portal.spreadsheets import Column, write_xlsx
from zaitaku_portal.uploads import check_xlsx_upload
from zaitaku_portal.wareki import fiscal_year_label
from zaitaku_portal.workbook_bounds import SheetLimits, WorkbookLimits

KEY_HEADER = "行キー（変更しないでください）"
LINE_HEADER = "補助事業者・補助メニュー"
TAIL = [
    ("total_cost", seisan.TOTAL_COST.field_label),
    ("other_income", seisan.OTHER_INCOME.field_label),
    ("excluded_amount", "対象外とする額"),
]
SOURCE_HEADER = "対象外の財源"
REASON_HEADER = "対象外とする理由"
NOT_DONE_HEADER = "未実施（実施しなかったメニューは「未実施」）"
NOT_DONE_REASON_HEADER = "未実施の理由"
NOT_DONE = "未実施"
NOT_DONE_WORDS = frozenset({NOT_DONE, "○", "〇", "はい"})
INFO_SHEET = "情報"
DATA_SHEET = "実支出額"


def expense_workbook(report) -> bytes:
    categories = list(ExpenseCategory.objects.order_by("display_order", "pk"))
    hub_name = report.application.hub.name
    columns = [
        Column(KEY_HEADER),
        Column(LINE_HEADER),
        *(Column(c.name, "yen") for c in categories),
        *(Column(label, "yen") for _, label in TAIL),
        Column(NOT_DONE_HEADER),
        Column(NOT_DONE_REASON_HEADER),
        Column(SOURCE_HEADER),
        Column(REASON_HEADER),
    ]
    rows = []
    for expense in claims.expenses_of(report):
        allowed = {c.code for c in expense.menu.expense_categories.all()}
        rows.append(
            [
                claims.expense_key(expense),
                claims.expense_label(expense, hub_name),
                *(
                    expense.expenses.get(c.code, 0) if c.code in allowed else None
                    for c in categories
                ),
                *(getattr(expense, name) for name, _ in TAIL),
                NOT_DONE if expense.not_carried_out else "",
                expense.not_carried_out_reason,
                expense.get_excluded_source_display() if expense.excluded_source else "",
                expense.excluded_reason,
            ]
        )
    info = [
        ["実績報告", str(report)],
        ["更新番号", report.version],
        ["説明", "費目の空欄は補助対象外の費目です。金額は円単位の整数で入力してください。"],
        [
            "未実施",
            "交付決定されたが実施しなかったメニューは「未実施」と書き、理由を入力します"
            "（金額はすべて0円）。",
        ],
    ]
    year = fiscal_year_label(report.application.fiscal_year.year)
    return write_xlsx(
        [
            (DATA_SHEET, columns, rows),
            (INFO_SHEET, [Column("項目"), Column("内容")], info),
        ],
        page_header=f"{hub_name}　{year}　実績報告（実支出額）",
    )


def _yen(value, label: str, problems: list[str]) -> int:
    """Read by zaitaku_portal.bounds.read_yen, bounded as every amount is: 0 to 100億円."""
    from zaitaku_portal.bounds import YEN_MAX, read_yen, shown

    reading = read_yen(value)
    if reading.problem == "negative":
        problems.append(f"{label}は0以上で入力してください（入力: {reading.amount:,}）。")
    elif reading.problem == "too_large":
        problems.append(f"{label}が大きすぎます。{YEN_MAX:,}円以下で入力してください。")
    elif not reading.ok:
        problems.append(f"{label}は円単位の0以上の整数で入力してください（入力: {shown(value)}）。")
    return reading.amount if reading.ok else 0


UPLOAD_MAX_BYTES = 5 * 1024 * 1024
EXPENSE_LIMITS = WorkbookLimits(
    # one row per decided line (a few dozen), 2 + categories + 5 columns; past that nothing
    # is the form's, and openpyxl would pad every row up to the sheet's dimension
    sheet=SheetLimits(max_row=500, max_column=64),
    max_cells=50_000,
    max_part_bytes=20 * 1024 * 1024,
)


def _read_sheets(data: bytes) -> tuple[list[tuple], list, list[tuple]]:
    """(情報 rows from row 2, the header, 実支出額 rows from row 2) in openpyxl's read-only
    mode, only once check_xlsx_upload has bounded the sheets."""
    workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        sheet, info = workbook[DATA_SHEET], workbook[INFO_SHEET]
        for bounded in (sheet, info):
            bounded.reset_dimensions()  # a stale <dimension> would cut rows short
        info_rows = list(info.iter_rows(min_row=2, max_col=2, values_only=True))
        rows = list(sheet.iter_rows(values_only=True))
    finally:
        workbook.close()
    return info_rows, list(rows[0]) if rows else [], rows[1:]


def read_expense_workbook(report, upload) -> tuple[int, dict]:
    """(更新番号 of the download, {"expenses": {...}}) or ClaimError listing every problem."""
    info_rows, header, rows = _opened(upload)
    version = _version_of(info_rows)
    categories = {c.name: c.code for c in ExpenseCategory.objects.all()}
    sources = {label: code for code, label in ExcludedSource.choices}
    sources[""] = ""
    problems: list[str] = []
    missing = [h for h in (KEY_HEADER, *(label for _, label in TAIL)) if h not in header]
    if missing:
        raise claims.ClaimError(f"見出しの行に「{'」「'.join(missing)}」がありません。")
    keys = {claims.expense_key(e): e for e in claims.expenses_of(report)}
    data: dict = {"expenses": {}}
    for number, row in enumerate(rows, start=2):
        cells = dict(zip(header, row, strict=False))
        key = cells.get(KEY_HEADER)
        if not key:
            continue
        if key not in keys:
            problems.append(f"{number}行目: 行キー「{key}」はこの実績報告にありません。")
            continue
        where = f"{number}行目「{cells.get(LINE_HEADER) or key}」"
        data["expenses"][key] = _row_values(cells, where, categories, sources, problems)
    if problems:
        raise claims.ClaimError("Excelの内容に誤りがあります。取り込んでいません。", problems)
    return version, data


def _opened(upload) -> tuple[list[tuple], list, list[tuple]]:
    """The upload's sheets once it has passed the size, format and shape checks."""
    data = upload.read()
    name = getattr(upload, "name", "") or ""
    problem = check_xlsx_upload(
        io.BytesIO(data),
        name,
        len(data),
        max_bytes=UPLOAD_MAX_BYTES,
        limits=EXPENSE_LIMITS,
        empty_hint="ダウンロードした様式に記入したファイルを選んでください。",
        format_hint="ダウンロードした様式に記入して、.xlsx のまま保存してください。",
    )
    if problem:
        raise claims.ClaimError(f"「{name}」: {problem}")
    try:
        return _read_sheets(data)
    except Exception:
        raise claims.ClaimError(
            "Excelファイルを読み込めませんでした。この画面からダウンロードした様式を使ってください。"
        ) from None


def _version_of(info_rows: list[tuple]) -> int:
    """The 更新番号 the download was made at (the last one, if the sheet repeats it)."""
    version = None
    for label, value, *_ in ((*row, None, None) for row in info_rows):
        if label == "更新番号" and str(value or "").strip().isdigit():
            version = int(str(value).strip())
    if version is None:
        raise claims.ClaimError("シート「情報」の更新番号が読み取れません。")
    return version


def _row_values(
    cells: dict, where: str, categories: dict, sources: dict, problems: list[str]
) -> dict:
    """One line's values as the web form gives them; `where` is 「N行目「line」」."""
    values: dict = {"expenses": {}}
    for name, code in categories.items():
        if name in cells and cells[name] not in (None, ""):
            values["expenses"][code] = _yen(cells[name], f"{where}の{name}", problems)
    for field, label in TAIL:
        values[field] = _yen(cells.get(label), f"{where}の{label}", problems)
    source = str(cells.get(SOURCE_HEADER) or "").strip()
    if source == "なし":
        source = ""
    if source not in sources:
        problems.append(
            f"{where}の対象外の財源「{source}」は、"
            "「市町村の在宅医療・介護連携推進事業」「他の補助金」または空欄にしてください。"
        )
    values["excluded_source"] = sources.get(source, "")
    values["excluded_reason"] = text_from_xlsx(str(cells.get(REASON_HEADER) or "")).strip()
    if NOT_DONE_HEADER in cells:  # a download from before the column keeps what is saved
        done = str(cells.get(NOT_DONE_HEADER) or "").strip()
        if done and done not in NOT_DONE_WORDS:
            problems.append(
                f"{where}の{NOT_DONE_REASON_HEADER.removesuffix('の理由')}欄「{done}」は、"
                f"「{NOT_DONE}」または空欄にしてください。"
            )
        values["not_carried_out"] = done in NOT_DONE_WORDS
        reason = str(cells.get(NOT_DONE_REASON_HEADER) or "")
        values["not_carried_out_reason"] = text_from_xlsx(reason).strip()
    return values
