"""The rules of one row of the list: what makes it an error (left out), what a warning.

Errors (the row cannot be read, or is not ours): 区分, 都道府県コード (unreadable or another
prefecture's), 医療機関番号, an empty 医療機関名称, a row repeated, an 算定開始年月日 that is no
date or lies after today. Every other row of a facility with an error is left out too, so a
facility is updated from all its rows or not at all (a left-out 支援診 row would otherwise lower
its tier); a repeated row is left out alone, its twin is read. Warnings (imported, flagged):
an 算定開始年月日 after the list's date, a bed count that is no number or is implausible, a
医療機関コード whose check digit fails (ADR: flagged, never fixed)."""

from __future__ import annotations

import datetime
import functools
import re
from collections import Counter

from openpyxl.utils.datetime import from_excel

from hospitals.codes import SCORE_TABLE_MEDICAL, luhn_check_passes
from hospitals.registry.layout import LABELS, Layout
from hospitals.registry.prefectures import prefecture_label
from hospitals.registry.result import WARNING, HeldRow, ParseResult, Problem, compact, normalise
from zaitaku_portal.wareki import parse_wareki, wareki_date

SECTIONS = {"医科": "1", "歯科": "3", "薬局": "4", "調剤": "4"}
TIER_SINGLE = "enhanced_single"
TIER_LINKED = "enhanced_linked"
TIER_CONVENTIONAL = "conventional"
TIER_NONE = "none"
TIER_STRENGTH = {TIER_NONE: 0, TIER_CONVENTIONAL: 1, TIER_LINKED: 2, TIER_SINGLE: 3}
_SUPPORT_SYMBOL = re.compile(r"^支援(?P<kind>[診病])(?P<tier>[123])(?P<sub>[アイ]?)$")
BACKUP_SYMBOL = "在後病"
BED_COUNT_MAX = 9999  # MedicalInstitution.bed_count's bound
BED_COUNT_PLAUSIBLE = 2000  # the largest hospitals in Japan have some 1,500 beds
_NUMBER = re.compile(r"^(\d{2})-?(\d{5})$")
_PREFECTURE = re.compile(r"^\d{1,2}$")
_WESTERN = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:T[\d:.]*)?$")
"""2024-06-01, 2024/6/1, 2024年6月1日, and an ISO date cell read as text (2024-06-01T00:00:00)."""
_DASHES = str.maketrans({c: "-" for c in "ー−‐‑–—―"})


class RowError(Exception):
    def __init__(self, key: str, message: str, holds_facility: bool = True):
        super().__init__(message)
        self.key = key
        self.message = message
        self.holds_facility = holds_facility


def shown(values: tuple) -> list[str]:
    """The values of a held row as text, for the download (dates as ISO, 47.0 as 47)."""
    out = []
    for value in values:
        if value is None:
            out.append("")
        elif isinstance(value, float) and value.is_integer():
            out.append(str(int(value)))
        elif isinstance(value, datetime.date):
            out.append(value.isoformat())
        else:
            out.append(str(value))
    return out


def _beds(text: str) -> int | None:
    numbers = [int(n) for n in re.findall(r"\d+", text)]
    return sum(numbers) if numbers else None


def _number_of(value) -> str:
    """医療機関番号 as text (01-15202, ０１－１５２０２) or as a number cell (115202 → 01-15202)."""
    number = isinstance(value, int | float) and not isinstance(value, bool)
    if number and float(value).is_integer() and 0 <= value < 10_000_000:
        return f"{int(value):07d}"
    return compact(value).translate(_DASHES)


@functools.lru_cache(maxsize=65536)
def _identity(section_value, prefecture_value, number_value) -> tuple[str, str, str | None]:
    """(点数表, 都道府県コード, 医療機関コード or None when not 医科) of a row: the rows of a
    facility repeat these, so each is worked out once. Raises RowError."""
    section_text = compact(section_value)
    section = SECTIONS.get(section_text)
    if section is None:
        raise RowError("section", f"「{section_text}」は区分として読めません（医科・歯科・薬局）。")
    prefecture = compact(prefecture_value)
    if not _PREFECTURE.match(prefecture) or not 1 <= int(prefecture) <= 47:
        raise RowError("prefecture", f"「{prefecture}」は都道府県コード（01〜47）ではありません。")
    prefecture = f"{int(prefecture):02d}"
    if section != SCORE_TABLE_MEDICAL:
        return section, prefecture, None
    number_text = _number_of(number_value)
    match = _NUMBER.match(number_text)
    if not match:
        raise RowError(
            "number", f"「{number_text}」は医療機関番号（例: 01-15202）として読めません。"
        )
    return section, prefecture, f"{prefecture}{section}{match[1]}{match[2]}"


