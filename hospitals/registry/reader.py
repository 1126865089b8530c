"""Reading the 届出受理医療機関名簿 (the regional health bureau's list of accepted standards).

The workbook is streamed with openpyxl in read-only mode; nothing here touches the database.
Every problem names the row, the cell and the column, in Japanese, so a clerk can open the
file and fix it. The container is checked before openpyxl sees it: size, encryption, macros
and zip bombs are refused without being unpacked. The work is bounded (REGISTRY_LIMITS:
rows, columns, the cells of the list, each part's size, no DOCTYPE; MAX_READ_SECONDS), so
a crafted list cannot keep a core busy, and the limit hit is named; a damaged file is
described in Japanese, never by Python's exception text (issue 12)."""

from __future__ import annotations

import datetime
import functools
import hashlib
import logging
import re
import time
import unicodedata
from dataclasses import dataclass, field
from typing import IO

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import from_excel

from hospitals.codes import SCORE_TABLE_MEDICAL, luhn_check_passes
from hospitals.registry import xlsx_stream
from zaitaku_portal.uploads import MAX_UNCOMPRESSED_BYTES, check_xlsx_container
from zaitaku_portal.wareki import parse_wareki, wareki_date
from zaitaku_portal.workbook_bounds import (
    SheetLimits,
    WorkbookLimits,
    WorkbookRefused,
    check_workbook_bounds,
)

logger = logging.getLogger(__name__)

MAX_FILE_BYTES = 20 * 1024 * 1024
"""A prefecture's 医科 list (tens of thousands of rows) is 3-6 MB; 20 MB leaves room."""
MAX_PROBLEMS_KEPT = 500
REGISTRY_LIMITS = WorkbookLimits(
    # The largest bureau's 医科 list is some 100,000 rows of 13 columns (the benchmark's
    # size); three times that, and columns to AX, leave room without letting a list that
    # reaches row 1,048,576 or column XFD make the reader pad millions of empty values.
    sheet=SheetLimits(max_row=300_000, max_column=50),
    max_cells=5_000_000,
    max_part_bytes=MAX_UNCOMPRESSED_BYTES,
    scope="名簿",
)
MAX_READ_SECONDS = 120
"""100,000 rows read in about 20 s on the CI machine (benchmarks/registry_import.py)."""
UNREADABLE = (
    "Excelファイルとして読み込めませんでした。ファイルが壊れている可能性があります。"
    "Excelで開いて .xlsx で保存し直してから選んでください。"
)
HEADER_ROW = 4
TITLE_ROWS = 3


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    aliases: tuple[str, ...] = ()
    required: bool = True


COLUMNS = (
    Column("prefecture", "都道府県コード", ("都道府県番号",)),
    Column("section", "区分"),
    Column("number", "医療機関番号"),
    Column("name", "医療機関名称", ("医療機関名",)),
    Column("postal_code", "郵便番号", ("医療機関所在地(郵便番号)", "所在地(郵便番号)"), False),
    Column("address", "住所", ("医療機関所在地(住所)", "所在地(住所)", "所在地")),
    Column("phone", "電話番号", (), False),
    Column("beds", "病床数", (), False),
    Column("standard_name", "受理届出名称", (), False),
    Column("symbol", "受理記号"),
    Column("acceptance_number", "受理番号", (), False),
    Column("since", "算定開始年月日"),
)

SECTIONS = {"医科": "1", "歯科": "3", "薬局": "4", "調剤": "4"}

TIER_SINGLE = "enhanced_single"
TIER_LINKED = "enhanced_linked"
TIER_CONVENTIONAL = "conventional"
TIER_NONE = "none"
TIER_STRENGTH = {TIER_NONE: 0, TIER_CONVENTIONAL: 1, TIER_LINKED: 2, TIER_SINGLE: 3}
_SUPPORT_SYMBOL = re.compile(r"^支援(?P<kind>[診病])(?P<tier>[123])(?P<sub>[アイ]?)$")
BACKUP_SYMBOL = "在後病"


class RegistryFileError(Exception):
    """The file as a whole cannot be read; the message is shown to the user as is."""


