"""How far a workbook may reach, checked on its raw XML before anything builds a cell.

openpyxl builds a cell for every reference it meets, and in normal mode for every
sheet.cell() call up to sheet.max_row: a 10 KB workbook with one empty cell at A1048576
made the plan reader build millions of cells (4.5 GB for one upload, issue 12). So before
a workbook is opened, every worksheet part is streamed through expat, with no tree built:
the <dimension>, every <row r>, <c r>, <mergeCell ref> and <hyperlink ref>, and every
<comment ref> of its comments part is compared with the rows and columns the form can
hold, and the cells of the whole upload are counted. The work is bounded by the first
reference out of range, so a 10^6-row sheet is refused at the row after the form's last.
Every part's unpacked size is capped and a DOCTYPE is refused (Excel never writes one;
it is where entity-expansion bombs live). Streaming readers (the registry's) use
SheetBounds for the same rules and messages."""

from __future__ import annotations

import posixpath
import re
import zipfile
import zlib
from dataclasses import dataclass, field
from typing import IO
from xml.parsers import expat

from openpyxl.utils import get_column_letter

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
COMMENTS_TYPE = REL_NS + "/comments"
EXCEL_MAX_COLUMN = 16_384
_REFERENCE = re.compile(r"\$?([A-Za-z]{1,4})\$?([0-9]{1,8})")
_CHUNK = 64 * 1024
RESAVE = "範囲外の行・列を削除して保存し直してください。"


class WorkbookRefused(Exception):
    """The workbook reaches further than its reader allows; the message is Japanese."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class SheetLimits:
    max_row: int
    max_column: int

    def describe(self) -> str:
        return f"最大{self.max_row:,}行・{get_column_letter(self.max_column)}列まで"


@dataclass(frozen=True)
class WorkbookLimits:
    """What one upload may hold: per sheet (by name, else `sheet`), cells, part size.
    `scope` names the range in messages: 様式 (a form), 名簿 (the registry), 取込."""

    sheet: SheetLimits
    max_cells: int
    max_part_bytes: int
    scope: str = "様式"
    sheets: dict[str, SheetLimits] = field(default_factory=dict)

    def of(self, sheet_name: str) -> SheetLimits:
        return self.sheets.get(sheet_name, self.sheet)


# --- references ------------------------------------------------------------------------------


def column_number(letters: str) -> int:
    number = 0
    for letter in letters.upper():
        number = number * 26 + ord(letter) - 64
    return number


def parse_reference(reference: str) -> tuple[int, int] | None:
    """(row, column), both from 1, of "B7" or "$B$7"; None when it is not a cell address."""
    match = _REFERENCE.fullmatch(reference.strip())
    if not match or int(match[2]) == 0:
        return None
    return int(match[2]), column_number(match[1])


class CellBudget:
    """The cells of one whole upload, across its sheets."""

    def __init__(self, max_cells: int):
        self.max_cells = max_cells
        self.used = 0

    def spend(self, count: int, sheet_name: str, row: int, column: int) -> None:
        self.used += count
        if self.used > self.max_cells:
            reference = f"{get_column_letter(min(column, EXCEL_MAX_COLUMN))}{row}"
            raise WorkbookRefused(
                f"ブック全体のセルが多すぎます（上限{self.max_cells:,}セル。"
                f"シート「{sheet_name}」のセル{reference}で上限を超えました）。"
                "不要な行・列やシートを削除して保存し直してください。"
            )


class SheetBounds:
    """One sheet's references against its limits; refuses the first one out of range."""

    def __init__(self, sheet_name: str, limits: SheetLimits, budget: CellBudget, scope: str):
        self.sheet_name = sheet_name
        self.limits = limits
        self.budget = budget
        self.scope = scope
        self.rows_seen = 0

    def _outside(self, what: str, reference: str) -> WorkbookRefused:
        return WorkbookRefused(
            f"シート「{self.sheet_name}」の{what}{reference}は{self.scope}の範囲"
            f"（{self.limits.describe()}）を超えています。{RESAVE}"
        )

    def unreadable(self, what: str, reference: str) -> WorkbookRefused:
        return WorkbookRefused(
            f"シート「{self.sheet_name}」の{what}「{reference}」を読めません。"
            "ファイルが壊れている可能性があります。Excelで開いて保存し直してください。"
        )

    def _inside(self, row: int, column: int) -> bool:
        return row <= self.limits.max_row and column <= self.limits.max_column

    def area(self, what: str, reference: str) -> None:
        """A range (A1:B2) or a single cell: the dimension, a merge, a hyperlink, a comment."""
        for corner in reference.split(":")[:2]:
            position = parse_reference(corner)
            if position is None:
                raise self.unreadable(what, reference)
            if not self._inside(*position):
                raise self._outside(what, reference)

    def count_row(self, number: int) -> None:
        """A sheet may not list more <row>s than it may hold, even repeated ones."""
        self.rows_seen += 1
        if self.rows_seen > self.limits.max_row >= number:  # past it: row() names its cell
            raise self._outside("", f"{number:,}行目")

    def row(self, number: int, first_column: int | None = None) -> None:
        """A row's number; named by its first cell when it has one (the cell a clerk sees)."""
        if number <= self.limits.max_row:
            return
        if first_column is None:
            raise self._outside("", f"{number:,}行目")
        column = min(first_column, EXCEL_MAX_COLUMN)
        raise self._outside("セル", f"{get_column_letter(column)}{number}")

    def row_cells(self, number: int, width: int, count: int) -> None:
        """A streamed row: `width` columns from A (its last cell), `count` cells in it."""
        if width > self.limits.max_column:
            raise self._outside(
                "セル", f"{get_column_letter(min(width, EXCEL_MAX_COLUMN))}{number}"
            )
        if count:
            self.budget.spend(count, self.sheet_name, number, width)

    def cell(self, row: int, column: int) -> None:
        if not self._inside(row, column):
            reference = f"{get_column_letter(min(column, EXCEL_MAX_COLUMN))}{row}"
            raise self._outside("セル", reference)
        self.budget.spend(1, self.sheet_name, row, column)