class RowReader:
    """Reads the data rows below the header into result.facilities, problems and held rows."""

    def __init__(self, layout: Layout, result: ParseResult, today: datetime.date, ours: str):
        self.result = result
        self.today = today
        self.ours = ours
        self.letters = layout.letters()
        index = layout.positions
        self.width = max(index.values()) + 1
        self.index = index
        self.identity_columns = (index["section"], index["prefecture"], index["number"])
        self.seen: dict[tuple, int] = {}
        self.first_error_of: dict[str, int] = {}
        self.held: dict[int, HeldRow] = {}
        self.prefectures: Counter = Counter()

    def _padded(self, values: tuple) -> tuple:
        if len(values) < self.width:
            return (*values, *(None,) * (self.width - len(values)))
        return values

    def _value(self, values: tuple, key: str):
        position = self.index.get(key)
        return None if position is None else values[position]

    def read(self, rows) -> None:
        section, prefecture, number_column = self.identity_columns
        name_column = self.index["name"]
        for number, values in rows:
            values = self._padded(values)
            if not (values[section] or values[number_column] or values[name_column]):
                continue  # a blank row, a note or a footer line
            code, identified = None, False
            try:
                _section, where, code = _identity(
                    values[section], values[prefecture], values[number_column]
                )
                identified = True
                self.result.row_count += 1
                self.prefectures[where] += 1
                if code is None:
                    self.result.skipped_row_count += 1
                    continue
                if where != self.ours:
                    code = None  # not ours: no facility of ours is held
                    raise self._not_ours(where)
                self._facility_row(number, code, values)
            except RowError as error:
                if not identified:
                    if self._blank(values):
                        continue
                    self.result.row_count += 1
                self._hold(number, values, code, error)

    def _blank(self, values: tuple) -> bool:
        keys = ("section", "number", "name")
        return not any(normalise(self._value(values, key)) for key in keys)

    def _not_ours(self, prefecture: str) -> RowError:
        return RowError(
            "prefecture",
            f"都道府県コード「{prefecture}」は{prefecture_label(prefecture)}です。"
            f"このポータルは{prefecture_label(self.ours)}の医療機関だけを取り込みます。",
            holds_facility=False,
        )

    # --- one row of ours ----------------------------------------------------------------

    def _facility_row(self, number: int, code: str, values: tuple) -> None:
        index = self.index
        name = values[index["name"]]
        if not name:
            raise RowError("name", "医療機関名称が空です。")
        symbol = compact(values[index["symbol"]])
        acceptance = self._value(values, "acceptance_number")
        key = (code, symbol, acceptance)  # a repeated row is a copy: its raw values match
        if key in self.seen:
            raise RowError(
                "symbol",
                f"{self.seen[key]}行目と同じ医療機関（{code}）・受理記号（{symbol}）・"
                f"受理番号（{compact(acceptance) or '空欄'}）の行が重複しています。",
                holds_facility=False,
            )
        since = self._since(number, values[index["since"]])
        self.seen[key] = number
        facility = self.result.facilities.get(code)
        if facility is None:
            facility = self._new_facility(number, code, values)
        _apply_symbol(facility, symbol, since)

    def _since(self, number: int, value) -> datetime.date | None:
        since = _date_of(value)
        if since is None:
            return None
        as_of = self.result.as_of
        if since > self.today or (as_of and since > as_of):
            shown_as = normalise(value) if isinstance(value, str) else wareki_date(since)
            if since > self.today:
                listed = f"名簿の時点（{wareki_date(as_of)}現在）" if as_of else "今日"
                raise RowError(
                    "since",
                    f"「{shown_as}」は{listed}より後の日付です。年の誤りがないか確認してください。",
                )
            self._warn(
                number,
                "since",
                f"「{shown_as}」は名簿の時点（{wareki_date(as_of)}現在）より後の日付です。"
                "そのまま取り込みます。名簿の誤りでないか確認してください。",
            )
        return since

    def _new_facility(self, number: int, code: str, values: tuple) -> dict:
        name = normalise(values[self.index["name"]])
        if not name:
            raise RowError("name", "医療機関名称が空です。")
        beds_text = normalise(self._value(values, "beds"))
        facility = self.result.facilities[code] = {
            "code": code,
            "row": number,
            "name": name,
            "postal_code": compact(self._value(values, "postal_code")).lstrip("〒"),
            "address": normalise(values[self.index["address"]]),
            "phone": compact(self._value(values, "phone")),
            "beds_text": beds_text,
            "bed_count": self._bed_count(number, beds_text),
            "support_tier": TIER_NONE,
            "linked_subtype": "",
            "is_backup_hospital": False,
            "support_since": None,
            "has_hospital_symbol": False,
            "has_clinic_symbol": False,
            "code_check_passed": luhn_check_passes(code),
        }
        if not facility["code_check_passed"]:
            self.result.check_digit_failures.add(code)
            self._warn(
                number,
                "number",
                f"医療機関コード {code} の検証番号がLuhn方式と一致しません。"
                "取り込む場合は「要確認」として登録されます。",
            )
        return facility

    def _bed_count(self, number: int, text: str) -> int | None:
        count = _beds(text)
        if text and count is None:
            self._warn(
                number, "beds", f"病床数「{text}」から床数を読めません。床数なしで取り込みます。"
            )
        elif count is not None and count > BED_COUNT_MAX:
            self._warn(
                number,
                "beds",
                f"病床数の合計（{count:,}床）が上限（{BED_COUNT_MAX:,}床）を超えています。"
                "床数なしで取り込みます。名簿の記載を確認してください。",
            )
            return None
        elif count is not None and count > BED_COUNT_PLAUSIBLE:
            self._warn(
                number,
                "beds",
                f"病床数の合計（{count:,}床）が異常に多い値です。そのまま取り込みます。"
                "名簿の記載を確認してください。",
            )
        return count

    # --- problems -----------------------------------------------------------------------

    def _warn(self, number: int, key: str, message: str) -> None:
        cell = f"{self.letters[key]}{number}"
        self.result.add(Problem(number, cell, LABELS[key], message, WARNING))

    def _hold(self, number: int, values: tuple, code: str | None, error: RowError) -> None:
        cell = f"{self.letters[error.key]}{number}"
        problem = Problem(number, cell, LABELS[error.key], error.message)
        self.result.add(problem)
        self.held[number] = HeldRow(number, shown(values), [problem.text])
        if not error.holds_facility:
            return
        if code is None:
            self.result.unidentified_held_rows += 1
        else:
            self.first_error_of.setdefault(code, number)

    # --- after the last row -------------------------------------------------------------

    def finish(self) -> bool:
        """Drops the facilities with an error row. True when their other rows must be read
        again (hold_other_rows) to be held with their values."""
        result = self.result
        if self._another_prefecture():
            return False
        for code in self.first_error_of:
            result.facilities.pop(code, None)
            result.check_digit_failures.discard(code)
        result.held_codes = set(self.first_error_of)
        result.held_rows = list(self.held.values())
        return bool(self.first_error_of)

    def hold_other_rows(self, rows) -> None:
        """The rows without an error of a facility with one: held with a message."""
        section, prefecture, number_column = self.identity_columns
        held = self.result.held_rows
        for number, values in rows:
            if number in self.held or number <= (self.result.header_row or 0):
                continue
            values = self._padded(values)
            try:
                code = _identity(values[section], values[prefecture], values[number_column])[2]
            except RowError:
                continue
            first = self.first_error_of.get(code)
            if first is not None:
                message = (
                    f"同じ医療機関（{code}）の{first}行目にエラーがあるため、"
                    "この行も取り込みません（医療機関は更新しません）。"
                )
                held.append(HeldRow(number, shown(values), [message]))
        held.sort(key=lambda row: row.row)

    def _another_prefecture(self) -> bool:
        if not self.prefectures or self.prefectures[self.ours]:
            return False
        theirs, count = self.prefectures.most_common(1)[0]
        self.result.refuse_whole(
            Problem(
                None,
                "",
                LABELS["prefecture"],
                f"この名簿は{prefecture_label(theirs)}の名簿です（{count:,}行）。このポータルは"
                f"{prefecture_label(self.ours)}の医療機関だけを取り込むため、取り込めません。"
                f"{prefecture_label(self.ours)}の名簿を選んでください。",
                sheet=self.result.sheet_name,
            )
        )
        return True


