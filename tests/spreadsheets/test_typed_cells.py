"""What a spreadsheet program makes of a typed cell, read by the plan upload (issue 23):
〇, ○ and the 0 Calc makes of a typed 〇 are a wish; a date in 開始年度 is its fiscal year
(April–March) or refused in plain Japanese, never with Python's timestamp."""

import datetime

from subsidies.applications.excel_layout import ReadResult
from subsidies.applications.excel_read import keep_if_same, parse_start_year, parse_wish

CHOICES = [2026, 2027, 2028]  # R8〜 / R9〜 / R10〜 of 令和8年度


def test_every_way_of_writing_a_wish_is_a_wish_and_said_where_it_was_guessed():
    for value in ("○", "〇", "◯", 0, 0.0):
        result = ReadResult()
        assert parse_wish(value, "セルE7", result) is True, value
        assert result.errors == []
    result = ReadResult()
    parse_wish(0, "セルE7", result)
    assert result.notes and "0" in result.notes[0] and "○" in result.notes[0]
    assert parse_wish(None, "セルE7", ReadResult()) is False


def test_a_date_in_the_start_year_is_its_fiscal_year():
    cases = [
        # April starts the fiscal year: 2027-04-01 is 令和9年度, 2027-03-31 still 令和8年度.
        (datetime.datetime(2027, 4, 1), 2027),
        (datetime.datetime(2027, 3, 31), 2026),
        (datetime.date(2028, 12, 1), 2028),
        ("2026/6/1", 2026),
        ("２０２７／４／１", 2027),
        (46478, 2027),  # the day serial of 2027-04-01 (a date cell without its format)
    ]
    for value, year in cases:
        result = ReadResult()
        assert parse_start_year(value, CHOICES, "セルG7", result) == year, value
        assert result.errors == [] and "年度" in " ".join(result.notes)
    assert parse_start_year(9, CHOICES, "セルG7", ReadResult()) == 2027  # R9 as a number


def test_a_date_outside_the_choices_is_refused_in_japanese_without_a_timestamp():
    result = ReadResult()
    assert parse_start_year(datetime.datetime(2030, 4, 1), CHOICES, "セルG7", result) is None
    (message,) = result.errors
    assert "セルG7" in message and "令和12年4月1日" in message and "令和12年度" in message
    assert "00:00" not in message and "2030-04-01" not in message
    result = ReadResult()
    parse_start_year(datetime.time(9, 30), CHOICES, "セルG7", result)
    assert result.errors and "09:30" not in result.errors[0]


def test_the_stored_text_is_kept_when_only_line_ends_differ():
    assert keep_if_same("一行目\r\n二行目", "一行目\n二行目") == "一行目\r\n二行目"
    assert keep_if_same("一行目\r\n二行目 ", "一行目\n二行目") == "一行目\r\n二行目 "
    assert keep_if_same("一行目\r\n二行目", "一行目\n三行目") == "一行目\n三行目"
    assert keep_if_same(None, "新しい") == "新しい"
