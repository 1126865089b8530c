"""The one reading of a yen amount (zaitaku_portal.bounds.read_yen), used by YenField, the
application workbook and the expense workbook: what each input means, as a table."""

import datetime
from decimal import Decimal

import pytest
from django import forms

from zaitaku_portal.bounds import OVER, YEN_MAX, YenField, parse_yen, read_yen

PLAIN = [
    # (input, amount, problem)
    (None, 0, ""),
    ("", 0, ""),
    ("　 ", 0, ""),  # a full-width space is blank too
    ("12000", 12_000, ""),
    ("１２，０００円", 12_000, ""),  # 全角数字, 全角カンマ and 円
    ("12,000円", 12_000, ""),
    ("¥12,000", 12_000, ""),
    ("￥１２０００", 12_000, ""),  # the full-width yen sign is ¥ after NFKC
    ("12 000", 12_000, ""),  # spaces between digits are dropped
    ("0", 0, ""),
    (str(YEN_MAX), YEN_MAX, ""),  # 100億円 exactly is allowed
    (str(YEN_MAX + 1), None, "too_large"),
    ("9" * 5000, None, "too_large"),  # more than 15 digits: never handed to int()
    (str(2**70), None, "too_large"),
    ("-5", -5, "negative"),
    ("－５", -5, "negative"),  # the full-width minus is a minus after NFKC
    ("-" + "9" * 20, -OVER, "negative"),  # the amount a message may quote stays short
    ("12千円", None, "unreadable"),  # 千円 only where the caller allows it
    ("1.5", None, "unreadable"),  # a web form takes whole yen in digits only
    ("1E+5000", None, "unreadable"),
    ("+5", None, "unreadable"),
    ("፩", None, "unreadable"),  # digits of other scripts
    ("١٢٠٠٠", None, "unreadable"),
    ("円", None, "unreadable"),
    ("たくさん", None, "unreadable"),
    # numbers, as a workbook cell holds them
    (12_000, 12_000, ""),
    (12_000.0, 12_000, ""),
    (Decimal("12000"), 12_000, ""),
    (1000.5, None, "fraction"),
    (-1, -1, "negative"),
    (1e300, None, "too_large"),
    (2**70, None, "too_large"),
    (float("nan"), None, "unreadable"),
    (float("inf"), None, "unreadable"),
    (True, None, "not_amount"),
    (datetime.date(2026, 4, 1), None, "not_amount"),
]


@pytest.mark.parametrize(("value", "amount", "problem"), PLAIN)
def test_read_yen_plain(value, amount, problem):
    reading = read_yen(value)
    assert (reading.amount, reading.problem) == (amount, problem)
    assert parse_yen(value) == (amount if not problem else None)


CELL = [
    # (input, options, amount, problem, thousands)
    ("12千円", {}, 12_000, "", True),  # 12 × 1,000
    ("１２千", {}, 12_000, "", True),
    ("1.5千円", {}, 1_500, "", True),  # 1.5 × 1,000 = 1,500: whole yen
    ("1.0005千円", {}, None, "fraction", False),  # 1.0005 × 1,000 = 1,000.5
    ("1.5", {}, None, "fraction", False),  # Excel's notation is read, then refused
    ("1.0", {}, 1, "", False),
    ("1E+3", {}, 1_000, "", False),
    ("1E+5000", {}, None, "too_large", False),
    ("NaN", {}, None, "unreadable", False),
    ("Infinity", {}, None, "unreadable", False),
    ("-1千円", {}, -1_000, "negative", True),
    (12, {"number_in_thousands": True}, 12_000, "", True),  # a cell formatted 千円
    ("12", {"number_in_thousands": True}, 12, "", False),  # a text is not the cell's number
    (10_000_001, {"number_in_thousands": True}, None, "too_large", True),  # 100億円 + 1,000
]


@pytest.mark.parametrize(("value", "options", "amount", "problem", "thousands"), CELL)
def test_read_yen_in_a_workbook_cell(value, options, amount, problem, thousands):
    reading = read_yen(value, thousands_suffix=True, cell_notation=True, **options)
    assert (reading.amount, reading.problem) == (amount, problem)
    if not problem:
        assert reading.thousands is thousands


def test_a_caller_may_lower_the_bound():
    assert read_yen("1,001", max_value=1_000).problem == "too_large"
    assert read_yen("1,000", max_value=1_000).amount == 1_000


@pytest.mark.parametrize(
    ("value", "expected"),
    [("", 0), ("１２，０００円", 12_000), ("¥12,000", 12_000), (None, 0)],
)
def test_yen_field_reads_with_the_one_parser(value, expected):
    assert YenField(label="旅費").clean(value) == expected


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("-5", "「旅費」は円単位の0以上の整数で入力してください（入力: -5）。"),
        ("1.5", "「旅費」は円単位の0以上の整数で入力してください（入力: 1.5）。"),
        ("12千円", "「旅費」は円単位の0以上の整数で入力してください（入力: 12千円）。"),
        ("9" * 30, "「旅費」が大きすぎます。10,000,000,000円以下で入力してください。"),
    ],
)
def test_yen_field_refuses_in_japanese(value, message):
    with pytest.raises(forms.ValidationError) as refused:
        YenField(label="旅費").clean(value)
    assert refused.value.messages == [message]