@functools.lru_cache(maxsize=8192)
def _date_of(value) -> datetime.date | None:
    """A date cell (also ISO, t="d"), an Excel serial typed over the text, or 和暦/西暦 text.
    Cached: a list repeats its dates (an error is raised again each time, as RowError)."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool) and 1 < value < 100_000:
        return from_excel(value).date()
    text = normalise(value)
    if not text:
        return None
    western = _WESTERN.match(text.replace(" ", ""))
    try:
        if western:
            try:
                return datetime.date(*map(int, western.groups()))
            except ValueError:
                raise ValueError(f"「{text}」は存在しない日付です。") from None
        return parse_wareki(text)
    except ValueError as error:
        raise RowError("since", str(error)) from None


def _apply_symbol(facility: dict, symbol: str, since: datetime.date | None) -> None:
    support = _SUPPORT_SYMBOL.match(symbol)
    if support:
        tier = {"1": TIER_SINGLE, "2": TIER_LINKED, "3": TIER_CONVENTIONAL}[support["tier"]]
        if TIER_STRENGTH[tier] > TIER_STRENGTH[facility["support_tier"]]:
            facility["support_tier"] = tier
            facility["linked_subtype"] = {"ア": "a", "イ": "i"}.get(support["sub"], "")
            facility["support_since"] = since.isoformat() if since else None
        kind = "has_hospital_symbol" if support["kind"] == "病" else "has_clinic_symbol"
        facility[kind] = True
    elif symbol == BACKUP_SYMBOL:
        facility["is_backup_hospital"] = True
        facility["has_hospital_symbol"] = True
