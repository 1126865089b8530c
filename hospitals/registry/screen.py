"""What must be true of a list's raw XML before python-calamine reads it (issue 12, issue 17).

calamine builds one dense grid per sheet, from its first used cell to its last: one cell at
XFD1048576 would make it allocate billions, and it reads a damaged number cell as text without
a word. zaitaku_portal.workbook_bounds.check_workbook_bounds says exactly which reference is
out of range, but streams every element through a Python callback: 6 s for the 100,000-row
list, more than the whole import may take (20,000 rows/s). So each worksheet part is first
screened, when it is about to be read, streamed in chunks of 4 MB (not held whole: the
benchmark's sheet is 80 MB unpacked) through a few regular-expression searches and byte
counts, in C: the cells are counted, every cell reference must be canonical (r="B7", the
first attribute) and within the limits, the dimension and merges go through
workbook_bounds.SheetBounds, and a number cell must hold a number. A sheet that passes
cannot make calamine build more than the limits allow. Anything the screen is not sure of
(a prefixed tag, a cell without r, a reference past the limits)
is handed to the exact check, whose message names the sheet and the cell; a number cell
without a number, to the stream reader (xlsx_stream), which names the cell in Japanese."""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from typing import IO

from zaitaku_portal.workbook_bounds import (
    CellBudget,
    SheetBounds,
    WorkbookLimits,
    WorkbookRefused,
    check_parts,
    check_workbook_bounds,
    damaged,
    parse_reference,
    worksheet_parts,
)

CHUNK = 4 * 1024 * 1024
OVERLAP = 256
"""Longer than any match below: a match that starts in a chunk ends before the next one's
own part begins, so each is seen whole exactly once."""
MAX_CANDIDATES = 400_000
"""More references to look at one by one than this (columns past Z on 300,000 rows, say):
the exact check decides."""

# Each pattern starts with a literal, which re scans for quickly. Cells make calamine's grid
# (it spans the first to the last cell); rows are held to the same limits so that every
# reader refuses the same file.
_CELL = re.compile(rb'<c(?:[>/\t\n\r]| (?!r=")| r="((?![A-Z][1-9]\d{0,4}")[^"]{0,40}))')
"""A cell without attributes or whose first attribute is not r (no group: the exact check),
or a reference other than A1..Z99999 (the group), looked at one by one."""
_ROW = re.compile(rb'<row(?:[>/\t\n\r]| (?!r=")| r="((?![1-9]\d{0,4}")[^"]{0,12}))')
_PREFIXED = re.compile(rb":(?:c|row|dimension|mergeCell)[\s>/]")
"""A prefixed tag (<x:c>); a text that merely contains these characters costs the exact check."""
_VALUE_NOT_A_NUMBER = re.compile(rb"<v>(?![-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?</v>)")
_CELL_TYPE = re.compile(rb'\st="(\w+)"')
_AREAS = (
    ("使用範囲", re.compile(rb'<dimension ref="([^"]{0,64})')),
    ("結合セル", re.compile(rb'<mergeCell ref="([^"]{0,64})')),
)


class _Unsure(Exception):
    """The screen cannot vouch for the sheet: the exact check decides."""


