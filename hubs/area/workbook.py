"""The one-sheet workbook of area figures: its layout, the template to download, the reader.

Layout (sheet 「人口・資源」, header on row 1, one place and year per row from row 2):

    A 在宅医療圏 | B 市区町村（空欄は圏域全体） | C 数値の年（西暦） | D 人口（人）
    | E 高齢化率（％） | F〜Q 資源の数（ResourceKind の順、空欄は不明） | R 出典

The reader is all or nothing: every cell is checked, every problem is listed with its row and
cell (「5行目 E5（高齢化率（％））: …」), and nothing is saved while any remains. Only the
areas the user may edit are accepted. The upload passes zaitaku_portal.uploads'
check_xlsx_upload (container, size, sheet bounds) before openpyxl opens it read-only."""

from __future__ import annotations

import io
from decimal import Decimal, InvalidOperation

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from hubs.models import ResourceKind
from hubs.models.area import POPULATION_MAX, RESOURCE_MAX, YEAR_MAX, YEAR_MIN
from zaitaku_portal.bounds import number_text, shown, whole_number
from zaitaku_portal.spreadsheets import Column, text_from_xlsx, write_xlsx
from zaitaku_portal.uploads import check_xlsx_upload
from zaitaku_portal.workbook_bounds import SheetLimits, WorkbookLimits

SHEET = "人口・資源"
AREA, MUNICIPALITY, YEAR, POPULATION, RATE = (
    "在宅医療圏",
    "市区町村（空欄は圏域全体）",
    "数値の年（西暦）",
    "人口（人）",
    "高齢化率（％）",
)
SOURCE = "出典"
RESOURCE_HEADERS = [(kind.value, f"{kind.label}（数）") for kind in ResourceKind]
HEADERS = [AREA, MUNICIPALITY, YEAR, POPULATION, RATE, *(h for _, h in RESOURCE_HEADERS), SOURCE]
UPLOAD_MAX_BYTES = 2 * 1024 * 1024
LIMITS = WorkbookLimits(
    sheet=SheetLimits(max_row=2_000, max_column=len(HEADERS)),
    max_cells=2_000 * len(HEADERS),
    max_part_bytes=10 * 1024 * 1024,
    scope="様式",
)


class WorkbookProblems(Exception):
    def __init__(self, message: str, problems: list[str] | None = None):
        super().__init__(message)
        self.message = message
        self.problems = problems or []


def template(areas) -> bytes:
    """The layout with one row per area and per municipality of `areas`, year left empty."""
    rows = []
    for area in areas.prefetch_related("municipalities").order_by("display_order", "name"):
        rows.append([area.name, "", None, None, None, *([None] * len(RESOURCE_HEADERS)), ""])
        for municipality in area.municipalities.order_by("code"):
            rows.append(
                [area.name, str(municipality), None, None, None]
                + [None] * len(RESOURCE_HEADERS)
                + [""]
            )
    columns = [Column(h, "text" if h in (AREA, MUNICIPALITY, SOURCE) else "int") for h in HEADERS]
    columns[HEADERS.index(RATE)] = Column(RATE, "text")
    return write_xlsx([(SHEET, columns, rows)])


# --- reading ---------------------------------------------------------------------------------


def _cell(row, index: int):
    return row[index] if index < len(row) else None


def _where(number: int, column: int, header: str) -> str:
    return f"{number}行目 {get_column_letter(column + 1)}{number}（{header}）"


def _count(value, where: str, maximum: int, problems: list[str], required: bool) -> int | None:
    if value in (None, ""):
        if required:
            problems.append(f"{where}: 入力してください。")
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    number = value if isinstance(value, int) and not isinstance(value, bool) else None
    if number is None:
        number = whole_number(value)
    if number is None:
        problems.append(f"{where}: 0以上の整数で入力してください（入力: {shown(value)}）。")
        return None
    if number > maximum:
        problems.append(f"{where}: {maximum:,}以下で入力してください（入力: {shown(value)}）。")
        return None
    return number


def _rate(value, percent_format: bool, where: str, problems: list[str]) -> Decimal | None:
    if value in (None, ""):
        problems.append(f"{where}: 入力してください。")
        return None
    text = number_text(value).removesuffix("%").strip()
    try:
        rate = Decimal(text)
    except InvalidOperation:
        problems.append(f"{where}: 0〜100の数（％）で入力してください（入力: {shown(value)}）。")
        return None
    if percent_format:
        rate *= 100  # a cell formatted as 28.4% holds 0.284
    if not rate.is_finite() or rate < 0 or rate > 100:
        problems.append(f"{where}: 0〜100の数（％）で入力してください（入力: {shown(value)}）。")
        return None
    rounded = rate.quantize(Decimal("0.1"))
    if rounded != rate:
        problems.append(f"{where}: 小数第1位までで入力してください（入力: {shown(value)}）。")
        return None
    return rounded


class _Places:
    """The areas the user may edit, by name, and their municipalities by name."""

    def __init__(self, areas):
        self.areas = {a.name: a for a in areas.prefetch_related("municipalities")}
        self.municipalities = {
            a.name: {
                **{m.name: m for m in a.municipalities.all()},
                **{str(m): m for m in a.municipalities.all()},
            }
            for a in self.areas.values()
        }


