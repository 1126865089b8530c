import csv
import datetime
import io

import openpyxl

from zaitaku_portal.spreadsheets import Column, display_width, escape_formula, write_csv, write_xlsx

COLUMNS = [
    Column("拠点名"),
    Column("交付決定額", "yen"),
    Column("通知日", "date"),
    Column("件数", "int"),
]
ROWS = [
    ["北部地区医師会", 1_060_000, datetime.date(2026, 6, 1), 3],
    ['=HYPERLINK("http://evil")', 5, None, 0],
    ["+81-90", 0, datetime.date(2019, 5, 1), 1],
]


def load(content: bytes):
    return openpyxl.load_workbook(io.BytesIO(content))


def test_yen_and_wareki_formats_frozen_header_and_widths():
    sheet = load(write_xlsx([("一覧", COLUMNS, ROWS)]))["一覧"]
    assert [c.value for c in sheet[1]] == ["拠点名", "交付決定額", "通知日", "件数"]
    assert sheet.freeze_panes == "A2"
    assert sheet["B2"].value == 1_060_000
    assert sheet["B2"].number_format == '#,##0"円";"△"#,##0"円"'  # negative with △
    assert sheet["C2"].value == datetime.datetime(2026, 6, 1)
    assert "ggge" in sheet["C2"].number_format
    assert sheet.column_dimensions["A"].width >= display_width("北部地区医師会")
    assert sheet.auto_filter.ref == "A1:D4"


def test_formulas_are_written_as_text():
    sheet = load(write_xlsx([("一覧", COLUMNS, ROWS)]))["一覧"]
    # a text cell holding the text as typed, not '=... (issue 23: the round trip is lossless)
    assert sheet["A3"].value == '=HYPERLINK("http://evil")'
    assert sheet["A3"].data_type == "s"
    assert sheet["A4"].value == "+81-90"
    for value in ("=1+1", "+1", "-1", "@SUM(A1)", "\tx"):
        assert escape_formula(value).startswith("'")
    assert escape_formula("北部") == "北部"
    assert escape_formula(-5) == -5


def test_csv_has_bom_and_escapes_formulas():
    content = write_csv(COLUMNS, ROWS)
    assert content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert rows[0] == ["拠点名", "交付決定額", "通知日", "件数"]
    assert rows[2][0] == '\'=HYPERLINK("http://evil")'


def test_japanese_counts_double_width():
    assert display_width("abc") == 3
    assert display_width("拠点") == 4


def test_csv_keeps_negative_amounts_as_numbers_and_dates_as_iso():
    content = write_csv(COLUMNS, [["返還", -110_000, datetime.date(2027, 6, 1), -1]])
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert rows[1] == ["返還", "-110000", "2027-06-01", "-1"]


def test_simple_exports_get_the_same_house_style():
    from zaitaku_portal.exports import xlsx_bytes

    content = xlsx_bytes(
        "充足状況",
        ["在宅医療圏", "拠点数", "指定日"],
        [["=北部", 2, datetime.date(2024, 4, 1)], ["中部", 3, None]],
    )
    sheet = load(content)["充足状況"]
    assert sheet.freeze_panes == "A2"
    assert sheet["A2"].value == "=北部" and sheet["A2"].data_type == "s"
    assert sheet["B2"].number_format == "#,##0"
    assert "ggge" in sheet["C2"].number_format
