"""Issue 17: the bureau's list as others pass it on. The header is found by its column names
within the first 20 rows of any sheet (a cover sheet first, notes above, row 4 blank, blank
columns before it, a footer line below); dates as 和暦 text with or without spaces, full-width
digits, date cells, ISO date cells; 医療機関番号 as text or number. Every reader gives the
same result, and every message names the sheet and the rows it looked at."""

import datetime
import io

import pytest
from openpyxl import Workbook

from hospitals.registry import reader
from hospitals.registry.reader import read_registry
from hospitals.registry.sample import Row, bureau_number, generated_rows, write_registry
from tests.hospitals.registry_workbooks import (
    PREF,
    code_of,
    laid_out,
    realistic_rows,
    with_phonetic_name,
    xlsx,
)
from zaitaku_portal.wareki import parse_wareki

TODAY = datetime.date(2026, 11, 1)
ENGINES = reader.ENGINES


def read(data: bytes, engine: str = "calamine"):
    return read_registry(io.BytesIO(data), "名簿.xlsx", len(data), today=TODAY, engine=engine)


def facts(result) -> dict:
    return {
        code: (f["name"], f["support_tier"], f["linked_subtype"], f["support_since"])
        for code, f in result.facilities.items()
    }


@pytest.mark.parametrize("engine", ENGINES)
def test_header_on_row_5_under_a_note_after_a_cover_sheet_with_a_footer(engine):
    data = laid_out(
        realistic_rows(),
        cover=True,
        header_row=5,
        first_column=2,  # column A left blank
        footer="※ この名簿は令和6年6月1日現在の届出受理状況です。",
    )
    result = read(data, engine)
    assert result.ok, [p.text for p in result.problems]
    assert (result.sheet_name, result.header_row) == ("届出受理医療機関名簿", 5)
    assert result.as_of == datetime.date(2024, 6, 1)
    assert result.row_count == 6 and result.skipped_row_count == 1  # the footer is no row
    assert facts(result) == facts(read(xlsx(realistic_rows())))  # as from the bureau's layout


@pytest.mark.parametrize("engine", ENGINES)
def test_a_problem_in_a_shifted_list_names_its_own_row_and_cell(engine):
    rows = [*realistic_rows(), Row(bureau_number(PREF, 606), "二月診療所", "支援診３")]
    rows[-1].since = "令和 6年 2月30日"
    result = read(laid_out(rows, cover=True, header_row=5, first_column=2), engine)
    error = next(p for p in result.problems if p.severity == "error")
    # header on row 5, seventh data row → row 12; 算定開始年月日 is the 13th column from B: N
    assert (error.sheet, error.row, error.cell) == ("届出受理医療機関名簿", 12, "N12")
    assert (
        error.text == "12行目 セルN12（算定開始年月日）: 「令和 6年 2月30日」は存在しない日付です。"
    )


def _typed(key, value):
    """Date cells for 算定開始年月日, numbers for 医療機関番号 and 都道府県コード."""
    if key == "since" and value:
        return parse_wareki(value)
    if key == "number" and "-" in value and value.replace("-", "").isdigit():
        return int(value.replace("-", ""))  # 00-01019 → 1019: Excel dropped the zeros
    if key == "prefecture" and value.isdigit():
        return int(value)
    return value


@pytest.mark.parametrize("iso_dates", [False, True], ids=["date cells", "ISO date cells"])
@pytest.mark.parametrize("engine", ENGINES)
def test_date_cells_and_number_typed_bureau_numbers(engine, iso_dates):
    rows = [r for r in realistic_rows() if r.name != "みなと診療所"]  # already full-width
    data = laid_out(rows, cell=_typed, iso_dates=iso_dates)
    result = read(data, engine)
    assert result.ok, [p.text for p in result.problems]
    hospital = result.facilities[code_of(bureau_number(PREF, 101))]
    assert hospital["support_since"] == "2024-06-01"
    assert hospital["is_backup_hospital"] is True
    assert set(result.facilities) == {
        code_of(bureau_number(PREF, 101)),
        code_of(bureau_number(PREF, 303)),
    }