class Screen:
    """The parts of one workbook checked at once (size, DOCTYPE); each sheet screened when it
    is about to be read, so a sheet after the list is never unpacked."""

    def __init__(self, stream: IO[bytes], limits: WorkbookLimits):
        self.stream = stream
        self.limits = limits
        self.exact_done = False
        stream.seek(0)
        with zipfile.ZipFile(stream) as archive:
            self.parts = dict(worksheet_parts(archive))
            check_parts(archive, limits, {part: name for name, part in self.parts.items()})
        stream.seek(0)
        self.budget = CellBudget(limits.max_cells)
        self.screened: dict[str, bool] = {}

    def sheet(self, name: str) -> bool:
        """Refuses (WorkbookRefused) a sheet past the limits; True when its number cells must
        be read by the stream reader (one holds no number). The stream is left at 0."""
        if name not in self.screened:
            self.screened[name] = self._sheet(name)
        return self.screened[name]

    def _sheet(self, name: str) -> bool:
        part = self.parts.get(name)
        if part is None:
            return False
        bounds = SheetBounds(name, self.limits.of(name), self.budget, self.limits.scope)
        scan = _SheetScan(bounds, check_bounds=not self.exact_done)
        self.stream.seek(0)
        try:
            with zipfile.ZipFile(self.stream) as archive, archive.open(part) as xml:
                for window, owned in _windows(xml):
                    scan.window(window, owned)
        except _Unsure:
            self._exact()
            return True  # the stream reader looks at the values too
        except (zipfile.BadZipFile, EOFError, OSError):
            raise damaged(part) from None
        finally:
            self.stream.seek(0)
        return scan.needs_diagnosis

    def _exact(self) -> None:
        """workbook_bounds' own check, element by element, naming the first cell too far."""
        if self.exact_done:
            return
        message = check_workbook_bounds(self.stream, self.limits)
        self.exact_done = True
        if message:
            raise WorkbookRefused(message)


def _windows(xml: IO[bytes]) -> Iterator[tuple[bytes, int]]:
    """(window, owned): matches starting before `owned` belong to this window; the rest of
    it is carried over to the next one."""
    carry = b""
    chunk = xml.read(CHUNK)
    while chunk:
        following = xml.read(CHUNK)
        window = carry + chunk
        if not following:
            yield window, len(window)
            return
        owned = len(window) - OVERLAP
        yield window, owned
        carry, chunk = window[owned:], following


class _SheetScan:
    def __init__(self, bounds: SheetBounds, check_bounds: bool):
        self.bounds = bounds
        self.check_bounds = check_bounds
        self.candidates = 0
        self.needs_diagnosis = False

    def window(self, window: bytes, owned: int) -> None:
        if self.check_bounds:
            self._cells(window, owned)
            self._rows(window, owned)
            self._areas(window, owned)
        if not self.needs_diagnosis and not _numbers_hold(window, owned):
            self.needs_diagnosis = True

    def _cells(self, window: bytes, owned: int) -> None:
        if any(m.start() < owned for m in _PREFIXED.finditer(window)):
            raise _Unsure
        budget = self.bounds.budget
        budget.used += window.count(b"<c ", 0, owned + 2)
        if budget.used > budget.max_cells:
            raise _Unsure
        limits = self.bounds.limits
        for match in _CELL.finditer(window):
            if match.start() >= owned:
                break
            text = match[1]
            self._candidate()
            if text is None or not text.isalnum() or not text[:1].isupper():
                raise _Unsure
            position = parse_reference(text.decode("ascii"))
            if position is None or position[0] > limits.max_row:
                raise _Unsure
            if position[1] > limits.max_column:
                raise _Unsure

    def _rows(self, window: bytes, owned: int) -> None:
        for match in _ROW.finditer(window):
            if match.start() >= owned:
                break
            text = match[1]
            self._candidate()
            if text is None or not text.isdigit() or text[:1] == b"0":
                raise _Unsure
            if int(text) > self.bounds.limits.max_row:
                raise _Unsure

    def _areas(self, window: bytes, owned: int) -> None:
        for label, pattern in _AREAS:
            for match in pattern.finditer(window):
                if match.start() < owned:
                    self.bounds.area(label, match[1].decode("ascii", "replace"))

    def _candidate(self) -> None:
        self.candidates += 1
        if self.candidates > MAX_CANDIDATES:
            raise _Unsure


def _numbers_hold(window: bytes, owned: int) -> bool:
    """A <v> that is no number is right in a text cell (t="str" holds any text, t="e" an
    error); in a number cell it is damage calamine would read as text without a word."""
    for match in _VALUE_NOT_A_NUMBER.finditer(window):
        if match.start() >= owned:
            break
        start = window.rfind(b"<c ", 0, match.start())
        kind = _CELL_TYPE.search(window, start, window.find(b">", start))
        if start < 0 or kind is None or kind[1] == b"n":
            return False
    return True