def _place(cells: list, number: int, places: _Places, problems: list[str]):
    area_name = str(text_from_xlsx(cells[0]) or "").strip()
    where = _where(number, 0, AREA)
    if not area_name:
        problems.append(f"{where}: 入力してください。")
        return None, None
    area = places.areas.get(area_name)
    if area is None:
        problems.append(
            f"{where}: 在宅医療圏「{shown(area_name)}」は登録がないか、編集できない圏域です。"
        )
        return None, None
    name = str(text_from_xlsx(cells[1]) or "").strip()
    if not name:
        return area, None
    municipality = places.municipalities[area.name].get(name)
    if municipality is None:
        problems.append(
            f"{_where(number, 1, MUNICIPALITY)}: 市区町村「{shown(name)}」は"
            f"在宅医療圏「{area.name}」の構成市区町村ではありません。"
        )
        return area, False
    return area, municipality


def _row(cells: list, formats: list, number: int, places: _Places, problems: list[str]):
    before = len(problems)
    area, municipality = _place(cells, number, places, problems)
    year = _count(cells[2], _where(number, 2, YEAR), YEAR_MAX, problems, required=True)
    if year is not None and year < YEAR_MIN:
        problems.append(f"{_where(number, 2, YEAR)}: {YEAR_MIN}年以降の西暦で入力してください。")
    population = _count(cells[3], _where(number, 3, POPULATION), POPULATION_MAX, problems, True)
    rate = _rate(cells[4], "%" in (formats[4] or ""), _where(number, 4, RATE), problems)
    counts = {}
    for offset, (kind, header) in enumerate(RESOURCE_HEADERS, start=5):
        counts[kind] = _count(
            cells[offset], _where(number, offset, header), RESOURCE_MAX, problems, required=False
        )
    source = str(text_from_xlsx(cells[len(HEADERS) - 1]) or "").strip()
    if len(source) > 200:
        problems.append(f"{_where(number, len(HEADERS) - 1, SOURCE)}: 200文字以内にしてください。")
    if len(problems) > before:
        return None
    values = {
        "municipality": municipality,
        "figure_year": year,
        "population": population,
        "ageing_rate": rate,
        "source": source,
        "counts": counts,
    }
    return area, values


def _sheet_rows(data: bytes) -> list[tuple[list, list]]:
    workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        if SHEET not in workbook.sheetnames:
            raise WorkbookProblems(
                f"シート「{SHEET}」がありません。ダウンロードした様式を使ってください。"
            )
        sheet = workbook[SHEET]
        sheet.reset_dimensions()
        rows = []
        for row in sheet.iter_rows(max_col=len(HEADERS)):
            cells = [getattr(c, "value", None) for c in row]
            formats = [getattr(c, "number_format", "") for c in row]
            padding = len(HEADERS) - len(cells)
            rows.append((cells + [None] * padding, formats + [""] * padding))
    finally:
        workbook.close()
    return rows


def _opened(upload) -> list[tuple[list, list]]:
    data = upload.read()
    name = getattr(upload, "name", "") or ""
    problem = check_xlsx_upload(
        io.BytesIO(data),
        name,
        len(data),
        max_bytes=UPLOAD_MAX_BYTES,
        limits=LIMITS,
        empty_hint="ダウンロードした様式に記入したファイルを選んでください。",
        format_hint="ダウンロードした様式に記入して、.xlsx のまま保存してください。",
    )
    if problem:
        raise WorkbookProblems(f"「{shown(name)}」: {problem}")
    try:
        return _sheet_rows(data)
    except WorkbookProblems:
        raise
    except Exception:
        raise WorkbookProblems(
            "Excelファイルを読み込めませんでした。この画面からダウンロードした様式を使ってください。"
        ) from None


def read_workbook(upload, areas) -> list[tuple[object, dict]]:
    """[(area, values for services.write_profile)] of every filled row, or WorkbookProblems
    listing every problem (nothing is saved then)."""
    rows = _opened(upload)
    if not rows or [str(v or "").strip() for v in rows[0][0]] != HEADERS:
        raise WorkbookProblems(
            "1行目の見出しが様式と違います。この画面からダウンロードした様式を使ってください。"
        )
    places = _Places(areas)
    problems: list[str] = []
    read: list[tuple[object, dict]] = []
    seen: dict[tuple, int] = {}
    for number, (cells, formats) in enumerate(rows[1:], start=2):
        if all(v in (None, "") for v in cells[2:]):
            continue  # a template row nobody filled
        result = _row(cells, formats, number, places, problems)
        if result is None:
            continue
        area, values = result
        key = (area.pk, getattr(values["municipality"], "pk", None), values["figure_year"])
        if key in seen:
            problems.append(
                f"{number}行目: {seen[key]}行目と同じ場所・年です。どちらか1行にしてください。"
            )
            continue
        seen[key] = number
        read.append((area, values))
    if problems:
        raise WorkbookProblems("Excelの内容に誤りがあります。取り込んでいません。", problems)
    if not read:
        raise WorkbookProblems(
            "取り込む行がありません。数値の年・人口・高齢化率を入力してください。"
        )
    return read