def test_iso_date_cells_are_written_as_iso_cells():
    """The test above really meets t="d" cells (what openpyxl reads as dates)."""
    import zipfile

    data = laid_out(realistic_rows()[:1], cell=_typed, iso_dates=True)
    sheet = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")
    assert b't="d"><v>2024-06-01' in sheet


@pytest.mark.parametrize(
    "text",
    [
        "令和6年6月1日",
        "令和 6年 6月 1日",
        "令和　６年　６月　１日",
        "R6.6.1",
        "2024-06-01",
        "2024/6/1",
    ],
)
def test_dates_as_text_with_or_without_spaces_and_full_width(text):
    rows = [Row(bureau_number(PREF, 101), "北山病院", "支援病１", since=text)]
    result = read(xlsx(rows))
    assert result.ok, [p.text for p in result.problems]
    assert result.facilities[code_of(bureau_number(PREF, 101))]["support_since"] == "2024-06-01"


def test_a_workbook_without_the_header_names_the_sheets_and_rows_looked_at():
    workbook = Workbook()
    workbook.active.title = "表紙"
    workbook.active["A1"] = "施設基準の届出受理状況"
    other = workbook.create_sheet("一覧")
    for number in range(1, 31):
        other.cell(number, 1, f"メモ{number}")
    buffer = io.BytesIO()
    workbook.save(buffer)
    result = read(buffer.getvalue())
    assert not result.readable
    text = result.problems[0].text
    assert "名簿の見出し（「都道府県コード」、「区分」、「医療機関番号」" in text
    assert "見た範囲: 「表紙」の1〜1行目、「一覧」の1〜20行目" in text


def test_a_header_with_names_missing_is_named_with_its_sheet_and_row():
    data = laid_out([], header_row=6)
    data_header = ("項番", "都道府県コード", "区分", "医療機関コード", "医療機関名称", "住所")
    buffer = io.BytesIO()
    write_registry(buffer, [], header=data_header)
    result = read(buffer.getvalue())
    text = result.problems[0].text
    assert text.startswith(
        "4行目 セルA4: 4行目の見出しが名簿の形式と異なります（シート「届出受理医療機関名簿」）"
    )
    assert "「医療機関番号」" in text and "「受理記号」" in text and "「算定開始年月日」" in text
    assert read(data).ok  # the same layout with the full header is fine


@pytest.mark.parametrize("engine", ["stream", "openpyxl"])
def test_every_reader_reads_a_generated_list_alike(engine):
    buffer = io.BytesIO()
    write_registry(buffer, generated_rows(3000))
    data = buffer.getvalue()
    ours, theirs = read(data), read(data, engine)
    assert ours.ok and theirs.ok
    assert ours.facilities == theirs.facilities
    assert (ours.row_count, ours.warning_count) == (theirs.row_count, theirs.warning_count)


@pytest.mark.parametrize("engine", ENGINES)
def test_the_ruby_of_a_name_is_not_read_into_it(engine):
    data = with_phonetic_name(xlsx(realistic_rows()), "E5", "北山病院", "キタヤマ")
    result = read(data, engine)
    assert result.facilities[code_of(bureau_number(PREF, 101))]["name"] == "北山病院"


def test_a_sheet_too_large_for_calamines_grid_is_streamed(monkeypatch):
    from hospitals.registry import books

    data = xlsx(realistic_rows())
    assert read(data).engine == "calamine"
    monkeypatch.setattr(books, "CALAMINE_MAX_SHEET_BYTES", 1000)  # the sheet part is larger
    result = read(data)
    assert result.engine == "stream" and result.ok
    assert facts(result) == facts(read(data, "openpyxl"))
