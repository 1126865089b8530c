"""The layout of the application workbook (資料4-①②③), said once for its download
(subsidies.applications.excel) and its upload (subsidies.applications.excel_read): the
sheets, the header row, the columns and which of them a line may fill."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from subsidies.applications import hospital_counts
from subsidies.applications.amounts import PER_MONTH, PER_PERSON_HALF_DAY
from subsidies.models import ExpenseCategory

MARKER = "zaitaku-portal:application:v1"
HUB_SHEET = "4-①拠点"
HOSPITAL_SHEET = "4-②積極的医療機関"
MEETING_SHEET = "4-③会議体"
COUNTS_SHEET = "4-②医療機関数"  # form 4-② as counts (subsidies/applications/excel_counts.py)
META_SHEET = "_meta"
HEADER_ROW = 6
FIRST_ROW = 7
FIXED_HEADERS = [
    "補助事業者",
    "補助事業区分",
    "補助額目安（千円）",
    "上限の単位",
    "補助の希望",
    "取り組み事項",
    "開始年度",
    "受講者数",
    "半日数",
    "月数",
    "寄付金その他の収入（円）",
]
COL = {name: index + 1 for index, name in enumerate(FIXED_HEADERS)}
FIRST_EXPENSE_COL = len(FIXED_HEADERS) + 1
MEETING_CELLS = {
    "district_policy": ("B3", "区割りの考え方"),
    "district_count": ("B4", "区割り数"),
    "meeting_body_count": ("B5", "会議体の数"),
    "meeting_members": ("B6", "会議体の構成員"),
    "planned_meetings": ("B7", "多職種連携会議の開催予定回数（年）"),
    "other_actions": ("B8", "その他取り組み事項"),
    "other_actions_start_year": ("B9", "その他取り組み事項の開始年度"),
    "hospital_other_actions": ("B10", "積極的医療機関のその他取り組み事項"),
    "hospital_other_actions_start_year": ("B11", "積極的医療機関のその他取り組み事項の開始年度"),
}
MEETING_START_YEARS = ("other_actions_start_year", "hospital_other_actions_start_year")
TOTAL_HEADER = "予定経費の合計（円）"
# After the total, read-only: what the portal computes for the line (0 with its reason for a
# line without money this year); the upload never reads them.
AMOUNT_HEADER = "交付見込額（円）"
AMOUNT_NOTE_HEADER = "交付見込額の備考"


@dataclass
class ReadResult:
    plan: dict = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def counts_form(application) -> bool:
    """Whether the fiscal year's form 4-② is counts per menu (hospital_counts.py)."""
    return hospital_counts.form_of(application.fiscal_year) == hospital_counts.COUNTS


def line_sheets(application) -> tuple[str, ...]:
    """The sheets with one row per plan line: 4-①, and 4-② unless the year's form 4-② is
    counts (then the hospitals' lines are not in the workbook: COUNTS_SHEET instead)."""
    return (HUB_SHEET,) if counts_form(application) else (HUB_SHEET, HOSPITAL_SHEET)


def expense_categories() -> list[ExpenseCategory]:
    return list(ExpenseCategory.objects.order_by("display_order", "pk"))


def headers_for(categories: list[ExpenseCategory]) -> list[str]:
    """The header row of 4-① and 4-②: the fixed columns, one per expense category, the total,
    then the computed amount and its note."""
    return (
        FIXED_HEADERS
        + [f"{c.name}（円）" for c in categories]
        + [TOTAL_HEADER, AMOUNT_HEADER, AMOUNT_NOTE_HEADER]
    )


def cap_thousands(menu):
    if menu.cap_amount is None:
        return "なし"
    value = Decimal(menu.cap_amount) / 1000
    return int(value) if value == value.to_integral() else float(value)


def applicable_columns(line, categories) -> set[int]:
    cols = {
        COL["補助の希望"],
        COL["取り組み事項"],
        COL["開始年度"],
        COL["寄付金その他の収入（円）"],
    }
    if line.menu.cap_unit == PER_PERSON_HALF_DAY:
        cols |= {COL["受講者数"], COL["半日数"]}
    if line.menu.cap_unit == PER_MONTH:
        cols.add(COL["月数"])
    allowed = {c.code for c in line.menu.expense_categories.all()}
    for offset, category in enumerate(categories):
        if category.code in allowed:
            cols.add(FIRST_EXPENSE_COL + offset)
    return cols
