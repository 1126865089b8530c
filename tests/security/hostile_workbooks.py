"""Hostile workbooks, written as raw zip and XML so they stay a few KB (or a few MB, streamed).

Each takes a real workbook (a download of the page under test) and rewrites one worksheet
part: the attacks pass every check a genuine file passes, except the one under test."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator

MAX_EXCEL_ROW = 1_048_576
_CHUNK_ROWS = 20_000


def sheet_part(data: bytes, sheet_name: str) -> str:
    """The zip member holding `sheet_name` (openpyxl writes sheet1.xml, sheet2.xml… in order)."""
    archive = zipfile.ZipFile(io.BytesIO(data))
    workbook = archive.read("xl/workbook.xml").decode()
    names = re.findall(r'<sheet [^>]*name="([^"]+)"', workbook)
    return f"xl/worksheets/sheet{names.index(sheet_name) + 1}.xml"


def last_row(xml: bytes) -> int:
    return max((int(n) for n in re.findall(rb'<row r="(\d+)"', xml)), default=0)


def rewrite(
    data: bytes,
    part: str,
    rows: Callable[[bytes], Iterable[bytes]] = lambda _xml: (),
    dimension: str | None = None,
    edit: Callable[[bytes], bytes] = lambda xml: xml,
    extra: dict[str, bytes] | None = None,
) -> bytes:
    """Copy an xlsx; in `part`, add the rows `rows(xml)` yields before </sheetData> (streamed
    into the member, never held whole), set the <dimension ref> and apply `edit`."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename != part:
                target.writestr(info.filename, content)
                continue
            content = edit(content.replace(b"<sheetData/>", b"<sheetData></sheetData>"))
            if dimension is not None:
                content = _set_dimension(content, dimension)
            head, tail = content.split(b"</sheetData>", 1)
            with target.open(part, "w", force_zip64=True) as member:
                member.write(head)
                for chunk in _chunks(rows(content)):
                    member.write(chunk)
                member.write(b"</sheetData>" + tail)
        for name, content in (extra or {}).items():
            target.writestr(name, content)
    return out.getvalue()


def _set_dimension(xml: bytes, reference: str) -> bytes:
    element = f'<dimension ref="{reference}"/>'.encode()
    if b"<dimension " in xml:
        return re.sub(rb"<dimension [^>]*>", element, xml, count=1)
    before = b"<sheetViews" if b"<sheetViews" in xml else b"<sheetData"
    return xml.replace(before, element + before, 1)


def _chunks(rows: Iterable[bytes]) -> Iterator[bytes]:
    batch: list[bytes] = []
    for row in rows:
        batch.append(row)
        if len(batch) == _CHUNK_ROWS:
            yield b"".join(batch)
            batch = []
    yield b"".join(batch)


def empty_cell_at(reference: str) -> Callable[[bytes], Iterable[bytes]]:
    """One empty cell: the 10 KB workbook of issue 12 is this at A1048576."""
    number = int(re.sub(r"[A-Z]", "", reference))
    return lambda _xml: [f'<row r="{number}"><c r="{reference}"/></row>'.encode()]


def rows_up_to(count: int, column: str = "A") -> Callable[[bytes], Iterable[bytes]]:
    """An empty cell on every row after the sheet's last, up to row `count` (10^6: ~4.7 MB)."""

    def rows(xml: bytes) -> Iterator[bytes]:
        for number in range(last_row(xml) + 1, count + 1):
            yield f'<row r="{number}"><c r="{column}{number}"/></row>'.encode()

    return rows


def wide_rows(first: int, count: int, column: str = "XFD") -> Callable[[bytes], Iterable[bytes]]:
    """`count` rows from `first`, each with one cell in the last column Excel has."""
    return lambda _xml: (
        f'<row r="{n}"><c r="{column}{n}" t="n"><v>1</v></c></row>'.encode()
        for n in range(first, first + count)
    )


def merged(reference: str) -> Callable[[bytes], bytes]:
    """A merge over `reference`: openpyxl builds a MergedCell for every cell of it."""

    def edit(xml: bytes) -> bytes:
        cell = f'<mergeCell ref="{reference}"/>'.encode()
        if b"<mergeCells" in xml:
            return re.sub(rb"(<mergeCells[^>]*>)", rb"\1" + cell, xml, count=1)
        block = b'<mergeCells count="1">' + cell + b"</mergeCells>"
        return xml.replace(b"</sheetData>", b"</sheetData>" + block, 1)

    return edit


BILLION_LAUGHS = (
    b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'.encode()
        for i in range(1, 10)
    )
    + b']>\n<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1"'
    b' uniqueCount="1"><si><t>&lol9;</t></si></sst>'
)
"""An entity-expansion bomb (10^9 "lol") as a shared-strings part."""
