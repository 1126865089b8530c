"""Issue 12, points 1 and 14: the registry reader is bounded and says what is wrong in Japanese.

A crafted 届出受理医療機関名簿 may not keep a core busy: rows, columns, the cells of the upload,
the shared strings and the seconds spent are bounded, and the limit hit is named. A damaged or
hostile file is described in Japanese, never with Python's exception text."""

import datetime
import io
import re
import time

import pytest
from django.urls import reverse

from hospitals.models import MedicalInstitution, RegistryImportRun
from hospitals.registry import reader, service
from tests.factories import UserFactory
from tests.hospitals.registry_workbooks import realistic_rows, rezip, xlsx
from tests.security.hostile_workbooks import (
    BILLION_LAUGHS,
    empty_cell_at,
    rewrite,
    wide_rows,
)

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 11, 1)
SHEET = "xl/worksheets/sheet1.xml"
PYTHON_WORDS = re.compile(r"Error|Exception|Traceback|limit on input|list index|line \d+, column")


@pytest.fixture
def staff(db):
    return UserFactory(username="ken")


def preview(data: bytes, user):
    return service.preview(io.BytesIO(data), "名簿.xlsx", len(data), user, today=TODAY)


def only_error(run) -> str:
    assert run.status == RegistryImportRun.Status.REJECTED, run.problems
    assert MedicalInstitution.objects.count() == 0
    text = run.errors[0]["text"]
    assert not PYTHON_WORDS.search(text), text
    return text


def good_list() -> bytes:
    return xlsx(realistic_rows())


# --- point 1: the work is bounded -------------------------------------------------------------


def test_one_cell_at_the_last_excel_row_is_refused_at_once(staff):
    bomb = rewrite(good_list(), SHEET, rows=empty_cell_at("A1048576"))
    assert len(bomb) < 16 * 1024
    started = time.perf_counter()
    text = only_error(preview(bomb, staff))
    assert time.perf_counter() - started < 2
    limit = reader.REGISTRY_LIMITS.sheet.max_row
    assert text.startswith("シート「届出受理医療機関名簿」のセルA1048576は名簿の範囲")
    assert f"最大{limit:,}行" in text


def test_an_empty_row_at_the_last_excel_row_is_refused_too(staff):
    bomb = rewrite(good_list(), SHEET, rows=lambda _xml: [b'<row r="1048576"/>'])
    text = only_error(preview(bomb, staff))
    assert text.startswith("シート「届出受理医療機関名簿」の1,048,576行目は名簿の範囲")


def test_cells_in_the_last_column_are_refused_at_the_first_one(staff):
    bomb = rewrite(good_list(), SHEET, rows=wide_rows(100, 5_000))
    started = time.perf_counter()
    text = only_error(preview(bomb, staff))
    assert time.perf_counter() - started < 2
    assert "のセルXFD100は名簿の範囲" in text


def test_the_openpyxl_engine_is_bounded_too(staff):
    bomb = rewrite(good_list(), SHEET, dimension="A1:XFD5000")
    data = io.BytesIO(bomb)
    with pytest.raises(reader.RegistryFileError) as refused:
        reader.read_registry(data, "名簿.xlsx", len(bomb), today=TODAY, engine="openpyxl")
    assert "の使用範囲A1:XFD5000は名簿の範囲" in str(refused.value)


def test_the_cells_of_the_list_are_capped(staff, monkeypatch):
    limits = reader.REGISTRY_LIMITS
    monkeypatch.setattr(
        reader, "REGISTRY_LIMITS", type(limits)(limits.sheet, 40, limits.max_part_bytes, "名簿")
    )
    text = only_error(preview(good_list(), staff))
    assert text.startswith("ブック全体のセルが多すぎます（上限40セル。")


def test_a_list_read_for_too_long_is_stopped_with_the_limit_named(staff, monkeypatch):
    monkeypatch.setattr(reader, "MAX_READ_SECONDS", 0)
    text = only_error(preview(good_list(), staff))
    assert "制限時間（0秒）" in text


# --- point 14: what is wrong, in Japanese -----------------------------------------------------


def test_malformed_sheet_xml_is_described_in_japanese(staff):
    broken = rezip(
        good_list(), replace={SHEET: lambda xml: xml.replace(b"</sheetData>", b"<row></sheetData>")}
    )
    text = only_error(preview(broken, staff))
    assert "壊れているため読み込めません" in text


def test_an_entity_bomb_is_refused_in_japanese(staff):
    bomb = rezip(good_list(), extra={"xl/sharedStrings.xml": BILLION_LAUGHS})
    text = only_error(preview(bomb, staff))
    assert "DTD・エンティティ宣言" in text and "安全のため取り込めません" in text


def test_a_shared_string_that_is_not_there_names_its_cell(staff):
    # today: IndexError (list index out of range) shown as is
    data = rezip(
        good_list(),
        replace={
            SHEET: lambda xml: xml.replace(
                b'<c r="B5" t="inlineStr"><is><t>47</t></is></c>', b'<c r="B5" t="s"><v>999</v></c>'
            )
        },
    )
    text = only_error(preview(data, staff))
    assert text.startswith("シート「届出受理医療機関名簿」のセルB5")
    assert "999" in text and "文字列" in text


def test_a_number_cell_that_is_not_a_number_names_its_cell(staff):
    data = rezip(
        good_list(),
        replace={
            SHEET: lambda xml: xml.replace(
                b'<c r="B5" t="inlineStr"><is><t>47</t></is></c>',
                '<c r="B5"><v>四十七</v></c>'.encode(),
            )
        },
    )
    text = only_error(preview(data, staff))
    assert text.startswith("シート「届出受理医療機関名簿」のセルB5")
    assert "数値" in text


def test_the_import_page_shows_the_japanese_message(client, staff):
    client.force_login(staff)
    upload = io.BytesIO(rezip(good_list(), extra={"xl/sharedStrings.xml": BILLION_LAUGHS}))
    upload.name = "名簿.xlsx"
    response = client.post(reverse("hospitals:registry_imports"), {"workbook": upload}, follow=True)
    page = response.content.decode()
    assert "DTD・エンティティ宣言" in page
    assert not PYTHON_WORDS.search(page)
    assert MedicalInstitution.objects.count() == 0
