"""Reading the 届出受理医療機関名簿 (the regional health bureau's list of accepted standards).

Nothing here touches the database. The container is checked before any reader sees it:
size, encryption, macros and zip bombs are refused without being unpacked; then the sheets'
XML is bounded (REGISTRY_LIMITS: rows, columns, the cells of the list, each part's size, no
DOCTYPE; MAX_READ_SECONDS), so a crafted list cannot keep a core busy, and the limit hit is
named (issue 12). python-calamine reads the sheets (books.py, ADR 0009); layout.py finds the
list's sheet, header and date; rows.py holds the rules of a row. A damaged file is described
in Japanese, never by Python's exception text."""

from __future__ import annotations

import datetime
import hashlib
import logging
import time
from typing import IO

from hospitals.registry import xlsx_stream
from hospitals.registry.books import ENGINES, BookUnreadable, engine_for, open_book
from hospitals.registry.layout import COLUMNS, find_as_of, find_layout
from hospitals.registry.prefectures import deployment_prefecture
from hospitals.registry.result import (
    MAX_PROBLEMS_KEPT,
    ParseResult,
    Problem,
    compact,
    normalise,
)
from hospitals.registry.rows import RowReader
from zaitaku_portal.uploads import MAX_UNCOMPRESSED_BYTES, check_xlsx_container
from zaitaku_portal.workbook_bounds import SheetLimits, WorkbookLimits, WorkbookRefused

__all__ = [
    "COLUMNS",
    "ENGINES",
    "MAX_PROBLEMS_KEPT",
    "ParseResult",
    "Problem",
    "compact",
    "facility_kind",
    "normalise",
    "read_registry",
]

logger = logging.getLogger(__name__)

MAX_FILE_BYTES = 20 * 1024 * 1024
"""A prefecture's 医科 list (tens of thousands of rows) is 3-6 MB; 20 MB leaves room."""
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
"""100,000 rows read in about 5 s with calamine, 20 s with the stream reader (benchmark)."""
UNREADABLE = (
    "Excelファイルとして読み込めませんでした。ファイルが壊れている可能性があります。"
    "Excelで開いて .xlsx で保存し直してから選んでください。"
)


class RegistryFileError(Exception):
    """The file as a whole cannot be read; the message is shown to the user as is."""


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


def read_registry(
    stream: IO[bytes],
    file_name: str,
    size: int,
    today=None,
    engine: str = "calamine",
    prefecture: str | None = None,
) -> ParseResult:
    """Parse the list into one record per 医科 facility (keyed by the 10-digit code).

    Raises RegistryFileError when the file cannot be opened at all; otherwise every problem
    is in result.problems: result.readable says whether the rows without errors may be
    imported, result.ok whether all rows may. engine: "calamine" (default), "stream"
    (hospitals/registry/xlsx_stream.py) or "openpyxl" (read-only), kept for comparison.
    prefecture: the 都道府県コード whose rows are imported (this deployment's by default)."""
    today = today or datetime.date.today()
    message = check_container(stream, file_name, size)
    if message:
        raise RegistryFileError(message)
    result = ParseResult(file_name=file_name, file_size=size, sha256=_sha256(stream), engine=engine)
    try:
        result.engine = engine_for(stream, engine)
        book = open_book(stream, result.engine, REGISTRY_LIMITS)
        try:
            _read_book(book, result, today, prefecture or deployment_prefecture())
        finally:
            book.close()
    except RegistryFileError:
        raise
    except WorkbookRefused as refused:
        raise RegistryFileError(refused.message) from None
    except xlsx_stream.XlsxStructureError as error:
        raise RegistryFileError(str(error)) from None
    except BookUnreadable:
        raise RegistryFileError(UNREADABLE) from None
    except Exception:  # a damaged workbook fails in many ways: say so, log the detail
        logger.warning("registry file %r could not be read", file_name, exc_info=True)
        raise RegistryFileError(UNREADABLE) from None
    return result


def _read_book(book, result: ParseResult, today: datetime.date, prefecture: str) -> None:
    deadline = time.monotonic() + MAX_READ_SECONDS
    layout = find_layout(book, result, lambda sheet: _within_time(book.rows(sheet), deadline))
    if layout is None:
        return
    result.sheet_name = layout.sheet
    result.header_row = layout.header_row
    result.header = layout.header
    find_as_of(layout, result, today)
    reader = RowReader(layout, result, today, prefecture)
    reader.read(layout.rows)
    if reader.finish():  # facilities with an error row: their other rows are held too
        reader.hold_other_rows(_within_time(book.rows(layout.sheet), deadline))


def _within_time(rows, deadline: float):
    """The rows, until the deadline (looked at every 256 rows, and at the first): then the
    read stops, naming the row it reached."""
    for count, row in enumerate(rows):
        if not count & 255 and time.monotonic() >= deadline:
            raise RegistryFileError(
                f"名簿の読み込みが制限時間（{MAX_READ_SECONDS}秒）を超えたため中止しました"
                f"（{row[0]:,}行目まで読みました）。"
                "厚生局の名簿を加工せずに選んでください。"
            )
        yield row


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
