"""和暦 (Japanese era) dates, as officials write them: 令和6年4月1日, 令和6年度, 令和元年."""

import datetime
import re
import unicodedata
from typing import NamedTuple


class Era(NamedTuple):
    name: str
    start: datetime.date


ERAS = (
    Era("令和", datetime.date(2019, 5, 1)),
    Era("平成", datetime.date(1989, 1, 8)),
    Era("昭和", datetime.date(1926, 12, 25)),
)
_ERA_BY_NAME = {era.name: era for era in ERAS}
_ERA_BY_INITIAL = {"R": "令和", "H": "平成", "S": "昭和"}


def _era_year(year: int) -> str:
    return "元" if year == 1 else str(year)


def era_of(date: datetime.date) -> tuple[Era, int]:
    for era in ERAS:
        if date >= era.start:
            return era, date.year - era.start.year + 1
    raise ValueError(f"{date.isoformat()} は昭和より前の日付のため和暦に変換できません。")


def wareki_date(date: datetime.date) -> str:
    """2024-04-01 → 令和6年4月1日."""
    era, year = era_of(date)
    return f"{era.name}{_era_year(year)}年{date.month}月{date.day}日"


def fiscal_year_label(year: int) -> str:
    """2024 → 令和6年度. The era is the one in force at the year's end, counted from the
    year the fiscal year starts in (FY2019 began under 平成 but is called 令和元年度)."""
    era, _ = era_of(datetime.date(year + 1, 3, 31))
    era_year = year - era.start.year + 1
    if era_year < 1:  # FY1988 ended under 平成 but is 昭和63年度
        era, _ = era_of(datetime.date(year, 4, 1))
        era_year = year - era.start.year + 1
    return f"{era.name}{_era_year(era_year)}年度"


def fiscal_year_of(date: datetime.date) -> int:
    """The fiscal year (April to March) a date falls in, as its western starting year."""
    return date.year if date.month >= 4 else date.year - 1


_WAREKI_PATTERN = re.compile(
    r"^(?P<era>令和|平成|昭和|[RHS])(?P<year>元|\d{1,2})[年.\-/]"
    r"(?P<month>\d{1,2})[月.\-/](?P<day>\d{1,2})日?$"
)


def parse_wareki(text: str) -> datetime.date:
    """'令和 6年 6月 1日', '令和６年６月１日', 'R6.6.1' → date. Raises ValueError in Japanese."""
    cleaned = re.sub(r"\s", "", unicodedata.normalize("NFKC", text or ""))
    match = _WAREKI_PATTERN.match(cleaned)
    if not match:
        raise ValueError(f"「{text}」は和暦の日付（例: 令和6年6月1日）として読めません。")
    era_name = _ERA_BY_INITIAL.get(match["era"], match["era"])
    era = _ERA_BY_NAME[era_name]
    era_year = 1 if match["year"] == "元" else int(match["year"])
    if era_year < 1:
        raise ValueError(f"「{text}」の年が正しくありません。")
    western_year = era.start.year + era_year - 1
    try:
        date = datetime.date(western_year, int(match["month"]), int(match["day"]))
    except ValueError:
        raise ValueError(f"「{text}」は存在しない日付です。") from None
    if date < era.start:
        raise ValueError(f"「{text}」は{era.name}の始まり（{era.start:%Y年%m月%d日}）より前です。")
    later = [e for e in ERAS if e.start > era.start]
    if later and date >= min(e.start for e in later):
        raise ValueError(f"「{text}」は{era.name}の終わりより後の日付です。")
    return date
