"""Money words every app shares, with no Django in them: what J (差引過不足額) means, and
how a negative amount is written (△, as Japanese public accounts write it).

After 額の確定 money moves one way or the other: 返還 of an excess advance, or the 精算払 of
what is still due (the 支払額). 追加交付 is something else (a larger grant decision,
変更交付決定) and is never the word for paying a confirmed amount (DOMAIN.md).

Kept in the core so the template filters (zaitaku_portal/templatetags/ja_format.py), the
calculation (subsidies/results/calculation.py), the claims pages and the notices
(reports/notices.py) read one definition without the core importing a domain app."""

from __future__ import annotations

from enum import StrEnum
from fractions import Fraction


def signed_yen(amount: int) -> str:
    """1,000円; a negative amount with △: △1,000円."""
    return f"△{-amount:,}円" if amount < 0 else f"{amount:,}円"


class Settlement(StrEnum):
    """What J (差引過不足額) means for the payment that follows 額の確定.

    The stored value of a remaining payment stays "additional_payment" (pages and the
    accounting JSON compare it); its member and words are the 精算払 of the 支払額."""

    REFUND = "refund"
    REMAINING_PAYMENT = "additional_payment"
    SETTLED = "settled"

    @property
    def label(self) -> str:
        """The word: 返還, 精算払, 過不足なし."""
        return {
            Settlement.REFUND: "返還",
            Settlement.REMAINING_PAYMENT: "精算払",
            Settlement.SETTLED: "過不足なし",
        }[self]

    @property
    def amount_label(self) -> str:
        """The amount's name on a notice: 返還額, 支払額（精算払）."""
        return {
            Settlement.REFUND: "返還額",
            Settlement.REMAINING_PAYMENT: "支払額（精算払）",
            Settlement.SETTLED: "過不足額",
        }[self]

    @classmethod
    def of_difference(cls, difference: int | Fraction) -> Settlement:
        """The one place that reads J: positive is owed back, negative is still to be paid."""
        if difference > 0:
            return cls.REFUND
        if difference < 0:
            return cls.REMAINING_PAYMENT
        return cls.SETTLED
