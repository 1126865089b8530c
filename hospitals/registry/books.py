"""The three readers of a list's workbook, behind one shape: sheet names, then the rows of a
sheet as (row number from 1, values from column A).

- "calamine" (default): python-calamine, Rust; about 3x the stream reader (ADR 0009). It is
  handed a workbook only after hospitals/registry/screen.py has bounded it; when calamine
  fails, or the screen saw a number cell without a number, the stream reader reads that
  sheet to name the damaged cell in Japanese.
- "stream": hospitals/registry/xlsx_stream.py, one row in memory, bounded as it streams.
- "openpyxl": openpyxl read-only, after the exact bounds check; kept for comparison."""

from __future__ import annotations

import logging
import zipfile
from collections.abc import Iterator
from typing import IO

from openpyxl import load_workbook
from python_calamine import CalamineWorkbook, SheetTypeEnum

from hospitals.registry import xlsx_stream
from hospitals.registry.screen import Screen
from zaitaku_portal.workbook_bounds import WorkbookLimits, WorkbookRefused, check_workbook_bounds

logger = logging.getLogger(__name__)
ENGINES = ("calamine", "stream", "openpyxl")


class BookUnreadable(Exception):
    """calamine could not read the book and the stream reader found nothing to name."""


def diagnose(stream: IO[bytes], limits: WorkbookLimits, sheet: str | None) -> None:
    """Reads `sheet` (every sheet when None) with the stream reader, which raises
    XlsxStructureError or WorkbookRefused naming the damaged cell, in Japanese."""
    names = [sheet] if sheet is not None else xlsx_stream.sheet_names(stream)
    for name in names:
        stream.seek(0)
        for _row in xlsx_stream.iter_rows(stream, limits, sheet=name):
            pass
    stream.seek(0)


class CalamineBook:
    def __init__(self, stream: IO[bytes], limits: WorkbookLimits):
        self._stream = stream
        self._limits = limits
        self._screen = Screen(stream, limits)
        try:
            self._book = CalamineWorkbook.from_filelike(stream)
            self.names = [  # chart and dialog sheets hold no list
                sheet.name
                for sheet in self._book.sheets_metadata
                if sheet.typ == SheetTypeEnum.WorkSheet
            ]
        except Exception:  # calamine's errors are English and name no cell: find the cell
            self._unreadable(None)

    def _unreadable(self, sheet: str | None):
        logger.warning("calamine could not read the registry workbook", exc_info=True)
        diagnose(self._stream, self._limits, sheet)
        raise BookUnreadable

    def rows(self, name: str) -> Iterator[tuple[int, tuple]]:
        if self._screen.sheet(name):  # a number cell without a number: name it
            diagnose(self._stream, self._limits, name)
        try:
            sheet = self._book.get_sheet_by_name(name)
        except Exception:  # as above
            self._unreadable(name)
        # calamine's rows start at row 1 but at the first used column: pad to column A
        pad = [None] * (sheet.start[1] if sheet.start else 0)
        if not pad:
            yield from enumerate(sheet.iter_rows(), start=1)
            return
        for number, values in enumerate(sheet.iter_rows(), start=1):
            yield number, pad + values

    def close(self) -> None:
        self._book.close()


class StreamBook:
    def __init__(self, stream: IO[bytes], limits: WorkbookLimits):
        self._stream = stream
        self._limits = limits
        self.names = xlsx_stream.sheet_names(stream)

    def rows(self, name: str) -> Iterator[tuple[int, tuple]]:
        self._stream.seek(0)
        return xlsx_stream.iter_rows(self._stream, self._limits, sheet=name)

    def close(self) -> None:
        pass


class OpenpyxlBook:
    def __init__(self, stream: IO[bytes], limits: WorkbookLimits):
        message = check_workbook_bounds(stream, limits)
        if message:
            raise WorkbookRefused(message)
        self._book = load_workbook(stream, read_only=True, data_only=True)
        self.names = [sheet.title for sheet in self._book.worksheets]

    def rows(self, name: str) -> Iterator[tuple[int, tuple]]:
        return enumerate(self._book[name].iter_rows(values_only=True), start=1)

    def close(self) -> None:
        self._book.close()


BOOKS = {"calamine": CalamineBook, "stream": StreamBook, "openpyxl": OpenpyxlBook}
CALAMINE_MAX_SHEET_BYTES = 160 * 1024 * 1024
"""calamine holds a sheet as a grid: about 130 MB for the benchmark's 100,000 rows, whose
sheet part is 80 MB unpacked. A larger sheet (some 200,000 rows) is read by the stream
reader, one row at a time, so that the import stays under 300 MB at the row limit."""


def engine_for(stream: IO[bytes], engine: str) -> str:
    if engine != "calamine":
        return engine
    stream.seek(0)
    try:
        with zipfile.ZipFile(stream) as archive:
            largest = max(
                (
                    i.file_size
                    for i in archive.infolist()
                    if i.filename.startswith("xl/worksheets/")
                ),
                default=0,
            )
    finally:
        stream.seek(0)
    return "stream" if largest > CALAMINE_MAX_SHEET_BYTES else engine


def open_book(stream: IO[bytes], engine: str, limits: WorkbookLimits):
    return BOOKS[engine](stream, limits)
