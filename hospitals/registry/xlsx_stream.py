"""Row values of a worksheet of an .xlsx, streamed straight from its XML.

Since issue 17 the list is read with python-calamine (ADR 0009); this reader stays for what
calamine does not do: naming a damaged cell in Japanese (a shared string that is not there,
a number cell that holds no number), and reading in one row's memory.

openpyxl's read-only mode streams too, but builds a cell object per value and parses rich
text through its descriptor machinery: on our CI machine it reads about 4,000 rows of the
13-column list per second, below the 5,000 rows/s the import must reach end to end
(benchmarks/registry_import.py prints both). This reader does only what the list needs:
shared strings (without the ルビ/rPh phonetic runs Japanese Excel adds), inline strings,
numbers and booleans, and it keeps one row in memory at a time. The container has been
checked (size, encryption, macros, zip bomb) before this runs; with `limits`, every part is
checked too (size, no DOCTYPE) and each row goes through workbook_bounds.SheetBounds, so a
crafted list is refused at its first row, column or cell past the limits, in Japanese. A
damaged part or cell is named in Japanese (XlsxStructureError), never by Python's text."""

from __future__ import annotations

import contextlib
import functools
import posixpath
import zipfile
import zlib
from collections.abc import Iterator
from typing import IO

# The stdlib parser, after workbook_bounds.check_parts has refused any DOCTYPE (where entity
# bombs live; expat 2.4.1+ would stop them too, with an English message) and capped each part.
from xml.etree.ElementTree import ParseError, fromstring, iterparse

from openpyxl.utils import column_index_from_string, get_column_letter

from zaitaku_portal.workbook_bounds import (
    CellBudget,
    SheetBounds,
    WorkbookLimits,
    check_parts,
    damaged,
)

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
ROW, CELL, VALUE, INLINE, TEXT = (f"{MAIN}{tag}" for tag in ("row", "c", "v", "is", "t"))
DIMENSION = f"{MAIN}dimension"


class XlsxStructureError(Exception):
    """The message says in Japanese what is wrong, with the sheet and the cell when known."""


def sheet_parts(archive: zipfile.ZipFile) -> list[tuple[str, str]]:
    """(name, part) of every sheet, in the workbook's order."""
    workbook = fromstring(archive.read("xl/workbook.xml"))  # noqa: S314
    sheets = workbook.find(f"{MAIN}sheets")
    if sheets is None or not len(sheets):
        raise XlsxStructureError("ブックにシートがありません。")
    rels = fromstring(archive.read("xl/_rels/workbook.xml.rels"))  # noqa: S314
    targets = {rel.get("Id"): rel.get("Target", "") for rel in rels.iter(f"{PKG_REL}Relationship")}
    found = []
    for sheet in sheets:
        target = targets.get(sheet.get(f"{REL}id"))
        if target is None:
            raise XlsxStructureError("シートの場所がブックに記録されていません。")
        if target.startswith("/"):
            part = target.lstrip("/")
        else:
            part = posixpath.normpath(posixpath.join("xl", target))
        found.append((sheet.get("name", ""), part))
    return found


def sheet_names(stream: IO[bytes]) -> list[str]:
    with zipfile.ZipFile(stream) as archive, _reading("xl/workbook.xml"):
        return [name for name, _part in sheet_parts(archive)]


def _shared_strings(archive: zipfile.ZipFile, max_count: int | None) -> list[str]:
    path = "xl/sharedStrings.xml"
    if path not in archive.namelist():
        return []
    strings: list[str] = []
    text_tag, phonetic_tag, item_tag = f"{MAIN}t", f"{MAIN}rPh", f"{MAIN}si"
    with archive.open(path) as stream:
        for _event, element in iterparse(stream, events=("end",)):  # noqa: S314
            if element.tag == item_tag:
                if max_count is not None and len(strings) >= max_count:
                    raise XlsxStructureError(
                        f"ブックの文字列が多すぎます（上限{max_count:,}件）。"
                        "厚生局の名簿を加工せずに選んでください。"
                    )
                parts = []
                for child in element:
                    if child.tag == text_tag:
                        parts.append(child.text or "")
                    elif child.tag != phonetic_tag:  # rich-text run <r><t>…</t></r>
                        run_text = child.find(text_tag)
                        if run_text is not None:
                            parts.append(run_text.text or "")
                strings.append("".join(parts))
                element.clear()
    return strings


@functools.lru_cache(maxsize=1024)
def _column_index(letters: str) -> int:
    return column_index_from_string(letters) - 1


def _column_of(reference: str | None, fallback: int, sheet_name: str) -> int:
    if not reference:
        return fallback
    try:
        return _column_index(reference.rstrip("0123456789"))
    except ValueError:
        raise XlsxStructureError(
            f"シート「{sheet_name}」のセル番地「{reference}」を読めません。"
            "ファイルが壊れている可能性があります。Excelで開いて保存し直してください。"
        ) from None