def normalise(value) -> str:
    """Full-width digits, letters and spaces to half-width; inner runs of space kept single."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return _normalise_text(str(value))


@functools.lru_cache(maxsize=65536)
def _normalise_text(text: str) -> str:
    # a list repeats the same names, dates and symbols on every row of a facility
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text)).strip()


@functools.lru_cache(maxsize=65536)
def _compact_text(text: str) -> str:
    return re.sub(r"\s", "", text)


_parse_since = functools.lru_cache(maxsize=8192)(parse_wareki)


def _compact(value) -> str:
    return _compact_text(normalise(value))


@dataclass
class Problem:
    row: int | None
    cell: str
    column: str
    message: str
    severity: str = "error"

    def as_dict(self) -> dict:
        return {
            "row": self.row,
            "cell": self.cell,
            "column": self.column,
            "message": self.message,
            "severity": self.severity,
            "text": self.text,
        }

    @property
    def text(self) -> str:
        where = []
        if self.row:
            where.append(f"{self.row}行目")
        if self.cell:
            where.append(f"セル{self.cell}")
        place = " ".join(where)
        column = f"（{self.column}）" if self.column else ""
        return f"{place}{column}: {self.message}" if place or column else self.message


@dataclass
class ParseResult:
    file_name: str
    file_size: int
    sha256: str
    as_of: datetime.date | None = None
    facilities: dict[str, dict] = field(default_factory=dict)
    row_count: int = 0
    skipped_row_count: int = 0
    problems: list[Problem] = field(default_factory=list)
    error_count: int = 0
    warning_count: int = 0
    check_digit_failures: set[str] = field(default_factory=set)

    def add(self, problem: Problem) -> None:
        if problem.severity == "error":
            self.error_count += 1
        else:
            self.warning_count += 1
        if len(self.problems) < MAX_PROBLEMS_KEPT:
            self.problems.append(problem)

    def fail(self, message: str, row=None, cell="", column="") -> None:
        self.add(Problem(row, cell, column, message))

    @property
    def ok(self) -> bool:
        return self.error_count == 0


def check_container(stream: IO[bytes], file_name: str, size: int) -> str | None:
    """A Japanese message when the upload is not a plain .xlsx we may open, else None."""
    return check_xlsx_container(
        stream,
        file_name,
        size,
        max_bytes=MAX_FILE_BYTES,
        empty_hint="名簿のExcelファイルを選んでください。",
        format_hint="厚生局の名簿をExcel形式のまま選んでください。",
    )


def _sha256(stream: IO[bytes]) -> str:
    digest = hashlib.sha256()
    stream.seek(0)
    for chunk in iter(lambda: stream.read(1024 * 1024), b""):
        digest.update(chunk)
    stream.seek(0)
    return digest.hexdigest()


_AS_OF = re.compile(r"((?:令和|平成)\s*(?:元|\d{1,2})\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日)\s*現在")
_NUMBER = re.compile(r"^(\d{2})-?(\d{5})$")
_PREFECTURE = re.compile(r"^\d{1,2}$")


def _header_map(header: tuple, result: ParseResult) -> dict[str, int] | None:
    labels = {}
    for index, value in enumerate(header):
        text = _compact(value)
        if text:
            labels[text] = index
    if not labels:
        result.fail(
            f"{HEADER_ROW}行目に見出しがありません。厚生局の名簿（見出しは{HEADER_ROW}行目）を"
            "加工せずに選んでください。",
            row=HEADER_ROW,
        )
        return None
    positions: dict[str, int] = {}
    missing = []
    for column in COLUMNS:
        found = next(
            (labels[name] for name in (column.label, *column.aliases) if name in labels), None
        )
        if found is None:
            if column.required:
                missing.append(column.label)
        else:
            positions[column.key] = found
    if missing:
        seen = "、".join(f"「{label}」" for label in labels)
        result.fail(
            f"{HEADER_ROW}行目の見出しが名簿の形式と異なります。"
            f"見出し{'、'.join(f'「{m}」' for m in missing)}がありません"
            f"（見つかった見出し: {seen}）。",
            row=HEADER_ROW,
            cell=f"A{HEADER_ROW}",
        )
        return None
    return positions


def _beds(text: str) -> int | None:
    numbers = [int(n) for n in re.findall(r"\d+", text)]
    return sum(numbers) if numbers else None


ENGINES = ("stream", "openpyxl")


def read_registry(
    stream: IO[bytes], file_name: str, size: int, today=None, engine: str = "stream"
) -> ParseResult:
    """Parse the list into one record per 医科 facility (keyed by the 10-digit code).

    Raises RegistryFileError when the file cannot be opened at all; otherwise every problem
    is in result.problems and result.ok says whether it may be applied. engine "stream"
    (default) reads the sheet XML directly (hospitals/registry/xlsx_stream.py); "openpyxl"
    uses openpyxl's read-only mode, kept for comparison in the benchmark."""
    today = today or datetime.date.today()
    message = check_container(stream, file_name, size)
    if message:
        raise RegistryFileError(message)
    result = ParseResult(file_name=file_name, file_size=size, sha256=_sha256(stream))
    try:
        if engine == "openpyxl":
            _read_with_openpyxl(stream, result, today)
        else:
            rows = xlsx_stream.iter_rows(stream, REGISTRY_LIMITS)
            _read_sheet(_within_time(rows), result, today)
    except RegistryFileError:
        raise
    except WorkbookRefused as refused:
        raise RegistryFileError(refused.message) from None
    except xlsx_stream.XlsxStructureError as error:
        raise RegistryFileError(str(error)) from None
    except Exception:  # a damaged workbook fails in many ways: say so, log the detail
        logger.warning("registry file %r could not be read", file_name, exc_info=True)
        raise RegistryFileError(UNREADABLE) from None
    return result


