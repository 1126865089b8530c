"""Money words every app shares, with no Django in them: what J (差引過不足額) means.

Kept in the core so the template filters (zaitaku_portal/templatetags/ja_format.py), the
calculation (subsidies/results/calculation.py), the claims pages and the notices
(reports/notices.py) read one definition without the core importing a domain app."""

from __future__ import annotations

from enum import StrEnum
from fractions import Fraction


class Settlement(StrEnum):
    """What J (差引過不足額) means for the payment that follows 額の確定."""

    REFUND = "refund"
    ADDITIONAL_PAYMENT = "additional_payment"
    SETTLED = "settled"

    @property
    def label(self) -> str:
        return {
            Settlement.REFUND: "返還",
            Settlement.ADDITIONAL_PAYMENT: "追加交付",
            Settlement.SETTLED: "過不足なし",
        }[self]

    @classmethod
    def of_difference(cls, difference: int | Fraction) -> Settlement:
        """The one place that reads J: positive is owed back, negative is still to be paid."""
        if difference > 0:
            return cls.REFUND
        if difference < 0:
            return cls.ADDITIONAL_PAYMENT
        return cls.SETTLED
