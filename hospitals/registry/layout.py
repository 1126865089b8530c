"""Where the list is in the workbook: its sheet, its header row, its columns, its date.

The bureau's layout (title in A2 with [令和X年X月X日現在], header on row 4) is what we see most,
but a list passed on by someone else has a cover sheet first, notes above the header, blank
columns: the header is the row, within the first HEAD_ROWS rows of a sheet, that holds every
required column name; the list's sheet is the first sheet that has one; the date is the
[…現在] above the header, else on an earlier sheet. Every message names the sheet and the rows
it looked at."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import chain, islice

from openpyxl.utils import get_column_letter

from hospitals.registry.result import ParseResult, compact, normalise
from zaitaku_portal.wareki import parse_wareki

HEAD_ROWS = 20
CANDIDATE_LABELS = 3
"""A row with this many known column names is taken to be a header, if a wrong one."""


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
LABELS = {column.key: column.label for column in COLUMNS}
_NAMES = {name: column for column in COLUMNS for name in (column.label, *column.aliases)}
_AS_OF = re.compile(r"((?:令和|平成)\s*(?:元|\d{1,2})\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日)\s*現在")


@dataclass
class Layout:
    sheet: str
    header_row: int
    positions: dict[str, int]
    header: list[str]
    rows: Iterator[tuple[int, tuple]]
    above: list[tuple[int, tuple]]
    heads: list[tuple[str, list[tuple[int, tuple]]]] = field(default_factory=list)

    def letters(self) -> dict[str, str]:
        return {key: get_column_letter(index + 1) for key, index in self.positions.items()}


@dataclass
class _Candidate:
    sheet: str
    row: int
    positions: dict[str, int]
    labels: list[str]

    @property
    def missing(self) -> list[str]:
        return [c.label for c in COLUMNS if c.required and c.key not in self.positions]


def _candidate(sheet: str, number: int, values: tuple) -> _Candidate | None:
    positions: dict[str, int] = {}
    labels = []
    for index, value in enumerate(values):
        text = compact(value)
        if not text:
            continue
        labels.append(text)
        column = _NAMES.get(text)
        if column is not None and column.key not in positions:
            positions[column.key] = index
    if len(positions) < CANDIDATE_LABELS:
        return None
    return _Candidate(sheet, number, positions, labels)


def find_layout(book, result: ParseResult, rows_of) -> Layout | None:
    """The list's sheet and header; else a message naming the sheets and rows looked at.
    rows_of(sheet) gives that sheet's (row number, values)."""
    looked: list[tuple[str, int]] = []
    heads: list[tuple[str, list[tuple[int, tuple]]]] = []
    best: _Candidate | None = None
    for sheet in book.names:
        rows = rows_of(sheet)
        head = list(islice(rows, HEAD_ROWS))
        filled = [(n, v) for n, v in head if any(normalise(x) for x in v)]
        looked.append((sheet, head[-1][0] if filled else 0))
        for number, values in filled:
            candidate = _candidate(sheet, number, values)
            if candidate is None:
                continue
            if not candidate.missing:
                rest = chain(((n, v) for n, v in head if n > number), rows)
                header = ["" if v is None else str(v).strip() for v in values]  # as written
                above = [(n, v) for n, v in head if n < number]
                return Layout(sheet, number, candidate.positions, header, rest, above, heads)
            if best is None or len(candidate.positions) > len(best.positions):
                best = candidate
        heads.append((sheet, head))
        close = getattr(rows, "close", None)
        if close is not None:
            close()
    _no_header(result, looked, best)
    return None


def _no_header(result: ParseResult, looked, best: _Candidate | None) -> None:
    if best is not None:
        result.sheet_name = best.sheet
        missing = "、".join(f"「{label}」" for label in best.missing)
        seen = "、".join(f"「{label}」" for label in best.labels)
        result.fail(
            f"{best.row}行目の見出しが名簿の形式と異なります（シート「{best.sheet}」）。"
            f"見出し{missing}がありません（見つかった見出し: {seen}）。",
            row=best.row,
            cell=f"A{best.row}",
        )
        return
    if all(last == 0 for _sheet, last in looked):
        names = "、".join(f"「{sheet}」" for sheet, _ in looked)
        result.fail(
            f"シートが空です（シート{names}）。見出し（都道府県コード・区分・医療機関番号など）の"
            "行と、その下にデータが必要です。"
        )
        return
    where = "、".join(f"「{sheet}」の1〜{last}行目" for sheet, last in looked if last)
    required = "、".join(f"「{c.label}」" for c in COLUMNS if c.required)
    result.fail(
        f"名簿の見出し（{required}）の行が見つかりません（見た範囲: {where}）。"
        "厚生局の名簿を加工せずに選んでください。"
    )


def find_as_of(layout: Layout, result: ParseResult, today: datetime.date) -> None:
    """The […現在] date above the header, else on a sheet before the list's."""
    for _sheet, rows in [(layout.sheet, layout.above), *layout.heads]:
        for number, values in rows:
            if _as_of_in(values, number, result, today):
                return
    last = layout.header_row - 1
    rows_text = f"1〜{last}行目" if last > 1 else ("1行目" if last == 1 else "見出しより上")
    result.fail(
        f"名簿の時点（例: [令和6年6月1日現在]）が{rows_text}に見つかりません"
        f"（シート「{layout.sheet}」）。",
        column="表題",
    )


def _as_of_in(values: tuple, number: int, result: ParseResult, today) -> bool:
    for index, value in enumerate(values):
        match = _AS_OF.search(normalise(value))
        if not match:
            continue
        cell = f"{get_column_letter(index + 1)}{number}"
        try:
            as_of = parse_wareki(match[1])
        except ValueError as error:
            result.fail(str(error), row=number, cell=cell, column="名簿の時点")
            return True
        if as_of > today:
            result.fail(
                f"名簿の時点「{match[1]}」が今日より後の日付です。年の誤りがないか確認してください。",
                row=number,
                cell=cell,
                column="名簿の時点",
            )
        result.as_of = as_of
        return True
    return False
