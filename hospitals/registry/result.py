"""What reading a 届出受理医療機関名簿 gives: the facilities, the problems, the rows held back.

A problem is an error (the row cannot be read: it is left out, and so is every other row of
its facility, which is then not updated) or a warning (the row is imported and flagged).
Every problem names the sheet, the row, the cell and the column, in Japanese."""

from __future__ import annotations

import datetime
import functools
import unicodedata
from dataclasses import dataclass, field

MAX_PROBLEMS_KEPT = 500
ERROR = "error"
WARNING = "warning"


def normalise(value) -> str:
    """Full-width digits, letters and spaces to half-width; inner runs of space kept single."""
    if value.__class__ is str:  # nearly every cell: the fast path first
        return _normalise_text(value) if value else ""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime.datetime):
        value = value.date() if value.time() == datetime.time() else value
    if isinstance(value, datetime.date):
        return value.isoformat()
    return _normalise_text(str(value))


@functools.lru_cache(maxsize=65536)
def _normalise_text(text: str) -> str:
    # a list repeats the same names, dates and symbols on every row of a facility; split()
    # takes runs of any Unicode space, as \s does, at a fraction of re.sub's cost
    return " ".join(unicodedata.normalize("NFKC", text).split())


@functools.lru_cache(maxsize=65536)
def compact(value) -> str:
    """normalise() without any space; cached on the cell's value (str, number, date)."""
    return "".join(normalise(value).split())


@dataclass
class Problem:
    row: int | None
    cell: str
    column: str
    message: str
    severity: str = ERROR
    sheet: str = ""

    def as_dict(self) -> dict:
        return {
            "sheet": self.sheet,
            "row": self.row,
            "cell": self.cell,
            "column": self.column,
            "message": self.message,
            "severity": self.severity,
            "text": self.text,
        }

    @property
    def text(self) -> str:
        """'11行目 セルM11（算定開始年月日）: …'; the sheet is a column of its own, shown once
        above the table (every row problem is on the list's sheet)."""
        where = []
        if self.row:
            where.append(f"{self.row}行目")
        if self.cell:
            where.append(f"セル{self.cell}")
        place = " ".join(where)
        column = f"（{self.column}）" if self.column else ""
        return f"{place}{column}: {self.message}" if place or column else self.message


@dataclass
class HeldRow:
    """A row left out of the import, with its values as read and why."""

    row: int
    values: list[str]
    messages: list[str]

    def as_list(self) -> list:
        return [self.row, self.values, self.messages]


@dataclass
class ParseResult:
    file_name: str
    file_size: int
    sha256: str
    engine: str = ""
    sheet_name: str = ""
    header_row: int | None = None
    header: list[str] = field(default_factory=list)
    as_of: datetime.date | None = None
    facilities: dict[str, dict] = field(default_factory=dict)
    row_count: int = 0
    skipped_row_count: int = 0
    problems: list[Problem] = field(default_factory=list)
    error_count: int = 0
    warning_count: int = 0
    file_error_count: int = 0
    check_digit_failures: set[str] = field(default_factory=set)
    held_rows: list[HeldRow] = field(default_factory=list)
    held_codes: set[str] = field(default_factory=set)
    unidentified_held_rows: int = 0

    def add(self, problem: Problem) -> None:
        if not problem.sheet:
            problem.sheet = self.sheet_name
        if problem.severity == ERROR:
            self.error_count += 1
        else:
            self.warning_count += 1
        if len(self.problems) < MAX_PROBLEMS_KEPT:
            self.problems.append(problem)

    def fail(self, message: str, row=None, cell="", column="") -> None:
        """An error of the list as a whole (its layout, its date): nothing can be imported."""
        self.file_error_count += 1
        self.add(Problem(row, cell, column, message))

    def refuse_whole(self, problem: Problem) -> None:
        """Only this problem is shown: the rest would not help (another prefecture's list)."""
        self.problems, self.error_count, self.warning_count = [], 0, 0
        self.facilities = {}
        self.held_rows, self.held_codes, self.unidentified_held_rows = [], set(), 0
        self.file_error_count = 1
        self.add(problem)

    @property
    def ok(self) -> bool:
        """Nothing is wrong at all: "all rows" may be imported."""
        return self.error_count == 0

    @property
    def readable(self) -> bool:
        """The list as a whole could be read: the rows without errors may be imported."""
        return self.file_error_count == 0
