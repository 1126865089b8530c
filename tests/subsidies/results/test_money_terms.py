"""The settlement word is decided once: ``Settlement.of_difference`` over J (I − G)."""

import pytest

from subsidies.results.calculation import Settlement
from zaitaku_portal.templatetags.ja_format import settlement


@pytest.mark.parametrize(
    ("difference", "expected"),
    [
        (1, Settlement.REFUND),
        (82_000, Settlement.REFUND),
        (0, Settlement.SETTLED),
        (-1, Settlement.ADDITIONAL_PAYMENT),
        (-1_483_000, Settlement.ADDITIONAL_PAYMENT),
    ],
)
def test_settlement_of_difference_positive_is_refund(difference, expected):
    assert Settlement.of_difference(difference) is expected


@pytest.mark.parametrize("difference", [82_000, 1, 0, -1, -1_483_000])
def test_settlement_filter_uses_the_one_word(difference):
    word = Settlement.of_difference(difference).label
    assert settlement(difference).startswith(word)
