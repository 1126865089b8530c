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
BY_LETTER = {column.letter: column for column in COLUMNS}

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
    "OTHER_INCOME",
    "REQUIRED_AMOUNT",
    "TOTAL_COST",
    "SeisanColumn",
    "column",
]
