"""The plan workbook (資料4-①②③) through the real LibreOffice Calc (issue 23): re-saved
untouched it reads back with no change; typed into as a user types, exactly those changes;
printed, every page names the hub and the fiscal year."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from subsidies.applications import excel, reading
from subsidies.applications import services as service
from subsidies.applications.plan_data import diff
from subsidies.models import Application
from tests.spreadsheets import calc
from tests.subsidies.factories import complete_plan

pytestmark = [pytest.mark.django_db, pytest.mark.calc, calc.needs_calc]

MEETING_TEXT = "市町村ごとに区割り\r\n二次医療圏を基本とする"  # a textarea sends CR LF


@pytest.fixture
def application(apps_world):
    w = apps_world
    application = service.start_application(w.hub_a, w.fiscal_year, w.coordinator)
    # the hub plans for hospital A (issue 18): its lines are then in the workbook's 4-②
    application = service.add_hospital(application, w.designation_a, w.coordinator, 1)
    plan = complete_plan(application, district_policy=MEETING_TEXT)
    service.save_plan(application, plan, w.coordinator, application.version)
    return Application.objects.get(pk=application.pk)


def _read(application, content: bytes):
    result = excel.read_workbook(application, SimpleUploadedFile("申請.xlsx", content))
    labels, names = reading.labels_for(application)
    changes = diff(reading.current_plan(application), result.plan, labels, names)
    return result, changes


def _row_of(content: bytes, sheet: str, menu_name: str) -> int:
    workbook = load_workbook(io.BytesIO(content))
    for row in range(excel.FIRST_ROW, workbook[sheet].max_row + 1):
        if workbook[sheet][f"B{row}"].value == menu_name:
            return row
    raise AssertionError(menu_name)


def test_resaved_by_calc_reads_back_unchanged(application, tmp_path):
    content = excel.export_workbook(application)
    saved = calc.resave({"plan": content}, tmp_path)["plan"]
    result, changes = _read(application, saved)
    assert result.errors == []
    assert changes == []  # 変更はありません, multi-line text included


def test_typed_in_calc_gives_exactly_those_changes(application, tmp_path):
    content = excel.export_workbook(application)
    meeting_row = _row_of(content, excel.HUB_SHEET, "多職種が参加する連携会議の開催")
    hospital_row = _row_of(content, excel.HOSPITAL_SHEET, "同行訪問等研修")
    edits = [
        # 〇 (U+3007) into a wish cell that had no wish: a wish (the cell is text, so Calc
        # keeps 〇; the reader takes 〇 and a 0 alike).
        (excel.HOSPITAL_SHEET, f"E{hospital_row}", "〇"),
        (excel.HUB_SHEET, f"G{meeting_row}", "R9〜"),
        (excel.HUB_SHEET, f"L{meeting_row}", "80,000円"),  # Calc keeps it as text
        (excel.MEETING_SHEET, "B9", "2027-04-01"),  # Calc makes a date of it: 令和9年度 → R9〜
        (excel.MEETING_SHEET, "B11", "2026/6/1"),  # kept as text in Calc's en-US: R8〜
        (excel.MEETING_SHEET, "B8", "一行目\n二行目"),
    ]
    edited = calc.edit(content, edits, tmp_path)
    result, changes = _read(application, edited)
    assert result.errors == []
    assert sorted(changes) == sorted(
        [
            ("その他取り組み事項", "（空欄）", "一行目\n二行目"),
            ("その他取り組み事項の開始年度", "（空欄）", "R9〜"),  # 2027-04-01 is 令和9年度
            ("積極的医療機関のその他取り組み事項の開始年度", "（空欄）", "R8〜"),  # 2026/6/1
            ("多職種が参加する連携会議の開催／開始年度", "R8〜", "R9〜"),
            ("多職種が参加する連携会議の開催／報償費", "300,000円", "80,000円"),
            ("甲病院：同行訪問等研修／補助の希望", "（空欄）", "○"),
        ]
    )


def test_printed_by_calc_names_the_hub_on_every_page(application, tmp_path):
    content = excel.export_workbook(application)
    pages = calc.pdf_pages({"plan": content}, tmp_path)["plan"]
    # 4-① (one page wide, its lines fit one page), 4-②, 4-③ and the two read-only sheets of
    # seed 004's columns (4-①・4-②メニューの内容): one page each.
    assert len(pages) == 5, [page[:80] for page in pages]
    for page in pages:
        assert application.hub.name in page
        assert "令和8年度" in page
