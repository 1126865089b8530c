"""Row values of the first worksheet of an .xlsx, streamed straight from its XML.

openpyxl's read-only mode streams too, but builds a cell object per value and parses rich
text through its descriptor machinery: on our CI machine it reads about 4,000 rows of the
13-column list per second, below the 5,000 rows/s the import must reach end to end
(benchmarks/registry_import.py prints both). This reader does only what the list needs:
shared strings (without the ルビ/rPh phonetic runs Japanese Excel adds), inline strings,
numbers and booleans, and it keeps one row in memory at a time. The container has been
checked (size, encryption, macros, zip bomb) before this runs."""

from __future__ import annotations

import functools
import posixpath
import zipfile
from collections.abc import Iterator
from typing import IO

# The stdlib parser is safe enough here: expat (2.4.1+, bundled with Python 3.11) refuses
# entity-expansion bombs and never fetches external entities; zip bombs are refused earlier.
from xml.etree.ElementTree import fromstring, iterparse

from openpyxl.utils import column_index_from_string

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"


class XlsxStructureError(Exception):
    pass


def _first_sheet_path(archive: zipfile.ZipFile) -> str:
    workbook = fromstring(archive.read("xl/workbook.xml"))  # noqa: S314
    sheets = workbook.find(f"{MAIN}sheets")
    if sheets is None or not len(sheets):
        raise XlsxStructureError("ブックにシートがありません。")
    rel_id = sheets[0].get(f"{REL}id")
    rels = fromstring(archive.read("xl/_rels/workbook.xml.rels"))  # noqa: S314
    for rel in rels.iter(f"{PKG_REL}Relationship"):
        if rel.get("Id") == rel_id:
            target = rel.get("Target", "")
            if target.startswith("/"):
                return target.lstrip("/")
            return posixpath.normpath(posixpath.join("xl", target))
    raise XlsxStructureError("シートの場所がブックに記録されていません。")


def _shared_strings(archive: zipfile.ZipFile) -> list[str]:
    path = "xl/sharedStrings.xml"
    if path not in archive.namelist():
        return []
    strings: list[str] = []
    text_tag, phonetic_tag, item_tag = f"{MAIN}t", f"{MAIN}rPh", f"{MAIN}si"
    with archive.open(path) as stream:
        for _event, element in iterparse(stream, events=("end",)):  # noqa: S314
            if element.tag == item_tag:
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


def _column_of(reference: str | None, fallback: int) -> int:
    if not reference:
        return fallback
    return _column_index(reference.rstrip("0123456789"))


def iter_rows(stream: IO[bytes]) -> Iterator[tuple[int, tuple]]:
    """(row number, values) for every row up to the last one with data; gaps come as ()."""
    with zipfile.ZipFile(stream) as archive:
        strings = _shared_strings(archive)
        sheet_path = _first_sheet_path(archive)
        row_tag, cell_tag, value_tag, inline_tag, text_tag = (
            f"{MAIN}row",
            f"{MAIN}c",
            f"{MAIN}v",
            f"{MAIN}is",
            f"{MAIN}t",
        )
        expected = 1
        with archive.open(sheet_path) as sheet:
            # "end" events only: half the events of start+end. A finished row is cleared,
            # leaving an empty <row/> behind (a few MB for 100,000 rows), not its cells.
            for _event, element in iterparse(sheet, events=("end",)):  # noqa: S314
                if element.tag != row_tag:
                    continue
                number = int(element.get("r") or expected)
                while expected < number:
                    yield expected, ()
                    expected += 1
                values: list = []
                for position, cell in enumerate(element.iterfind(cell_tag)):
                    index = _column_of(cell.get("r"), position)
                    kind = cell.get("t", "n")
                    if kind == "inlineStr":
                        inline = cell.find(inline_tag)
                        value = (
                            "".join(t.text or "" for t in inline.iter(text_tag))
                            if inline is not None
                            else None
                        )
                    else:
                        raw = cell.findtext(value_tag)
                        if raw is None:
                            value = None
                        elif kind == "s":
                            value = strings[int(raw)]
                        elif kind == "b":
                            value = raw == "1"
                        elif kind in ("str", "e", "d"):
                            value = raw
                        else:
                            number_value = float(raw)
                            value = int(number_value) if number_value.is_integer() else number_value
                    if index >= len(values):
                        values.extend([None] * (index - len(values) + 1))
                    values[index] = value
                yield number, tuple(values)
                expected = number + 1
                element.clear()