def _row_number(element, expected: int, sheet_name: str) -> int:
    text = element.get("r")
    if text is None:
        return expected
    if not text.isdigit() or len(text) > 8:
        raise XlsxStructureError(
            f"シート「{sheet_name}」の行番号「{text}」を読めません。"
            "ファイルが壊れている可能性があります。Excelで開いて保存し直してください。"
        )
    return int(text)


def _missing_string(strings: list[str], raw: str, where: str) -> XlsxStructureError:
    return XlsxStructureError(
        f"{where}の文字列の番号（{raw[:20]}）がブックの共有文字列の表にありません"
        f"（表は{len(strings):,}件）。ファイルが壊れている可能性があります。"
        "Excelで開いて保存し直してください。"
    )


def _not_a_number(raw: str, where: str) -> XlsxStructureError:
    return XlsxStructureError(
        f"{where}の値「{raw[:50]}」は数値のセルなのに数値として読めません。"
        "ファイルが壊れている可能性があります。Excelで開いて保存し直してください。"
    )


def _row_values(element, number: int, strings: list[str], sheet_name: str):
    """(values by column from A, the first cell's column from 1 or None, the cell count)."""
    values: list = []
    first = None
    count = 0
    for position, cell in enumerate(element.iterfind(CELL)):
        reference = cell.get("r")
        index = _column_of(reference, position, sheet_name)
        kind = cell.get("t", "n")
        if kind == "inlineStr":
            inline = cell.find(INLINE)
            value = "".join(t.text or "" for t in inline.iter(TEXT)) if inline is not None else None
        else:
            raw = cell.findtext(VALUE)
            if raw is None:
                value = None
            elif kind == "s":
                try:
                    value = strings[int(raw)]
                except (ValueError, IndexError):
                    where = _where(sheet_name, reference, index, number)
                    raise _missing_string(strings, raw, where) from None
            elif kind == "b":
                value = raw == "1"
            elif kind in ("str", "e", "d"):
                value = raw
            else:
                try:
                    number_value = float(raw)
                except ValueError:
                    raise _not_a_number(raw, _where(sheet_name, reference, index, number)) from None
                value = int(number_value) if number_value.is_integer() else number_value
        if index >= len(values):
            values.extend([None] * (index - len(values) + 1))
        values[index] = value
        count += 1
        if first is None:
            first = index + 1
    return values, first, count


def _where(sheet_name: str, reference: str | None, index: int, number: int) -> str:
    return f"シート「{sheet_name}」のセル{reference or f'{get_column_letter(index + 1)}{number}'}"


@contextlib.contextmanager
def _reading(part: str):
    """A part that expat or zlib cannot read is named, in Japanese (workbook_bounds.damaged)."""
    try:
        yield
    except (ParseError, zipfile.BadZipFile, zlib.error, EOFError, KeyError):
        raise damaged(part) from None


def iter_rows(
    stream: IO[bytes], limits: WorkbookLimits | None = None, sheet: str | None = None
) -> Iterator[tuple[int, tuple]]:
    """(row number, values) for every row of `sheet` (the first when None) up to the last one
    with data; gaps come as (). With `limits`, refuses (WorkbookRefused) the first part, row
    or cell past them."""
    with zipfile.ZipFile(stream) as archive:
        if limits is not None:
            check_parts(archive, limits)
        with _reading("xl/sharedStrings.xml"):
            strings = _shared_strings(archive, limits.max_cells if limits else None)
        with _reading("xl/workbook.xml"):
            parts = sheet_parts(archive)
        sheet_name, sheet_path = next(
            ((name, part) for name, part in parts if sheet is None or name == sheet), parts[0]
        )
        bounds = None
        if limits is not None:
            budget = CellBudget(limits.max_cells)
            bounds = SheetBounds(sheet_name, limits.of(sheet_name), budget, limits.scope)
        with _reading(sheet_path):
            yield from _stream_rows(archive, sheet_path, sheet_name, strings, bounds)


def _stream_rows(archive, sheet_path, sheet_name, strings, bounds: SheetBounds | None):
    expected = 1
    with archive.open(sheet_path) as sheet:
        # "end" events only: half the events of start+end. A finished row is cleared,
        # leaving an empty <row/> behind (a few MB for 100,000 rows), not its cells.
        for _event, element in iterparse(sheet, events=("end",)):  # noqa: S314
            if element.tag != ROW:
                if element.tag == DIMENSION and bounds is not None:
                    bounds.area("使用範囲", element.get("ref", "A1"))
                continue
            number = _row_number(element, expected, sheet_name)
            values, first, count = _row_values(element, number, strings, sheet_name)
            if bounds is not None:  # before the gap up to it is filled
                bounds.count_row(number)
                bounds.row(number, first)
                bounds.row_cells(number, len(values), count)
            while expected < number:
                yield expected, ()
                expected += 1
            yield number, tuple(values)
            expected = number + 1
            element.clear()