# --- the parts of the package ------------------------------------------------------------------


class _PrologDone(Exception):
    pass


def _refuse_declarations(part: str):
    def refuse(*_args):
        raise WorkbookRefused(
            "ブックに、Excelが書き出さない定義（DTD・エンティティ宣言）が含まれているため、"
            f"安全のため取り込めません（{part}）。Excelで開いて .xlsx で保存し直してください。"
        )

    return refuse


def _parser(part: str, start=None) -> expat.XMLParserType:
    """An expat parser that refuses any DOCTYPE or entity declaration (defusedxml's rule)."""
    parser = expat.ParserCreate(namespace_separator="}")
    refuse = _refuse_declarations(part)
    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse
    if start is not None:
        parser.StartElementHandler = start
    return parser


def damaged(part: str) -> WorkbookRefused:
    return WorkbookRefused(
        f"ブックの一部（{part}）が壊れているため読み込めません。"
        "Excelで開いて .xlsx で保存し直してください。"
    )


def _parse(archive: zipfile.ZipFile, part: str, start, end=None) -> None:
    parser = _parser(part, start)
    if end is not None:
        parser.EndElementHandler = end
    try:
        with archive.open(part) as stream:
            for chunk in iter(lambda: stream.read(_CHUNK), b""):
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
    except expat.ExpatError:
        raise damaged(part) from None


def _check_prolog(archive: zipfile.ZipFile, part: str) -> None:
    """Parse up to the root element only: a DOCTYPE can stand nowhere else."""

    def stop(_name, _attributes):
        raise _PrologDone

    try:
        _parse(archive, part, stop)
    except _PrologDone:
        return


def check_parts(
    archive: zipfile.ZipFile, limits: WorkbookLimits, names: dict[str, str] | None = None
) -> None:
    """Every part's unpacked size within the cap (a sheet named by `names`, part -> sheet);
    no XML part with a DOCTYPE."""
    for info in archive.infolist():
        if info.file_size > limits.max_part_bytes:
            sheet = (names or {}).get(info.filename)
            what = f"シート「{sheet}」" if sheet else f"ブックの一部（{info.filename}）"
            megabytes = info.file_size / 1024 / 1024
            raise WorkbookRefused(
                f"{what}が展開後{megabytes:,.1f} MBあり、"
                f"上限の{limits.max_part_bytes // 1024 // 1024} MBを超えています。"
                "不要な行・列やシート、画像を削除して保存し直してください。"
            )
        if info.filename.endswith((".xml", ".rels")):
            _check_prolog(archive, info.filename)


# --- which part is which sheet -------------------------------------------------------------------


def _relationships(archive: zipfile.ZipFile, part: str) -> dict[str, tuple[str, str]]:
    """{Id: (Type, the target's path in the package)} of a part's .rels, if it has one."""
    folder, name = posixpath.split(part)
    rels_part = posixpath.join(folder, "_rels", name + ".rels")
    if rels_part not in archive.namelist():
        return {}
    found: dict[str, tuple[str, str]] = {}

    def start(tag, attributes):
        if tag.endswith("}Relationship") and attributes.get("TargetMode") != "External":
            target = attributes.get("Target", "")
            path = (
                target.lstrip("/")
                if target.startswith("/")
                else posixpath.normpath(posixpath.join(folder, target))
            )
            found[attributes.get("Id", "")] = (attributes.get("Type", ""), path)

    _parse(archive, rels_part, start)
    return found


