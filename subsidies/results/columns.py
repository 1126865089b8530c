"""The 精算額調's columns A〜J, said once: letter, Japanese label and, where a header prints
it, the formula.

Fukuoka's 精算額調 (DOMAIN.md) lays the calculation out as these columns. The calculation's
steps, the 精算額調 page (templates/subsidies/results/_breakdown.html through the
``seisan_columns`` tag), the xlsx (exports/seisan.py), the 実績報告書 PDF, the 額の確定通知書
(reports/notices.py), the expense form and the expense workbook all read their words here,
so a column cannot be called two things. Where the places disagreed before, the word kept is
the one of the page and the xlsx: F is 選定額 (the steps said 基準額と対象経費の実支出額の少ない方,
which the formula min(D, E) already shows), B is 寄附金その他の収入額 and D 対象経費の実支出額 in
full (the PDF shortened them), and I is 受入額（概算払） (the notice said 受入済額（概算払）).
No Django here: the calculation imports it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SeisanColumn:
    letter: str
    label: str
    formula: str = ""  # how the column is made from the others, as a header prints it
    note: str = ""  # what the amount is, where the label alone does not say

    @property
    def heading(self) -> str:
        """A table header: 「A 総事業費」."""
        return f"{self.letter} {self.label}"

    @property
    def heading_with_formula(self) -> str:
        """The xlsx summary's header: 「C 差引額（A−B）」."""
        return f"{self.heading}（{self.formula}）" if self.formula else self.heading

    @property
    def field_label(self) -> str:
        """An input's label, the figure first: 「総事業費（A）」."""
        return f"{self.label}（{self.letter}）"

    @property
    def label_with_note(self) -> str:
        """The label with what it is: 「受入額（概算払）」."""
        return f"{self.label}（{self.note}）" if self.note else self.label


TOTAL_COST = SeisanColumn("A", "総事業費")
OTHER_INCOME = SeisanColumn("B", "寄附金その他の収入額")
NET_COST = SeisanColumn("C", "差引額", formula="A−B")
ELIGIBLE_EXPENSE = SeisanColumn("D", "対象経費の実支出額")
BASE_AMOUNT = SeisanColumn("E", "基準額")
CAPPED_EXPENSE = SeisanColumn("F", "選定額", formula="DとEの少ない方")
REQUIRED_AMOUNT = SeisanColumn("G", "補助所要額")
DECIDED_AMOUNT = SeisanColumn("H", "交付決定額")
ADVANCE_RECEIVED = SeisanColumn("I", "受入額", note="概算払")
DIFFERENCE = SeisanColumn("J", "差引過不足額", formula="I−G")

# The steps between the columns, each with its own symbol so no letter is printed twice in
# one explanation (issue 14). Fixed meanings, whatever the rule; a step that the rule does
# not take is not printed (so the G steps may read G1, G3, G):
#   C′  差引額による限度額, on the facility's table where C is compared per facility
#       (OtherIncomeLevel.FACILITY): the most the facility's menus can be paid within C
#       (C applied to Σ G ÷ 補助率, highest rate first; with one rate min(ΣF, C) × 補助率).
#   G1  補助率を乗じた額: min(F, C) × 補助率 (国), min(D, C) × 補助率 (補助率を先に乗じる).
#   G2  基準額と比較した額: min(G1, E), only under 補助率を先に乗じる.
#   G3  交付決定額以内の額: min(G1 or G2, H), only where H is decided.
#   G   補助所要額: the menu's amount (rounded down when the rule rounds per menu) and, on
#       the facility's table, the sum of the menus' G (within C′) rounded down.
NET_COST_BOUND = SeisanColumn("C′", "差引額による限度額", formula="C×補助率")
RATED_AMOUNT = SeisanColumn("G1", "補助率を乗じた額")
RATED_WITHIN_BASE = SeisanColumn("G2", "基準額と比較した額", formula="G1とEの少ない方")
WITHIN_DECIDED = SeisanColumn("G3", "交付決定額以内の額", formula="G1（G2）とHの少ない方")
STEP_COLUMNS: tuple[SeisanColumn, ...] = (
    NET_COST_BOUND,
    RATED_AMOUNT,
    RATED_WITHIN_BASE,
    WITHIN_DECIDED,
)

COLUMNS: tuple[SeisanColumn, ...] = (
    TOTAL_COST,
    OTHER_INCOME,
    NET_COST,
    ELIGIBLE_EXPENSE,
    BASE_AMOUNT,
    CAPPED_EXPENSE,
    REQUIRED_AMOUNT,
    DECIDED_AMOUNT,
    ADVANCE_RECEIVED,
    DIFFERENCE,
)
LETTERS = "".join(column.letter for column in COLUMNS)  # "ABCDEFGHIJ"
BY_LETTER = {column.letter: column for column in (*COLUMNS, *STEP_COLUMNS)}

# G of a whole application once confirmed: the amount the 額の確定通知書 states and the
# results pages show (確定額 = ΣG, never above H). Said here because it names a column.
CONFIRMED_AMOUNT_LABEL = "確定額"


def column(letter: str) -> SeisanColumn:
    return BY_LETTER[letter]


__all__ = [
    "ADVANCE_RECEIVED",
    "BASE_AMOUNT",
    "BY_LETTER",
    "CAPPED_EXPENSE",
    "COLUMNS",
    "CONFIRMED_AMOUNT_LABEL",
    "DECIDED_AMOUNT",
    "DIFFERENCE",
    "ELIGIBLE_EXPENSE",
    "LETTERS",
    "NET_COST",
    "NET_COST_BOUND",
    "OTHER_INCOME",
    "RATED_AMOUNT",
    "RATED_WITHIN_BASE",
    "REQUIRED_AMOUNT",
    "STEP_COLUMNS",
    "TOTAL_COST",
    "WITHIN_DECIDED",
    "SeisanColumn",
    "column",
]