def _read_with_openpyxl(stream: IO[bytes], result: ParseResult, today) -> None:
    message = check_workbook_bounds(stream, REGISTRY_LIMITS)
    if message:
        raise RegistryFileError(message)
    workbook = load_workbook(stream, read_only=True, data_only=True)
    try:
        rows = enumerate(workbook.worksheets[0].iter_rows(values_only=True), start=1)
        _read_sheet(_within_time(rows), result, today)
    finally:
        workbook.close()


def _within_time(rows):
    """The rows, until MAX_READ_SECONDS have passed: then the read stops, with the row."""
    deadline = time.monotonic() + MAX_READ_SECONDS
    for row in rows:
        if time.monotonic() >= deadline:
            raise RegistryFileError(
                f"名簿の読み込みが制限時間（{MAX_READ_SECONDS}秒）を超えたため中止しました"
                f"（{row[0]:,}行目まで読みました）。"
                "厚生局の名簿を加工せずに選んでください。"
            )
        yield row


def _read_sheet(rows, result: ParseResult, today: datetime.date) -> None:
    for row_number in range(1, TITLE_ROWS + 1):
        _number, values = next(rows, (row_number, ()))
        if result.as_of is None:
            _find_as_of(values or (), row_number, result, today)
    _number, header = next(rows, (HEADER_ROW, None))
    if result.as_of is None and result.ok:
        result.fail(
            "名簿の時点（例: [令和6年6月1日現在]）が1〜3行目に見つかりません。",
            row=2,
            cell="A2",
            column="表題",
        )
    if not header:
        result.fail(
            f"シートが空です。{HEADER_ROW}行目に見出し、{HEADER_ROW + 1}行目からデータが必要です。",
            row=HEADER_ROW,
        )
        return
    positions = _header_map(header, result)
    if positions is None:
        return
    letters = {key: get_column_letter(index + 1) for key, index in positions.items()}
    labels = {column.key: column.label for column in COLUMNS}
    seen: dict[tuple, int] = {}
    facilities = result.facilities
    for row_number, values in rows:
        if not values or all(v is None or str(v).strip() == "" for v in values):
            continue
        result.row_count += 1

        def cell(key: str, _values=values) -> str:
            index = positions.get(key)
            if index is None or index >= len(_values):
                return ""
            return normalise(_values[index])

        def fail(key: str, message: str, severity: str = "error", _row=row_number) -> None:
            result.add(Problem(_row, f"{letters[key]}{_row}", labels[key], message, severity))

        section_text = _compact(cell("section"))
        section = SECTIONS.get(section_text)
        if section is None:
            fail("section", f"「{section_text}」は区分として読めません（医科・歯科・薬局）。")
            continue
        if section != SCORE_TABLE_MEDICAL:
            result.skipped_row_count += 1
            continue
        prefecture = _compact(cell("prefecture"))
        if not _PREFECTURE.match(prefecture) or not 1 <= int(prefecture) <= 47:
            fail("prefecture", f"「{prefecture}」は都道府県コード（01〜47）ではありません。")
            continue
        number = _compact(cell("number")).replace("ー", "-").replace("−", "-")
        match = _NUMBER.match(number)
        if not match:
            fail("number", f"「{number}」は医療機関番号（例: 01-15202）として読めません。")
            continue
        code = f"{int(prefecture):02d}{section}{match[1]}{match[2]}"
        name = cell("name")
        if not name:
            fail("name", "医療機関名称が空です。")
            continue
        symbol = _compact(cell("symbol"))
        acceptance = _compact(cell("acceptance_number"))
        key = (code, symbol, acceptance)
        if key in seen:
            fail(
                "symbol",
                f"{seen[key]}行目と同じ医療機関（{code}）・受理記号（{symbol}）・"
                f"受理番号（{acceptance or '空欄'}）の行が重複しています。",
            )
            continue
        seen[key] = row_number
        since_text = cell("since")
        since = None
        raw_since = values[positions["since"]] if positions["since"] < len(values) else None
        if isinstance(raw_since, datetime.datetime | datetime.date):
            since = raw_since.date() if isinstance(raw_since, datetime.datetime) else raw_since
        elif isinstance(raw_since, int | float) and 1 < raw_since < 100_000:
            since = from_excel(raw_since).date()  # a real Excel date typed over the text
        elif since_text:
            try:
                since = _parse_since(since_text)
            except ValueError as error:
                fail("since", str(error))
                continue
        if since is not None and result.as_of and since > result.as_of:
            fail(
                "since",
                f"「{since_text}」は名簿の時点（{wareki_date(result.as_of)}現在）より後の"
                "日付です。年の誤りがないか確認してください。",
            )
            continue
        facility = facilities.get(code)
        if facility is None:
            beds_text = cell("beds")
            facility = facilities[code] = {
                "code": code,
                "row": row_number,
                "name": name,
                "postal_code": _compact(cell("postal_code")).lstrip("〒"),
                "address": cell("address"),
                "phone": _compact(cell("phone")),
                "beds_text": beds_text,
                "bed_count": _beds(beds_text),
                "support_tier": TIER_NONE,
                "linked_subtype": "",
                "is_backup_hospital": False,
                "support_since": None,
                "has_hospital_symbol": False,
                "has_clinic_symbol": False,
                "code_check_passed": luhn_check_passes(code),
            }
            if not facility["code_check_passed"]:
                result.check_digit_failures.add(code)
                fail(
                    "number",
                    f"医療機関コード {code} の検証番号がLuhn方式と一致しません。"
                    "取り込む場合は「要確認」として登録されます。",
                    severity="warning",
                )
        support = _SUPPORT_SYMBOL.match(symbol)
        if support:
            tier = {"1": TIER_SINGLE, "2": TIER_LINKED, "3": TIER_CONVENTIONAL}[support["tier"]]
            if TIER_STRENGTH[tier] > TIER_STRENGTH[facility["support_tier"]]:
                facility["support_tier"] = tier
                facility["linked_subtype"] = {"ア": "a", "イ": "i"}.get(support["sub"], "")
                facility["support_since"] = since.isoformat() if since else None
            key_kind = "has_hospital_symbol" if support["kind"] == "病" else "has_clinic_symbol"
            facility[key_kind] = True
        elif symbol == BACKUP_SYMBOL:
            facility["is_backup_hospital"] = True
            facility["has_hospital_symbol"] = True


def _find_as_of(values: tuple, row_number: int, result: ParseResult, today) -> None:
    for index, value in enumerate(values):
        text = normalise(value)
        match = _AS_OF.search(text)
        if not match:
            continue
        cell = f"{get_column_letter(index + 1)}{row_number}"
        try:
            as_of = parse_wareki(match[1])
        except ValueError as error:
            result.fail(str(error), row=row_number, cell=cell, column="名簿の時点")
            return
        if as_of > today:
            result.fail(
                f"名簿の時点「{match[1]}」が今日より後の日付です。年の誤りがないか確認してください。",
                row=row_number,
                cell=cell,
                column="名簿の時点",
            )
        result.as_of = as_of
        return


def facility_kind(record: dict) -> str:
    """病院 or 診療所: the 受理記号 says it when present; else the name, else 20+ beds."""
    if record["has_hospital_symbol"]:
        return "hospital"
    if record["has_clinic_symbol"]:
        return "clinic"
    if "病院" in record["name"]:
        return "hospital"
    if record["bed_count"] is not None and record["bed_count"] >= 20:
        return "hospital"
    return "clinic"