def worksheet_parts(archive: zipfile.ZipFile) -> list[tuple[str, str]]:
    """[(sheet name, part)] as workbook.xml lists them, then any worksheet part it does not."""
    names: list[tuple[str, str]] = []

    def start(tag, attributes):
        if tag == f"{MAIN_NS}}}sheet":
            names.append((attributes.get("name", ""), attributes.get(f"{REL_NS}}}id", "")))

    _parse(archive, "xl/workbook.xml", start)
    targets = _relationships(archive, "xl/workbook.xml")
    sheets = [(name, targets[rel][1]) for name, rel in names if rel in targets]
    listed = {part for _, part in sheets}
    for part in archive.namelist():
        if part.startswith("xl/worksheets/") and part.endswith(".xml") and part not in listed:
            sheets.append((part, part))
    return [(name, part) for name, part in sheets if part in archive.namelist()]


# --- scanning a sheet ---------------------------------------------------------------------------


class _SheetScanner:
    """The expat handlers of one worksheet part: each reference through SheetBounds. A row's
    number is checked at its first cell (named by it) or, for a row without cells, at its end."""

    def __init__(self, bounds: SheetBounds):
        self.bounds = bounds
        self.row = 0
        self.column = 0
        self.row_has_cells = False
        self.handlers = {
            "dimension": self._dimension,
            "row": self._row,
            "c": self._cell,
            "mergeCell": lambda a: self._area("結合セル", a),
            "hyperlink": lambda a: self._area("ハイパーリンク", a),
        }

    def start(self, tag: str, attributes: dict) -> None:
        handler = self.handlers.get(tag[tag.rfind("}") + 1 :])
        if handler is not None:
            handler(attributes)

    def end(self, tag: str) -> None:
        if tag.endswith("}row") and not self.row_has_cells:
            self.bounds.row(self.row)

    def _dimension(self, attributes):
        self.bounds.area("使用範囲", attributes.get("ref", "A1"))

    def _area(self, what: str, attributes) -> None:
        if attributes.get("ref"):
            self.bounds.area(what, attributes["ref"])

    def _row(self, attributes):
        number = attributes.get("r")
        if number is None:
            self.row += 1
        elif number.isdigit() and len(number) <= 8:
            self.row = int(number)
        else:
            raise self.bounds.unreadable("行番号", number)
        self.column = 0
        self.row_has_cells = False
        self.bounds.count_row(self.row)

    def _cell(self, attributes):
        reference = attributes.get("r")
        if reference is None:
            self.column += 1
        else:
            position = parse_reference(reference)
            if position is None:
                raise self.bounds.unreadable("セル番地", reference)
            self.row, self.column = position
        self.row_has_cells = True
        self.bounds.cell(self.row, self.column)


def _sheets_if_small(archive, limits: WorkbookLimits) -> list[tuple[str, str]]:
    """The sheets, to name them in check_parts, when the parts that list them are small."""
    listing = ("xl/workbook.xml", "xl/_rels/workbook.xml.rels")
    present = [part for part in listing if part in archive.namelist()]
    if any(archive.getinfo(part).file_size > limits.max_part_bytes for part in present):
        return []
    return worksheet_parts(archive)


def _scan_comments(archive, part: str, bounds: SheetBounds) -> None:
    for kind, target in _relationships(archive, part).values():
        if kind == COMMENTS_TYPE and target in archive.namelist():

            def start(tag, attributes):
                if tag.endswith("}comment") and attributes.get("ref"):
                    bounds.area("コメント", attributes["ref"])

            _parse(archive, target, start)


def check_workbook_bounds(stream: IO[bytes], limits: WorkbookLimits) -> str | None:
    """A Japanese message naming the sheet and the cell when the workbook reaches past
    `limits`, or is damaged where it was read; else None. The stream is left at 0."""
    stream.seek(0)
    try:
        with zipfile.ZipFile(stream) as archive:
            sheets = _sheets_if_small(archive, limits)
            check_parts(archive, limits, {part: name for name, part in sheets})
            budget = CellBudget(limits.max_cells)
            for name, part in sheets:
                bounds = SheetBounds(name, limits.of(name), budget, limits.scope)
                scanner = _SheetScanner(bounds)
                _parse(archive, part, scanner.start, scanner.end)
                _scan_comments(archive, part, bounds)
    except WorkbookRefused as refused:
        return refused.message
    except (zipfile.BadZipFile, zlib.error, KeyError, EOFError, OSError, NotImplementedError):
        return "Excelファイル（.xlsx）として読めません。ファイルが壊れている可能性があります。"
    finally:
        stream.seek(0)
    return None
